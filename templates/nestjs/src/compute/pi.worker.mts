// Runs inside a worker thread (see worker-pool.ts): CPU-heavy code goes here, never on the
// main thread. Plain TypeScript with Node built-ins only, so that Node runs this file as it is
// in the tests (type stripping) and compiled from dist/ in production.
import { parentPort } from 'node:worker_threads';

export interface PiTask {
  samples: number;
  seed?: number;
}

export interface PiResult {
  samples: number;
  estimate: number;
}

/** mulberry32: a small, fast, seedable PRNG, so a given seed always gives the same estimate. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Monte Carlo estimate of pi: the share of random points of the unit square inside the circle. */
export function estimatePi({ samples, seed }: PiTask): PiResult {
  const random = seed === undefined ? Math.random : seeded(seed);
  let inside = 0;
  for (let i = 0; i < samples; i += 1) {
    const x = random();
    const y = random();
    if (x * x + y * y <= 1) {
      inside += 1;
    }
  }
  return { samples, estimate: (4 * inside) / samples };
}

parentPort?.on('message', (task: PiTask) => {
  parentPort?.postMessage(estimatePi(task));
});
