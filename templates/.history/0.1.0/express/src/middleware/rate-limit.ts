import type { RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";

import type { Config } from "../config/env.js";

/**
 * Limits requests per client IP. Behind a reverse proxy set TRUST_PROXY to the number of
 * proxies, or every client shares the proxy's IP. Health probes are never limited.
 */
export function rateLimiter(
  config: Pick<Config, "RATE_LIMIT_MAX" | "RATE_LIMIT_WINDOW_MS">,
): RequestHandler {
  if (config.RATE_LIMIT_MAX === 0) {
    return (_req, _res, next) => next();
  }
  return rateLimit({
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    limit: config.RATE_LIMIT_MAX,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    skip: (req) => req.path === "/health" || req.path.startsWith("/health/"),
    handler: (_req, res) => {
      res.status(429).json({
        error: { code: "rate_limited", message: "Too many requests, try again later" },
      });
    },
  });
}
