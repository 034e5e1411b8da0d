import { Router } from "express";

/** A dependency check for readiness: resolves when the dependency is usable, rejects if not. */
export type ReadinessCheck = () => Promise<void>;

/**
 * `GET /health`: liveness, no dependencies, always 200 while the process serves requests.
 * `GET /health/ready`: runs every readiness check; 503 if any of them fails.
 */
export function healthRouter(checks: Record<string, ReadinessCheck>): Router {
  const router = Router();

  router.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });

  router.get("/health/ready", async (req, res) => {
    const results: Record<string, "ok" | "unavailable"> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          results[name] = "ok";
        } catch (err) {
          req.log.warn({ err, check: name }, "readiness check failed");
          results[name] = "unavailable";
        }
      }),
    );
    const ready = Object.values(results).every((result) => result === "ok");
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "unavailable", checks: results });
  });

  return router;
}
