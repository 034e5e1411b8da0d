import { randomUUID } from 'node:crypto';
import { type Logger } from '@nestjs/common';
import { type NextFunction, type Request, type Response } from 'express';
import { type LogFormat } from '../config/env';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Accept a caller's id only if it is short and made of safe characters. */
const ACCEPTED_ID = /^[\w.:-]{1,128}$/;

export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Runs first for every request (including 404s and body-parser errors): picks the request
 * id (the incoming X-Request-Id, or a new UUID), echoes it on the response and writes one
 * log line when the response is done.
 */
export function requestContext(logger: Logger, format: LogFormat) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get(REQUEST_ID_HEADER);
    const requestId =
      incoming !== undefined && ACCEPTED_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);

    const started = process.hrtime.bigint();
    res.once('close', () => {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      const path = req.originalUrl.split('?', 1)[0];
      const entry = {
        message: 'request',
        method: req.method,
        path,
        status: res.statusCode,
        durationMs,
        requestId,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (format === 'json') {
        logger.log(entry);
      } else {
        logger.log(
          `${req.method} ${path} ${res.statusCode} ${durationMs}ms id=${requestId}${res.writableFinished ? '' : ' (aborted)'}`,
        );
      }
    });
    next();
  };
}
