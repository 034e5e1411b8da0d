import { type JobBroker } from '../src/jobs/job-broker';
import { type JobMessage } from '../src/jobs/jobs.types';

/**
 * Stands in for the broker behind JOB_BROKER: records published jobs and lets a test play the
 * worker. `failing = true` makes it behave like an unreachable broker.
 */
export class FakeJobBroker implements JobBroker {
  readonly published: JobMessage[] = [];
  failing = false;
  private readonly handlers: ((raw: string) => void)[] = [];

  publish(job: JobMessage): Promise<void> {
    if (this.failing) {
      return Promise.reject(new Error('broker down'));
    }
    this.published.push(job);
    return Promise.resolve();
  }

  onEvent(handler: (raw: string) => void): void {
    this.handlers.push(handler);
  }

  ping(): Promise<void> {
    return this.failing ? Promise.reject(new Error('broker down')) : Promise.resolve();
  }

  /** Delivers an event as if the worker had published it. */
  emit(event: object | string): void {
    const raw = typeof event === 'string' ? event : JSON.stringify(event);
    for (const handler of this.handlers) {
      handler(raw);
    }
  }
}
