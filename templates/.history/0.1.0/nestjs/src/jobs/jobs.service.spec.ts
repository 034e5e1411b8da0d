import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FakeJobBroker } from '../../test/fake-job-broker';
import { Env } from '../config/env';
import { JOB_BROKER } from './job-broker';
import { JobsContract } from './jobs.contract';
import { BrokerUnavailableError, InvalidJobError, JobsService } from './jobs.service';
import { JobStore } from './jobs.store';

const contract = JobsContract.load(process.env.CONTRACTS_DIR ?? new Env().CONTRACTS_DIR);

describe('JobsService', () => {
  let service: JobsService;
  let store: JobStore;
  let broker: FakeJobBroker;

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    broker = new FakeJobBroker();
    const moduleRef = await Test.createTestingModule({
      providers: [
        JobsService,
        JobStore,
        { provide: JobsContract, useValue: contract },
        { provide: JOB_BROKER, useValue: broker },
      ],
    }).compile();
    await moduleRef.init(); // onModuleInit: the service starts listening to the broker
    service = moduleRef.get(JobsService);
    store = moduleRef.get(JobStore);
  });

  afterEach(() => jest.restoreAllMocks());

  it('publishes a valid job and tracks it as queued', async () => {
    const state = await service.submit({ type: 'stats', data: { numbers: [1, 2, 3] } });
    expect(state).toMatchObject({ status: 'queued', attempt: 0 });
    expect(broker.published).toEqual([
      {
        v: 1,
        id: state.id,
        type: 'stats',
        data: { numbers: [1, 2, 3] },
        created_at: state.createdAt,
      },
    ]);
    expect(service.get(state.id)).toEqual(state);
  });

  it.each([
    ['no body', undefined, ''],
    ['an empty list', { type: 'stats', data: { numbers: [] } }, 'data.numbers'],
    ['an unknown type', { type: 'train', data: { numbers: [1] } }, 'type'],
    ['an unknown field', { type: 'stats', data: { numbers: [1] }, priority: 1 }, 'priority'],
  ])('rejects %s, field by field, and publishes nothing', async (_label, body, path) => {
    const failure = service.submit(body);
    await expect(failure).rejects.toBeInstanceOf(InvalidJobError);
    await expect(failure).rejects.toMatchObject({
      problems: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    expect(broker.published).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('forgets a job the broker did not take', async () => {
    broker.failing = true;
    await expect(service.submit({ type: 'stats', data: { numbers: [1] } })).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    expect(store.size).toBe(0);
  });

  it('applies the worker events it receives, up to the result', async () => {
    const { id } = await service.submit({ type: 'stats', data: { numbers: [2, 4] } });
    const at = new Date().toISOString();
    broker.emit({ v: 1, id, status: 'running', attempt: 1, at });
    expect(service.get(id)?.status).toBe('running');
    const result = { count: 2, sum: 6, mean: 3, median: 3, std: 1, min: 2, max: 4 };
    broker.emit({ v: 1, id, status: 'succeeded', attempt: 1, at, result });
    expect(service.get(id)).toMatchObject({ status: 'succeeded', attempt: 1, result });
  });

  it('drops events that are not JSON or break the contract', async () => {
    const { id } = await service.submit({ type: 'stats', data: { numbers: [1] } });
    broker.emit('not json');
    broker.emit({ v: 1, id, status: 'succeeded', attempt: 1, at: 'x' });
    broker.emit({ v: 1, id, status: 'done', attempt: 1, at: new Date().toISOString() });
    expect(service.get(id)?.status).toBe('queued');
  });
});
