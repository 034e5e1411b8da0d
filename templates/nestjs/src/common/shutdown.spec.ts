import { Logger } from '@nestjs/common';
import { gracefulShutdown } from './shutdown';

describe('gracefulShutdown', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('closes the app once and exits 0', async () => {
    const close = vi.fn(() => Promise.resolve());
    const exit = vi.fn();
    const stop = gracefulShutdown({ close }, 1000, exit);

    stop('SIGTERM');
    stop('SIGINT');
    await vi.runAllTimersAsync();

    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits 1 when closing takes longer than the timeout', async () => {
    const close = vi.fn(() => new Promise<void>(() => undefined));
    const exit = vi.fn();
    gracefulShutdown({ close }, 1000, exit)('SIGTERM');

    await vi.advanceTimersByTimeAsync(999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('exits 1 when closing fails', async () => {
    const close = vi.fn(() => Promise.reject(new Error('pool would not close')));
    const exit = vi.fn();
    gracefulShutdown({ close }, 1000, exit)('SIGINT');

    await vi.advanceTimersByTimeAsync(0);
    expect(exit).toHaveBeenCalledWith(1);
  });
});
