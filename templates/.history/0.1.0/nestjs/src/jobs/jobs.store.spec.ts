import { JobStore } from './jobs.store';
import { type JobEvent, type JobState } from './jobs.types';

const id = '0b6f6c55-3c4e-4d0a-9a51-3f6a4f2b8e11';
const at = '2026-01-01T12:00:00.000Z';
const result = { count: 1, sum: 1, mean: 1, median: 1, std: 0, min: 1, max: 1 };

function event(status: JobEvent['status'], attempt = 1, extra: Partial<JobEvent> = {}): JobEvent {
  return { v: 1, id, status, attempt, at, ...extra };
}

describe('JobStore', () => {
  it('starts a job as queued', () => {
    const store = new JobStore();
    expect(store.create(id, at)).toEqual({
      id,
      status: 'queued',
      attempt: 0,
      createdAt: at,
      updatedAt: at,
    });
    expect(store.get(id)?.status).toBe('queued');
  });

  it('tells subscribers about every change until they unsubscribe', () => {
    const store = new JobStore();
    store.create(id, at);
    const seen: JobState[] = [];
    const unsubscribe = store.subscribe(id, (state) => seen.push(state));
    store.apply(event('running'));
    store.apply(event('retrying', 1, { error: 'boom' }));
    unsubscribe();
    store.apply(event('running', 2));
    expect(seen.map((state) => state.status)).toEqual(['running', 'retrying']);
  });

  it('is idempotent by job id: a final state is never overwritten', () => {
    const store = new JobStore();
    store.create(id, at);
    expect(store.apply(event('succeeded', 1, { result }))).toBe(true);
    // A redelivered copy of the job runs again and reports again: nothing changes.
    expect(store.apply(event('running', 2))).toBe(false);
    expect(store.apply(event('failed', 2, { error: 'late' }))).toBe(false);
    expect(store.get(id)).toMatchObject({ status: 'succeeded', attempt: 1, result });
  });

  it('tracks jobs another instance accepted', () => {
    const store = new JobStore();
    store.apply(event('running'));
    expect(store.get(id)).toMatchObject({ status: 'running', createdAt: at });
  });

  it('forgets the oldest jobs beyond its capacity', () => {
    const store = new JobStore(2);
    store.create('a', at);
    store.create('b', at);
    store.create('c', at);
    expect([store.get('a'), store.get('b')?.id, store.get('c')?.id]).toEqual([undefined, 'b', 'c']);
    expect(store.size).toBe(2);
  });
});
