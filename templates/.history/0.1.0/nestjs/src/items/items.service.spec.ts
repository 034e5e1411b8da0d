import { NotFoundException } from '@nestjs/common';
import { InMemoryItemsRepository } from './in-memory-items.repository';
import { ItemsService } from './items.service';

describe('ItemsService', () => {
  let service: ItemsService;

  beforeEach(() => {
    service = new ItemsService(new InMemoryItemsRepository());
  });

  it('creates, lists, gets and removes an item', async () => {
    const created = await service.create({ name: '  widget ', description: 'blue' });
    expect(created).toMatchObject({ name: 'widget', description: 'blue' });
    expect(created.id).toEqual(expect.any(String));

    await expect(service.list()).resolves.toEqual([created]);
    await expect(service.get(created.id)).resolves.toEqual(created);

    await service.remove(created.id);
    await expect(service.list()).resolves.toEqual([]);
  });

  it('stores a missing description as null', async () => {
    await expect(service.create({ name: 'gadget' })).resolves.toMatchObject({
      description: null,
    });
  });

  it('throws NotFoundException for unknown ids', async () => {
    await expect(service.get('nope')).rejects.toBeInstanceOf(NotFoundException);
    await expect(service.remove('nope')).rejects.toBeInstanceOf(NotFoundException);
  });
});
