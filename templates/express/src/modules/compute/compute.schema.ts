import { z } from "zod";

/** Body of `POST /api/compute/pi`. */
export const piRequestSchema = z.strictObject({
  samples: z.int().min(1).max(50_000_000),
  seed: z.int().min(0).max(2_147_483_647).optional(),
});

/** Answer of `POST /api/compute/pi`. */
export const piResponseSchema = z.object({
  samples: z.int(),
  estimate: z.number(),
  elapsed_ms: z.number(),
});
