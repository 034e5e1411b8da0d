import cors from "cors";
import express, { type Express } from "express";
import helmet from "helmet";

import type { Config } from "./config/env.js";
import type { Logger } from "./lib/logger.js";
import { errorHandler, notFound } from "./middleware/errors.js";
import { rateLimiter } from "./middleware/rate-limit.js";
import { requestLogger } from "./middleware/request-logger.js";
import type { ItemsRepository } from "./modules/items/items.repository.js";
import { itemsRouter } from "./modules/items/items.router.js";
import { ItemsService } from "./modules/items/items.service.js";
import { healthRouter, type ReadinessCheck } from "./routes/health.js";

export interface AppDependencies {
  config: Readonly<Config>;
  logger: Logger;
  itemsRepository: ItemsRepository;
  /** Named checks behind `GET /health/ready`, e.g. `{ database: () => ping(pool) }`. */
  readinessChecks?: Record<string, ReadinessCheck>;
}

/** Builds the Express app without listening, so tests can drive it with supertest. */
export function createApp({
  config,
  logger,
  itemsRepository,
  readinessChecks = {},
}: AppDependencies): Express {
  const app = express();

  app.disable("x-powered-by");
  // Behind N reverse proxies, trust exactly N hops of X-Forwarded-For (never `true`, which
  // would let any client pick the IP that the rate limiter sees).
  app.set("trust proxy", config.TRUST_PROXY > 0 ? config.TRUST_PROXY : false);

  app.use(helmet());
  // Request id + access log come before everything that can answer early (CORS, body parsing,
  // rate limiting), so that every response carries X-Request-Id and gets its log line.
  app.use(requestLogger(logger));
  app.use(
    cors({
      origin: config.CORS_ORIGINS.includes("*") ? "*" : config.CORS_ORIGINS,
      exposedHeaders: ["X-Request-Id"],
    }),
  );
  app.use(express.json({ limit: config.BODY_LIMIT }));
  app.use(rateLimiter(config));

  app.use(healthRouter(readinessChecks));
  app.use("/api/items", itemsRouter(new ItemsService(itemsRepository)));

  app.use(notFound);
  app.use(errorHandler({ exposeDetails: config.NODE_ENV === "development" }));

  return app;
}
