/**
 * Entry point (`node dist/index.js`). The signal handlers are installed before the app is
 * loaded: loading takes a moment, and a SIGTERM that arrives meanwhile must still end the
 * process cleanly, with exit status 0. Hence the dynamic import below.
 */
const running: { stop?: (signal: NodeJS.Signals) => void } = {};

function onSignal(signal: NodeJS.Signals): void {
  if (running.stop === undefined) process.exit(0); // nothing has started, nothing to clean up
  running.stop(signal);
}

process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);

const { start } = await import("./server.js");
running.stop = start();
