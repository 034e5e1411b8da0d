import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { JOB_BROKER, type JobBroker } from './job-broker';
import { type ContractProblem, JobsContract } from './jobs.contract';
import { JobStore } from './jobs.store';
import { type JobEvent, type JobMessage, type JobState } from './jobs.types';

const REQUEST_FIELDS = new Set(['type', 'data']);

/** The request does not describe a valid job; `problems` says what is wrong, field by field. */
export class InvalidJobError extends Error {
  constructor(readonly problems: ContractProblem[]) {
    super('Request body is invalid');
    this.name = 'InvalidJobError';
  }
}

/** The broker did not take the job (unreachable, or it did not confirm). */
export class BrokerUnavailableError extends Error {
  constructor(options?: ErrorOptions) {
    super('The job queue is unavailable, try again', options);
    this.name = 'BrokerUnavailableError';
  }
}

/**
 * Accepts jobs, publishes them, and turns the worker's events into job state. No HTTP here:
 * JobsController maps the errors above to 422 and 503.
 */
@Injectable()
export class JobsService implements OnModuleInit {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    @Inject(JOB_BROKER) private readonly broker: JobBroker,
    private readonly store: JobStore,
    private readonly contract: JobsContract,
  ) {}

  onModuleInit(): void {
    this.broker.onEvent((raw) => this.receive(raw));
  }

  /**
   * Checks `{ type, data }` against the job contract, publishes the job and returns its
   * state (`queued`).
   * @throws InvalidJobError when the request breaks the contract (nothing is published)
   * @throws BrokerUnavailableError when the broker does not take the job (it is forgotten)
   */
  async submit(body: unknown): Promise<JobState> {
    const request = (typeof body === 'object' && body !== null ? body : {}) as Record<
      string,
      unknown
    >;
    const job = {
      v: 1,
      id: randomUUID(),
      type: request.type,
      data: request.data,
      created_at: new Date().toISOString(),
    };
    const problems = [
      ...Object.keys(request)
        .filter((key) => !REQUEST_FIELDS.has(key))
        .map((key) => ({ path: key, message: 'is not a known field' })),
      ...this.contract.checkJob(job),
    ];
    if (problems.length > 0) {
      throw new InvalidJobError(problems);
    }
    const state = this.store.create(job.id, job.created_at);
    try {
      await this.broker.publish(job as JobMessage);
    } catch (error) {
      this.store.delete(job.id);
      this.logger.error(
        `Could not publish job ${job.id}`,
        error instanceof Error ? error.stack : String(error),
      );
      throw new BrokerUnavailableError({ cause: error });
    }
    return state;
  }

  get(id: string): JobState | undefined {
    return this.store.get(id);
  }

  /** Handles one raw event from the broker; events that break the contract are logged and dropped. */
  receive(raw: string): void {
    let event: unknown;
    try {
      event = JSON.parse(raw);
    } catch {
      this.logger.warn(`Dropped an event that is not JSON: ${raw.slice(0, 200)}`);
      return;
    }
    const problems = this.contract.checkEvent(event);
    if (problems.length > 0) {
      const what = problems.map((problem) => `${problem.path || '(root)'} ${problem.message}`);
      this.logger.warn(`Dropped an event that breaks the contract: ${what.join('; ')}`);
      return;
    }
    const { id, status, attempt } = event as JobEvent;
    if (this.store.apply(event as JobEvent)) {
      this.logger.log(`Job ${id} ${status} (attempt ${attempt})`);
    }
  }
}
