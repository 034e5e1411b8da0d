import { NotFoundError } from "../../lib/http-error.js";
import type { ItemsRepository } from "./items.repository.js";
import type { CreateItemInput, Item } from "./items.schema.js";

/** Business rules for items. Knows nothing about HTTP or about how items are stored. */
export class ItemsService {
  constructor(private readonly repository: ItemsRepository) {}

  list(): Promise<Item[]> {
    return this.repository.list();
  }

  async get(id: string): Promise<Item> {
    const item = await this.repository.get(id);
    if (item === undefined) throw new NotFoundError(`Item ${id} not found`);
    return item;
  }

  create(input: CreateItemInput): Promise<Item> {
    return this.repository.create({ name: input.name, description: input.description ?? null });
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repository.delete(id))) throw new NotFoundError(`Item ${id} not found`);
  }
}
