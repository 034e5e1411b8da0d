import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { type PiResponseDto } from './pi.dto';
import { type PiResult, type PiTask } from './pi.worker.mjs';
import { WorkerPool } from './worker-pool';

/** Injection token: the number of worker threads (COMPUTE_WORKERS). */
export const COMPUTE_WORKERS = Symbol('COMPUTE_WORKERS');

/** dist/compute/pi.worker.mjs once built; the TypeScript source (run by Node as it is) in tests. */
function workerScript(): string {
  const built = join(__dirname, 'pi.worker.mjs');
  return existsSync(built) ? built : join(__dirname, 'pi.worker.mts');
}

/**
 * CPU-heavy work on a pool of worker threads, so the event loop keeps serving requests.
 * Add a task: write its function in a worker script (like pi.worker.mts), give it a pool here.
 */
@Injectable()
export class ComputeService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(ComputeService.name);
  private pool?: WorkerPool<PiTask, PiResult>;

  constructor(@Inject(COMPUTE_WORKERS) private readonly workers: number) {}

  onModuleInit(): void {
    this.pool = new WorkerPool<PiTask, PiResult>(workerScript(), this.workers);
    this.logger.log(`Worker pool started with ${this.workers} thread(s)`);
  }

  async estimatePi(task: PiTask): Promise<PiResponseDto> {
    if (this.pool === undefined) {
      throw new Error('ComputeService is not initialised');
    }
    const started = performance.now();
    const result = await this.pool.run(task);
    return { ...result, elapsed_ms: performance.now() - started };
  }

  /** Fails what is still queued and stops the threads. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.pool?.close();
  }
}
