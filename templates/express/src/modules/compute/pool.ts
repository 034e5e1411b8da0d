import { Worker } from "node:worker_threads";

interface Pending<T> {
  task: unknown;
  resolve: (value: T) => void;
  reject: (reason: Error) => void;
}

/**
 * A fixed set of worker threads running one script; tasks wait in a queue for a free worker.
 * A worker that crashes fails its task and is replaced. `close()` stops them all.
 */
export class WorkerPool<T> {
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Pending<T>>();
  readonly #queue: Pending<T>[] = [];
  #closed = false;

  constructor(
    private readonly script: URL,
    readonly size: number,
  ) {
    for (let i = 0; i < size; i += 1) this.#idle.push(this.#spawn());
  }

  /** Tasks waiting for a free worker. */
  get queued(): number {
    return this.#queue.length;
  }

  run(task: unknown): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("the worker pool is closed"));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#next();
    });
  }

  /** Fails the waiting tasks and terminates every worker. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.reject(new Error("shutting down"));
    const workers = [...this.#idle.splice(0), ...this.#busy.keys()];
    for (const pending of this.#busy.values()) pending.reject(new Error("shutting down"));
    this.#busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  #spawn(): Worker {
    const worker = new Worker(this.script);
    worker.on("message", (result: T) => {
      const pending = this.#busy.get(worker);
      this.#busy.delete(worker);
      this.#idle.push(worker);
      pending?.resolve(result);
      this.#next();
    });
    worker.on("error", (err: Error) => {
      const pending = this.#busy.get(worker);
      this.#busy.delete(worker);
      pending?.reject(err);
      if (!this.#closed) {
        this.#idle.push(this.#spawn());
        this.#next();
      }
    });
    return worker;
  }

  #next(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.pop() as Worker;
      const pending = this.#queue.shift() as Pending<T>;
      this.#busy.set(worker, pending);
      worker.postMessage(pending.task);
    }
  }
}
