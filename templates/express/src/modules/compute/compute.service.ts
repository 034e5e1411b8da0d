import { randomInt } from "node:crypto";

import { HttpError } from "../../lib/http-error.js";
import type { PiResult, PiTask } from "./pi.worker.js";
import { WorkerPool } from "./pool.js";

// The compiled pi.worker.js next to this file; under the tests (TypeScript sources) the .ts one.
const PI_WORKER = new URL(
  import.meta.url.endsWith(".ts") ? "./pi.worker.ts" : "./pi.worker.js",
  import.meta.url,
);

export interface PiEstimate {
  samples: number;
  estimate: number;
  elapsed_ms: number;
}

/** CPU-heavy work, run on a pool of worker threads so the event loop stays free for requests. */
export class ComputeService {
  readonly #pool: WorkerPool<PiResult>;
  #closing = false;

  constructor(workers: number) {
    this.#pool = new WorkerPool<PiResult>(PI_WORKER, workers);
  }

  /** Monte Carlo estimate of pi from `samples` random points (`seed` makes it repeatable). */
  async estimatePi(samples: number, seed: number = randomInt(2 ** 31)): Promise<PiEstimate> {
    const started = performance.now();
    const task: PiTask = { samples, seed };
    if (this.#closing) {
      throw new HttpError(503, "shutting_down", "The server is shutting down, try again");
    }
    const { inside } = await this.#pool.run(task).catch((err: unknown) => {
      if (this.#closing) {
        throw new HttpError(503, "shutting_down", "The server is shutting down, try again");
      }
      throw err;
    });
    return { samples, estimate: (4 * inside) / samples, elapsed_ms: performance.now() - started };
  }

  /** Terminates the workers; tasks still running or waiting are answered 503. */
  close(): Promise<void> {
    this.#closing = true;
    return this.#pool.close();
  }
}
