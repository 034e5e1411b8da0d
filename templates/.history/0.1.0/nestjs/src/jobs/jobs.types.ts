/** The job message (contracts/job.v1.schema.json) the gateway publishes. */
export interface JobMessage {
  v: 1;
  id: string;
  type: 'stats';
  data: { numbers: number[]; delay_ms?: number };
  created_at: string;
}

export type JobStatus = 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed';

/** A status event (contracts/event.v1.schema.json) the worker publishes. */
export interface JobEvent {
  v: 1;
  id: string;
  status: Exclude<JobStatus, 'queued'>;
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

export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed']);
