/**
 * Imported first by main.ts, before Nest and the app modules load, so SIGTERM/SIGINT are
 * handled for the whole life of the process by one pair of listeners:
 * - while the app is still starting, a stop signal ends the process with status 0;
 * - once main.ts has called onStopSignal(), the signal goes to that graceful handler.
 * (Swapping listeners later could lose a signal that arrived in between.)
 */
type StopHandler = (signal: NodeJS.Signals) => void;

let handler: StopHandler | undefined;

function dispatch(signal: NodeJS.Signals): void {
  if (handler) {
    handler(signal);
    return;
  }
  console.log(`${signal} received during start-up, exiting`);
  process.exit(0);
}

process.on('SIGTERM', dispatch);
process.on('SIGINT', dispatch);

export function onStopSignal(stop: StopHandler): void {
  handler = stop;
}
