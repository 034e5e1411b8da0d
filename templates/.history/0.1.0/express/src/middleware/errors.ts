import type { ErrorRequestHandler, RequestHandler } from "express";

import { HttpError } from "../lib/http-error.js";

interface ErrorBody {
  error: { code: string; message: string; details?: unknown; stack?: string };
}

/** Answers every request no route matched with a JSON 404. */
export const notFound: RequestHandler = (req, res) => {
  const body: ErrorBody = {
    error: { code: "not_found", message: `No route for ${req.method} ${req.path}` },
  };
  res.status(404).json(body);
};

/** Errors raised by body-parser and friends carry an HTTP status and say whether to show it. */
function isClientError(err: unknown): err is { status: number; message: string; type?: string } {
  if (typeof err !== "object" || err === null) return false;
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  return typeof status === "number" && status >= 400 && status < 500 && expose === true;
}

/**
 * Turns any error into a JSON response. Unexpected errors become a 500 whose body never carries
 * the stack or the message in production; the full error goes to the log with the request id.
 */
export function errorHandler(options: { exposeDetails: boolean }): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let status = 500;
    let body: ErrorBody;
    if (err instanceof HttpError) {
      status = err.status;
      body = { error: { code: err.code, message: err.message } };
      if (err.details !== undefined) body.error.details = err.details;
    } else if (isClientError(err)) {
      status = err.status;
      const code = err.type?.replaceAll(".", "_") ?? "bad_request";
      body = { error: { code, message: err.message } };
    } else {
      req.log.error({ err }, "unhandled error");
      body = { error: { code: "internal_error", message: "Internal server error" } };
      if (options.exposeDetails && err instanceof Error) {
        body.error.message = err.message;
        if (err.stack !== undefined) body.error.stack = err.stack;
      }
    }
    res.status(status).json(body);
  };
}
