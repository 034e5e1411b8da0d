import { Test } from '@nestjs/testing';
import { InMemoryItemsRepository } from './in-memory-items.repository';
import { ItemsController } from './items.controller';
import { ItemsRepository } from './items.repository';
import { ItemsService } from './items.service';

describe('ItemsController', () => {
  let controller: ItemsController;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ItemsController],
      providers: [ItemsService, { provide: ItemsRepository, useClass: InMemoryItemsRepository }],
    }).compile();
    controller = moduleRef.get(ItemsController);
  });

  it('round-trips an item through the service', async () => {
    const created = await controller.create({ name: 'widget', description: 'optional text' });
    await expect(controller.get(created.id)).resolves.toEqual(created);
    await expect(controller.list()).resolves.toHaveLength(1);
    await expect(controller.remove(created.id)).resolves.toBeUndefined();
    await expect(controller.list()).resolves.toHaveLength(0);
  });
});
