import { Router } from "express";
import type { z } from "zod";

import { HttpError, NotFoundError } from "../../lib/http-error.js";
import { createItemSchema, itemIdSchema } from "./items.schema.js";
import type { ItemsService } from "./items.service.js";

function validationError(error: z.ZodError): HttpError {
  const details = error.issues.map((issue) => ({
    path: issue.path.join("."),
    message: issue.message,
  }));
  return new HttpError(422, "validation_error", "Request body is invalid", details);
}

/** An id that is not a UUID cannot name an item: answer 404 without asking the store. */
function parseId(raw: string): string {
  const id = itemIdSchema.safeParse(raw);
  if (!id.success) throw new NotFoundError(`Item ${raw} not found`);
  return id.data;
}

/** HTTP layer for `/api/items`: parse and validate, call the service, shape the response. */
export function itemsRouter(service: ItemsService): Router {
  const router = Router();

  router.get("/", async (_req, res) => {
    res.json(await service.list());
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

  router.delete("/:id", async (req, res) => {
    await service.delete(parseId(req.params.id));
    res.status(204).end();
  });

  return router;
}
