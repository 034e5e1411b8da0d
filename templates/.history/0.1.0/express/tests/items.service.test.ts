import { describe, expect, it } from "vitest";

import { NotFoundError } from "../src/lib/http-error.js";
import { InMemoryItemsRepository } from "../src/modules/items/items.repository.js";
import { ItemsService } from "../src/modules/items/items.service.js";

// The service on its own, with the in-memory store: no HTTP, no database.
describe("ItemsService", () => {
  it("stores a missing description as null", async () => {
    const service = new ItemsService(new InMemoryItemsRepository());
    const item = await service.create({ name: "widget" });
    expect(item.description).toBeNull();
    await expect(service.get(item.id)).resolves.toEqual(item);
  });

  it("raises NotFoundError for unknown ids", async () => {
    const service = new ItemsService(new InMemoryItemsRepository());
    await expect(service.get("missing")).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.delete("missing")).rejects.toBeInstanceOf(NotFoundError);
  });
});
