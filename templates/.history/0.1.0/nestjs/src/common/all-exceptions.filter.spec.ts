import { type ArgumentsHost, BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { AllExceptionsFilter } from './all-exceptions.filter';

function fakeHost() {
  const res = {
    headersSent: false,
    locals: { requestId: 'req-1' },
    statusCode: 200,
    body: undefined as unknown,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    json(payload: unknown) {
      this.body = payload;
      return this;
    },
  };
  const req = { method: 'GET', originalUrl: '/api/items/x' };
  const host = {
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ArgumentsHost;
  return { host, res };
}

describe('AllExceptionsFilter', () => {
  const filter = new AllExceptionsFilter();

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('keeps the status and message of HTTP exceptions', () => {
    const { host, res } = fakeHost();
    filter.catch(new NotFoundException('Item x not found'), host);
    expect(res.statusCode).toBe(404);
    expect(res.body).toEqual({
      statusCode: 404,
      message: 'Item x not found',
      error: 'Not Found',
      requestId: 'req-1',
    });
  });

  it('keeps validation messages', () => {
    const { host, res } = fakeHost();
    filter.catch(new BadRequestException(['name should not be empty']), host);
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatchObject({ message: ['name should not be empty'] });
  });

  it('keeps the status of client errors raised by Express middleware', () => {
    const { host, res } = fakeHost();
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
    });
    filter.catch(tooLarge, host);
    expect(res.statusCode).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('hides unexpected errors behind a generic 500', () => {
    const { host, res } = fakeHost();
    filter.catch(new Error('password=hunter2 leaked in a stack'), host);
    expect(res.statusCode).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(res.body).toEqual({
      statusCode: 500,
      message: 'Internal server error',
      error: 'Internal Server Error',
      requestId: 'req-1',
    });
  });
});
