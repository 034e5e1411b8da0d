/** The job message (contracts/job.v1.schema.json) the gateway publishes. */
export interface JobMessage {
  v: 1;
  id: string;
  type: "stats";
  data: { numbers: number[]; delay_ms?: number };
  created_at: string;
}

export type JobStatus = "queued" | "running" | "retrying" | "succeeded" | "failed";

/** A status event (contracts/event.v1.schema.json) the worker publishes. */
export interface JobEvent {
  v: 1;
  id: string;
  status: Exclude<JobStatus, "queued">;
  attempt: number;
  at: string;
  result?: Record<string, number>;
  error?: string;
}

/** What `GET /jobs/:id` answers and WebSocket subscribers receive. */
export interface JobState {
  id: string;
  status: JobStatus;
  attempt: number;
  createdAt: string;
  updatedAt: string;
  result?: Record<string, number>;
  error?: string;
}

/** The only thing the rest of the gateway knows about the broker. */
export interface JobBroker {
  /** Publishes a job durably; rejects if the broker is unreachable. */
  publish(job: JobMessage): Promise<void>;
  /** Registers the handler for every raw status event the broker delivers. */
  onEvent(handler: (raw: string) => void): void;
  /** Resolves when the broker is reachable (readiness check). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(["succeeded", "failed"]);
