import { type JobMessage } from './jobs.types';

/**
 * The only thing the rest of the app knows about the message broker. JobsModule binds
 * JOB_BROKER to the one implementation this project was generated with (`*.broker.ts`, the
 * only file that imports the broker's client library); tests override it with a fake.
 */
export interface JobBroker {
  /** Publishes a job durably; rejects if the broker is unreachable or does not confirm. */
  publish(job: JobMessage): Promise<void>;
  /** Registers a handler for every raw status event the broker delivers. */
  onEvent(handler: (raw: string) => void): void;
  /** Resolves when the broker is reachable (the readiness check). */
  ping(): Promise<void>;
}

/** Injection token of the JobBroker: `constructor(@Inject(JOB_BROKER) broker: JobBroker)`. */
export const JOB_BROKER = Symbol('JOB_BROKER');
