import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Item, type NewItem } from './item';
import { ItemsRepository } from './items.repository';

/** Keeps items in process memory: fine for a demo and for tests, gone on restart. */
@Injectable()
export class InMemoryItemsRepository extends ItemsRepository {
  private readonly items = new Map<string, Item>();

  findAll(): Promise<Item[]> {
    return Promise.resolve([...this.items.values()].map((item) => ({ ...item })));
  }

  findById(id: string): Promise<Item | null> {
    const item = this.items.get(id);
    return Promise.resolve(item ? { ...item } : null);
  }

  create(data: NewItem): Promise<Item> {
    const item: Item = { id: randomUUID(), ...data, createdAt: new Date() };
    this.items.set(item.id, item);
    return Promise.resolve({ ...item });
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.items.delete(id));
  }
}
