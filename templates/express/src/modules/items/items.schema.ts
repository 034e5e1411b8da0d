import { z } from "zod";

/** Largest value of a PostgreSQL `integer`: the bound of every count and offset in the API. */
export const MAX_INT32 = 2_147_483_647;

/** Body of `POST /api/items`. */
export const createItemSchema = z.strictObject({
  name: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .trim()
    .min(1, "must not be empty")
    .max(200),
  description: z.string().trim().max(2000).nullish(),
});

export type CreateItemInput = z.infer<typeof createItemSchema>;

/** Body of `PATCH /api/items/:id`: the fields to change, at least one. */
export const updateItemSchema = createItemSchema
  .partial()
  .refine((input) => input.name !== undefined || input.description !== undefined, {
    message: "must change name or description",
  });

export type UpdateItemInput = z.infer<typeof updateItemSchema>;

/** Query of `GET /api/items`: a page of items, oldest first. Out-of-range numbers are a 422. */
export const listItemsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(MAX_INT32).default(0),
});

export type ListItemsQuery = z.infer<typeof listItemsQuerySchema>;

/** Item ids are UUIDs; anything else cannot name an item. */
export const itemIdSchema = z.uuid();

/** An item as stored and as returned by the API; `createdAt` is RFC 3339 with an offset. */
export const itemSchema = z.object({
  id: itemIdSchema,
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});

export type Item = z.infer<typeof itemSchema>;
