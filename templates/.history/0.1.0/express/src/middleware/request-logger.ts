import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import { pinoHttp } from "pino-http";

import type { Logger } from "../lib/logger.js";

const REQUEST_ID_HEADER = "x-request-id";
// Accept a caller's id only if it is short and plain, so it cannot forge log lines or headers.
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === "string" && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader("X-Request-Id", id);
  return id;
}

/** The path as the client sent it (Express rewrites req.url inside routers), without query. */
function pathOf(req: IncomingMessage): string {
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "";
  return url.split("?", 1)[0] ?? "";
}

/**
 * Gives every request an id (the caller's `X-Request-Id` or a new UUID), echoes it in the
 * response and writes one log line per finished request: method, path, status, duration and
 * request id. `req.log` in handlers is a child logger that carries the same request id.
 */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: requestId,
    customProps: (req) => ({ requestId: req.id }),
    customAttributeKeys: { responseTime: "durationMs" },
    customLogLevel: (_req, res, err) => {
      if (err !== undefined || res.statusCode >= 500) return "error";
      return res.statusCode >= 400 ? "warn" : "info";
    },
    customSuccessMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode}`,
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage) => ({ method: req.method, path: pathOf(req) }),
      res: (res: ServerResponse) => ({ status: res.statusCode }),
    },
  });
}
