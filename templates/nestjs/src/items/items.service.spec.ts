import { NotFoundException } from '@nestjs/common';
import { type ItemEvent, ItemEventsService } from '../events/item-events.service';
import { InMemoryItemsRepository } from './in-memory-items.repository';
import { ItemsService } from './items.service';

describe('ItemsService', () => {
  let service: ItemsService;
  let events: ItemEvent[];

  beforeEach(() => {
    const bus = new ItemEventsService();
    events = [];
    bus.subscribe((event) => events.push(event));
    service = new ItemsService(new InMemoryItemsRepository(), bus);
  });

  it('creates, lists, gets and removes an item', async () => {
    const created = await service.create({ name: '  widget ', description: 'blue' });
    expect(created).toMatchObject({ name: 'widget', description: 'blue' });
    expect(created.id).toEqual(expect.any(String));

    await expect(service.list()).resolves.toEqual([created]);
    await expect(service.get(created.id)).resolves.toEqual(created);

    await service.remove(created.id);
    await expect(service.list()).resolves.toEqual([]);
    expect(events).toEqual([
      { id: 1, type: 'item.created', item: created },
      { id: 2, type: 'item.deleted', item: { id: created.id } },
    ]);
  });

  it('updates the fields given and publishes item.updated', async () => {
    const created = await service.create({ name: 'widget', description: 'blue' });
    const updated = await service.update(created.id, { name: ' gizmo ', description: null });
    expect(updated).toEqual({ ...created, name: 'gizmo', description: null });
    await expect(service.get(created.id)).resolves.toEqual(updated);
    expect(events.at(-1)).toEqual({ id: 2, type: 'item.updated', item: updated });
    await expect(service.update('nope', { name: 'x' })).rejects.toBeInstanceOf(NotFoundException);
  });

  it('stores a missing description as null', async () => {
    await expect(service.create({ name: 'gadget' })).resolves.toMatchObject({
      description: null,
    });
  });

  it('throws NotFoundException for unknown ids', async () => {
    await expect(service.get('nope')).rejects.toBeInstanceOf(NotFoundException);
    await expect(service.remove('nope')).rejects.toBeInstanceOf(NotFoundException);
    expect(events).toEqual([]);
  });
});
