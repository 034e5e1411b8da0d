import { Injectable } from '@nestjs/common';
import { type Item } from '../items/item';

export type ItemEventType = 'item.created' | 'item.updated' | 'item.deleted';

/** One change to an item, as WebSocket and SSE clients receive it (JSON). */
export interface ItemEvent {
  /** Monotonic per process, starting at 1; SSE clients resume from it with Last-Event-ID. */
  id: number;
  type: ItemEventType;
  /** The item as the API returns it; only `{ id }` for item.deleted. */
  item: Item | { id: string };
}

export type ItemEventListener = (event: ItemEvent) => void;

/** How many recent events are kept for clients that resume (SSE Last-Event-ID). */
export const ITEM_EVENTS_BUFFER = 1000;

/**
 * The in-process item event bus: ItemsService publishes after each successful write; the
 * WebSocket gateway and the SSE stream subscribe. The last ITEM_EVENTS_BUFFER events stay in a
 * ring buffer so that a client that reconnects misses nothing it could still be given.
 * One process only: with several instances, put a broker (Redis pub/sub, NATS) behind this.
 */
@Injectable()
export class ItemEventsService {
  private readonly buffer: (ItemEvent | undefined)[] = new Array<ItemEvent | undefined>(
    ITEM_EVENTS_BUFFER,
  );
  private readonly listeners = new Set<ItemEventListener>();
  private lastId = 0;

  publish(type: ItemEventType, item: ItemEvent['item']): ItemEvent {
    this.lastId += 1;
    const event: ItemEvent = { id: this.lastId, type, item };
    this.buffer[this.lastId % ITEM_EVENTS_BUFFER] = event;
    for (const listener of this.listeners) {
      listener(event);
    }
    return event;
  }

  /** Calls `listener` for every later event; returns the function that stops it. */
  subscribe(listener: ItemEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The buffered events with an id greater than `afterId`, oldest first. */
  since(afterId: number): ItemEvent[] {
    const from = Math.max(afterId + 1, this.lastId - ITEM_EVENTS_BUFFER + 1, 1);
    const events: ItemEvent[] = [];
    for (let id = from; id <= this.lastId; id += 1) {
      const event = this.buffer[id % ITEM_EVENTS_BUFFER];
      if (event !== undefined && event.id === id) {
        events.push(event);
      }
    }
    return events;
  }

  /** The id of the newest event (0 before the first). */
  get latestId(): number {
    return this.lastId;
  }
}
