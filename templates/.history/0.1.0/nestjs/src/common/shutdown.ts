import { Logger } from '@nestjs/common';

interface Closable {
  close(): Promise<void>;
}

/**
 * Builds the stop handler for SIGTERM/SIGINT: stop accepting connections, run Nest's shutdown
 * hooks (onModuleDestroy, beforeApplicationShutdown, onApplicationShutdown), then exit 0;
 * exit 1 if that fails or takes longer than `timeoutMs`. Later signals are ignored.
 *
 * Why not app.enableShutdownHooks(): after its cleanup Nest re-sends the signal to the
 * process, which then dies *by* the signal (status 143, so `make run` reports an error)
 * instead of exiting 0. app.close() runs the same hooks.
 */
export function gracefulShutdown(
  app: Closable,
  timeoutMs: number,
  exit: (code: number) => void = (code) => process.exit(code),
): (signal: NodeJS.Signals) => void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  return (signal) => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.log(`${signal} received, shutting down`);
    setTimeout(() => {
      logger.error(`Shutdown took longer than ${timeoutMs} ms, exiting anyway`);
      exit(1);
    }, timeoutMs).unref();
    app.close().then(
      () => {
        logger.log('Shutdown complete');
        exit(0);
      },
      (error: unknown) => {
        logger.error('Shutdown failed', error instanceof Error ? error.stack : String(error));
        exit(1);
      },
    );
  };
}
