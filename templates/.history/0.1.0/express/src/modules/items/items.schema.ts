import { z } from "zod";

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

/** An item as stored and as returned by the API. */
export interface Item {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
}

/** Item ids are UUIDs; anything else cannot name an item. */
export const itemIdSchema = z.uuid();
