import { EventEmitter } from 'node:events';
import { type Logger } from '@nestjs/common';
import { type NextFunction, type Request, type Response } from 'express';
import { requestContext } from './request-context.middleware';

function run(incomingId?: string) {
  const log = jest.fn();
  const logger = { log } as unknown as Logger;
  const req = {
    method: 'GET',
    originalUrl: '/api/items?secret=1',
    get: (name: string) => (name.toLowerCase() === 'x-request-id' ? incomingId : undefined),
  } as unknown as Request;
  const locals: Record<string, unknown> = {};
  const headers: Record<string, string> = {};
  const res = Object.assign(new EventEmitter(), {
    locals,
    headers,
    statusCode: 200,
    writableFinished: true,
    setHeader(name: string, value: string) {
      this.headers[name] = value;
    },
  });
  const next: NextFunction = jest.fn();
  requestContext(logger, 'json')(req, res as unknown as Response, next);
  res.emit('close');
  return { res, log, next };
}

describe('requestContext', () => {
  it('echoes a well-formed incoming request id', () => {
    const { res, next } = run('abc-123');
    expect(res.headers['X-Request-Id']).toBe('abc-123');
    expect(next).toHaveBeenCalled();
  });

  it('generates an id when none (or a suspicious one) is sent', () => {
    expect(run().res.headers['X-Request-Id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(run('bad id\nwith newline').res.headers['X-Request-Id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one line per request without the query string', () => {
    const { log } = run('abc-123');
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({
        method: 'GET',
        path: '/api/items',
        status: 200,
        requestId: 'abc-123',
        durationMs: expect.any(Number),
      }),
    );
  });
});
