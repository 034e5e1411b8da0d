import { Router } from "express";

import { validationError } from "../../lib/validation.js";
import { piRequestSchema } from "./compute.schema.js";
import type { ComputeService } from "./compute.service.js";

/** HTTP layer for `/api/compute`: `POST /api/compute/pi` → 200 estimate, 422 for a bad body. */
export function computeRouter(service: ComputeService): Router {
  const router = Router();

  router.post("/pi", async (req, res) => {
    const input = piRequestSchema.safeParse(req.body ?? {});
    if (!input.success) throw validationError(input.error);
    res.json(await service.estimatePi(input.data.samples, input.data.seed));
  });

  return router;
}
