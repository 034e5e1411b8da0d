import { randomUUID } from "node:crypto";

import type { Item, ListItemsQuery } from "./items.schema.js";

export interface NewItem {
  name: string;
  description: string | null;
}

/** Storage for items. The service depends on this interface, never on a concrete store. */
export interface ItemsRepository {
  /** A page of items, oldest first. */
  list(page: ListItemsQuery): Promise<Item[]>;
  get(id: string): Promise<Item | undefined>;
  create(item: NewItem): Promise<Item>;
  /** Changes the given fields; undefined when there is no item with this id. */
  update(id: string, changes: Partial<NewItem>): Promise<Item | undefined>;
  /** Returns false when there was no item with this id. */
  delete(id: string): Promise<boolean>;
}

/** Keeps items in process memory: no setup, gone on restart. Good for tests and demos. */
export class InMemoryItemsRepository implements ItemsRepository {
  readonly #items = new Map<string, Item>();

  list({ limit, offset }: ListItemsQuery): Promise<Item[]> {
    return Promise.resolve([...this.#items.values()].slice(offset, offset + limit));
  }

  get(id: string): Promise<Item | undefined> {
    return Promise.resolve(this.#items.get(id));
  }

  create(input: NewItem): Promise<Item> {
    const item: Item = { id: randomUUID(), ...input, createdAt: new Date().toISOString() };
    this.#items.set(item.id, item);
    return Promise.resolve(item);
  }

  update(id: string, changes: Partial<NewItem>): Promise<Item | undefined> {
    const item = this.#items.get(id);
    if (item === undefined) return Promise.resolve(undefined);
    const updated: Item = {
      ...item,
      name: changes.name ?? item.name,
      description: changes.description === undefined ? item.description : changes.description,
    };
    this.#items.set(id, updated);
    return Promise.resolve(updated);
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.#items.delete(id));
  }
}
