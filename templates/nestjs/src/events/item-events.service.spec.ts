import { ITEM_EVENTS_BUFFER, type ItemEvent, ItemEventsService } from './item-events.service';

describe('ItemEventsService', () => {
  it('numbers events from 1 and hands them to every subscriber', () => {
    const bus = new ItemEventsService();
    const seen: ItemEvent[] = [];
    const stop = bus.subscribe((event) => seen.push(event));
    bus.publish('item.created', { id: 'a' });
    bus.publish('item.deleted', { id: 'a' });
    stop();
    bus.publish('item.created', { id: 'b' });
    expect(seen.map((event) => [event.id, event.type])).toEqual([
      [1, 'item.created'],
      [2, 'item.deleted'],
    ]);
    expect(bus.latestId).toBe(3);
  });

  it('replays the events after a given id', () => {
    const bus = new ItemEventsService();
    for (let i = 0; i < 5; i += 1) {
      bus.publish('item.created', { id: String(i) });
    }
    expect(bus.since(3).map((event) => event.id)).toEqual([4, 5]);
    expect(bus.since(5)).toEqual([]);
    expect(bus.since(0)).toHaveLength(5);
  });

  it(`keeps only the last ${ITEM_EVENTS_BUFFER} events`, () => {
    const bus = new ItemEventsService();
    for (let i = 0; i < ITEM_EVENTS_BUFFER + 10; i += 1) {
      bus.publish('item.created', { id: String(i) });
    }
    const replay = bus.since(0);
    expect(replay).toHaveLength(ITEM_EVENTS_BUFFER);
    expect(replay[0]?.id).toBe(11);
    expect(replay.at(-1)?.id).toBe(ITEM_EVENTS_BUFFER + 10);
  });
});
