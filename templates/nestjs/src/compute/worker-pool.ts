import { Worker } from 'node:worker_threads';

interface Job<T, R> {
  task: T;
  resolve: (result: R) => void;
  reject: (error: Error) => void;
}

/** The pool was closed (the app is shutting down) before the task could run. */
export class PoolClosedError extends Error {
  constructor() {
    super('The worker pool is closed');
    this.name = 'PoolClosedError';
  }
}

/**
 * A fixed number of worker threads running one script; each takes one task at a time and the
 * rest wait in a FIFO queue. A worker that crashes fails its task and is replaced.
 */
export class WorkerPool<T, R> {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job<T, R>>();
  private readonly queue: Job<T, R>[] = [];
  private closed = false;

  constructor(
    private readonly script: URL | string,
    readonly size: number,
  ) {
    for (let i = 0; i < size; i += 1) {
      this.idle.push(this.spawn());
    }
  }

  run(task: T): Promise<R> {
    if (this.closed) {
      return Promise.reject(new PoolClosedError());
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.next();
    });
  }

  /** Fails queued and running tasks and stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      job.reject(new PoolClosedError());
    }
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    for (const job of this.busy.values()) {
      job.reject(new PoolClosedError());
    }
    this.busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private spawn(): Worker {
    const worker = new Worker(this.script);
    worker.on('message', (result: R) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      job?.resolve(result);
      this.release(worker);
    });
    worker.on('error', (error: Error) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      job?.reject(error);
      this.replace(worker);
    });
    worker.on('exit', () => this.replace(worker));
    return worker;
  }

  private replace(worker: Worker): void {
    const index = this.idle.indexOf(worker);
    if (index >= 0) {
      this.idle.splice(index, 1);
    }
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    job?.reject(new Error('A worker thread stopped while running the task'));
    if (!this.closed && this.idle.length + this.busy.size < this.size) {
      this.idle.push(this.spawn());
      this.next();
    }
  }

  private release(worker: Worker): void {
    if (this.closed) {
      return;
    }
    this.idle.push(worker);
    this.next();
  }

  private next(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.shift() as Worker;
      const job = this.queue.shift() as Job<T, R>;
      this.busy.set(worker, job);
      worker.postMessage(job.task);
    }
  }
}
