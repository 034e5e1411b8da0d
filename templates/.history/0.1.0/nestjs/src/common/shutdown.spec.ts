import { Logger } from '@nestjs/common';
import { gracefulShutdown } from './shutdown';

describe('gracefulShutdown', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('closes the app once and exits 0', async () => {
    const close = jest.fn(() => Promise.resolve());
    const exit = jest.fn();
    const stop = gracefulShutdown({ close }, 1000, exit);

    stop('SIGTERM');
    stop('SIGINT');
    await jest.runAllTimersAsync();

    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits 1 when closing takes longer than the timeout', async () => {
    const close = jest.fn(() => new Promise<void>(() => undefined));
    const exit = jest.fn();
    gracefulShutdown({ close }, 1000, exit)('SIGTERM');

    await jest.advanceTimersByTimeAsync(999);
    expect(exit).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('exits 1 when closing fails', async () => {
    const close = jest.fn(() => Promise.reject(new Error('pool would not close')));
    const exit = jest.fn();
    gracefulShutdown({ close }, 1000, exit)('SIGINT');

    await jest.advanceTimersByTimeAsync(0);
    expect(exit).toHaveBeenCalledWith(1);
  });
});
