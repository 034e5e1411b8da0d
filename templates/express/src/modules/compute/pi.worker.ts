/**
 * Runs in a worker thread (src/modules/compute/pool.ts starts it): CPU-heavy work lives here,
 * off the event loop that serves HTTP. It imports no project file and uses only erasable type
 * syntax, so the tests can run this TypeScript file directly (Node strips the types).
 */
import { parentPort } from "node:worker_threads";

export interface PiTask {
  samples: number;
  seed: number;
}

export interface PiResult {
  inside: number;
}

/** mulberry32: a small, fast, seedable generator; same seed, same estimate. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Monte Carlo: the share of random points of the unit square inside the quarter circle. */
export function countInside({ samples, seed }: PiTask): number {
  const random = generator(seed);
  let inside = 0;
  for (let i = 0; i < samples; i += 1) {
    const x = random();
    const y = random();
    if (x * x + y * y <= 1) inside += 1;
  }
  return inside;
}

parentPort?.on("message", (task: PiTask) => {
  const result: PiResult = { inside: countInside(task) };
  parentPort?.postMessage(result);
});
