import { type Item, type ItemChanges, type NewItem } from './item';

/**
 * Storage port for items. The service depends on this abstract class (it doubles as the
 * injection token); items.module.ts binds the implementation.
 */
export abstract class ItemsRepository {
  abstract findAll(): Promise<Item[]>;
  abstract findById(id: string): Promise<Item | null>;
  abstract create(item: NewItem): Promise<Item>;
  /** Returns the updated item, or null when there is no such item. */
  abstract update(id: string, changes: ItemChanges): Promise<Item | null>;
  /** Returns false when there was nothing to delete. */
  abstract delete(id: string): Promise<boolean>;
}
