import { Router } from "express";

import { NotFoundError } from "../../lib/http-error.js";
import { validationError } from "../../lib/validation.js";
import {
  createItemSchema,
  itemIdSchema,
  listItemsQuerySchema,
  updateItemSchema,
} from "./items.schema.js";
import type { ItemsService } from "./items.service.js";

/** An id that is not a UUID cannot name an item: answer 404 without asking the store. */
function parseId(raw: string): string {
  const id = itemIdSchema.safeParse(raw);
  if (!id.success) throw new NotFoundError(`Item ${raw} not found`);
  return id.data;
}

/** HTTP layer for `/api/items`: parse and validate, call the service, shape the response. */
export function itemsRouter(service: ItemsService): Router {
  const router = Router();

  router.get("/", async (req, res) => {
    const page = listItemsQuerySchema.safeParse(req.query);
    if (!page.success) throw validationError(page.error, "Query parameters are invalid");
    res.json(await service.list(page.data));
  });

  router.post("/", async (req, res) => {
    const input = createItemSchema.safeParse(req.body ?? {});
    if (!input.success) throw validationError(input.error);
    const item = await service.create(input.data);
    res.status(201).location(`${req.baseUrl}/${item.id}`).json(item);
  });

  router.get("/:id", async (req, res) => {
    res.json(await service.get(parseId(req.params.id)));
  });

  router.patch("/:id", async (req, res) => {
    const id = parseId(req.params.id);
    const input = updateItemSchema.safeParse(req.body ?? {});
    if (!input.success) throw validationError(input.error);
    res.json(await service.update(id, input.data));
  });

  router.delete("/:id", async (req, res) => {
    await service.delete(parseId(req.params.id));
    res.status(204).end();
  });

  return router;
}
