import { randomUUID } from "node:crypto";

import { HttpError } from "../../lib/http-error.js";
import type { Logger } from "../../lib/logger.js";
import type { Contract } from "./jobs.contract.js";
import type { JobStore } from "./jobs.store.js";
import type { JobBroker, JobEvent, JobMessage, JobState } from "./jobs.types.js";

const REQUEST_FIELDS = new Set(["type", "data"]);

/** Accepts jobs, publishes them, and turns the worker's events into job state. No HTTP here. */
export class JobsService {
  constructor(
    private readonly broker: JobBroker,
    readonly store: JobStore,
    private readonly contract: Contract,
    private readonly logger: Logger,
  ) {
    broker.onEvent((raw) => this.receive(raw));
  }

  /**
   * Validates `{ type, data }` against the job contract, publishes the job and returns its
   * state. 422 for an invalid request, 503 when the broker does not take the job.
   */
  async submit(body: unknown): Promise<JobState> {
    const request = (typeof body === "object" && body !== null ? body : {}) as Record<
      string,
      unknown
    >;
    const unknown = Object.keys(request).filter((key) => !REQUEST_FIELDS.has(key));
    const job = {
      v: 1,
      id: randomUUID(),
      type: request.type,
      data: request.data,
      created_at: new Date().toISOString(),
    };
    const problems = [
      ...unknown.map((key) => ({ path: key, message: "is not a known field" })),
      ...this.contract.checkJob(job),
    ];
    if (problems.length > 0) {
      throw new HttpError(422, "validation_error", "Request body is invalid", problems);
    }
    const state = this.store.create(job.id, job.created_at);
    try {
      await this.broker.publish(job as JobMessage);
    } catch (err) {
      this.store.delete(job.id);
      this.logger.error({ err }, "could not publish a job");
      throw new HttpError(503, "broker_unavailable", "The job queue is unavailable, try again");
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
      this.logger.warn({ raw: raw.slice(0, 200) }, "dropped an event that is not JSON");
      return;
    }
    const problems = this.contract.checkEvent(event);
    if (problems.length > 0) {
      this.logger.warn({ problems }, "dropped an event that breaks the contract");
      return;
    }
    const { id, status, attempt } = event as JobEvent;
    if (this.store.apply(event as JobEvent))
      this.logger.info({ jobId: id, status, attempt }, "job event");
  }
}
