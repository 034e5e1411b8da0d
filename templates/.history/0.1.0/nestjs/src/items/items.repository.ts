import { type Item, type NewItem } from './item';

/**
 * Storage port for items. The service depends on this abstract class (it doubles as the
 * injection token); items.module.ts binds the implementation.
 */
export abstract class ItemsRepository {
  abstract findAll(): Promise<Item[]>;
  abstract findById(id: string): Promise<Item | null>;
  abstract create(item: NewItem): Promise<Item>;
  /** Returns false when there was nothing to delete. */
  abstract delete(id: string): Promise<boolean>;
}
