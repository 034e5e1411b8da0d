import { randomUUID } from "node:crypto";

import type { Item } from "./items.schema.js";

export interface NewItem {
  name: string;
  description: string | null;
}

/** Storage for items. The service depends on this interface, never on a concrete store. */
export interface ItemsRepository {
  list(): Promise<Item[]>;
  get(id: string): Promise<Item | undefined>;
  create(item: NewItem): Promise<Item>;
  /** Returns false when there was no item with this id. */
  delete(id: string): Promise<boolean>;
}

/** Keeps items in process memory: no setup, gone on restart. Good for tests and demos. */
export class InMemoryItemsRepository implements ItemsRepository {
  readonly #items = new Map<string, Item>();

  list(): Promise<Item[]> {
    return Promise.resolve([...this.#items.values()]);
  }

  get(id: string): Promise<Item | undefined> {
    return Promise.resolve(this.#items.get(id));
  }

  create(input: NewItem): Promise<Item> {
    const item: Item = { id: randomUUID(), ...input, createdAt: new Date().toISOString() };
    this.#items.set(item.id, item);
    return Promise.resolve(item);
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.#items.delete(id));
  }
}
