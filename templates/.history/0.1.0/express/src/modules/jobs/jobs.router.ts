import { Router } from "express";
import { z } from "zod";

import { NotFoundError } from "../../lib/http-error.js";
import type { JobsService } from "./jobs.service.js";

const jobId = z.uuid();

/** HTTP layer for `/jobs`: `POST /jobs` → 202 `{ id, status }`, `GET /jobs/:id` → state or 404. */
export function jobsRouter(service: JobsService): Router {
  const router = Router();

  router.post("/", async (req, res) => {
    const state = await service.submit(req.body);
    res
      .status(202)
      .location(`${req.baseUrl}/${state.id}`)
      .json({ id: state.id, status: state.status });
  });

  router.get("/:id", (req, res) => {
    const id = jobId.safeParse(req.params.id);
    const state = id.success ? service.get(id.data) : undefined;
    if (state === undefined) throw new NotFoundError(`Job ${req.params.id} not found`);
    res.json(state);
  });

  return router;
}
