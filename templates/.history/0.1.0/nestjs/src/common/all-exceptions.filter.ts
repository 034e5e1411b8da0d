import { STATUS_CODES } from 'node:http';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { type Request, type Response } from 'express';
import { requestIdOf } from './request-context.middleware';

/** http-errors style 4xx raised by Express middleware, with a message meant for clients. */
function isClientError(error: unknown): error is Error & { status: number } {
  if (!(error instanceof Error)) {
    return false;
  }
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true;
}

/**
 * Every error leaves as JSON with the right status and the request id. HttpExceptions keep
 * Nest's usual body ({ statusCode, message, error }); anything else is logged with its stack
 * and answered with a generic 500, so stack traces and internals never reach a client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionsHandler');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const requestId = requestIdOf(res);

    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let body: Record<string, unknown>;
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const response = exception.getResponse();
      body =
        typeof response === 'object'
          ? { statusCode: status, ...(response as Record<string, unknown>) }
          : { statusCode: status, message: response, error: STATUS_CODES[status] };
    } else if (isClientError(exception)) {
      // Errors from Express middleware (body-parser: 413 too large, 415 bad charset, ...).
      status = exception.status;
      body = { statusCode: status, message: exception.message, error: STATUS_CODES[status] };
    } else {
      body = {
        statusCode: status,
        message: 'Internal server error',
        error: STATUS_CODES[status],
      };
    }
    if (status >= 500) {
      const what = `${req.method} ${req.originalUrl} failed with ${status} (id=${requestId})`;
      if (exception instanceof HttpException) {
        this.logger.warn(what);
      } else {
        const stack = exception instanceof Error ? exception.stack : String(exception);
        this.logger.error(what, stack);
      }
    }
    if (res.headersSent) {
      return;
    }
    res.status(status).json({ ...body, requestId });
  }
}
