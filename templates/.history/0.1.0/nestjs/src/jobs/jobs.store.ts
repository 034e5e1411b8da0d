import { Inject, Injectable, Optional } from '@nestjs/common';
import { FINAL_STATUSES, type JobEvent, type JobState } from './jobs.types';

export type JobListener = (state: JobState) => void;

/** Injection token of the store's capacity (JOBS_MAX_TRACKED); see jobs.module.ts. */
export const JOBS_MAX_TRACKED = Symbol('JOBS_MAX_TRACKED');

/**
 * The latest state of recent jobs, fed by the worker's events, and their subscribers.
 * In memory and bounded: the oldest jobs are forgotten first. Every instance of the app
 * receives every event, so any instance can answer `GET /jobs/:id`.
 */
@Injectable()
export class JobStore {
  private readonly jobs = new Map<string, JobState>();
  private readonly listeners = new Map<string, Set<JobListener>>();

  constructor(@Optional() @Inject(JOBS_MAX_TRACKED) private readonly capacity: number = 10_000) {}

  /** How many jobs are tracked. */
  get size(): number {
    return this.jobs.size;
  }

  get(id: string): JobState | undefined {
    return this.jobs.get(id);
  }

  delete(id: string): void {
    this.jobs.delete(id);
  }

  /** Records a job the app has just accepted. */
  create(id: string, createdAt: string): JobState {
    const state: JobState = { id, status: 'queued', attempt: 0, createdAt, updatedAt: createdAt };
    this.put(state);
    return state;
  }

  /**
   * Applies a worker event. Idempotent by job id: once a job has succeeded or failed, later
   * events (a redelivered job that ran again, a duplicate) change nothing. Returns whether
   * the state changed.
   */
  apply(event: JobEvent): boolean {
    const current = this.jobs.get(event.id);
    if (current !== undefined && FINAL_STATUSES.has(current.status)) {
      return false;
    }
    const next: JobState = {
      id: event.id,
      status: event.status,
      attempt: event.attempt,
      createdAt: current?.createdAt ?? event.at,
      updatedAt: event.at,
    };
    if (event.result !== undefined) {
      next.result = event.result;
    }
    if (event.error !== undefined) {
      next.error = event.error;
    }
    this.put(next);
    for (const listener of this.listeners.get(event.id) ?? []) {
      listener(next);
    }
    return true;
  }

  /** Calls `listener` on every change of the job; returns the function that unsubscribes. */
  subscribe(id: string, listener: JobListener): () => void {
    let set = this.listeners.get(id);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(id);
      }
    };
  }

  private put(state: JobState): void {
    this.jobs.delete(state.id); // re-insert: Map order is the eviction order
    this.jobs.set(state.id, state);
    while (this.jobs.size > this.capacity) {
      const oldest = this.jobs.keys().next().value;
      if (oldest === undefined) {
        break;
      }
      this.jobs.delete(oldest);
    }
  }
}
