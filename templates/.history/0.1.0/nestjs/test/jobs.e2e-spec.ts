import { randomUUID } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import { ConfigService } from '@nestjs/config';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { type App } from 'supertest/types';
import { WebSocket } from 'ws';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { JOB_BROKER } from '../src/jobs/job-broker';
import { FakeJobBroker } from './fake-job-broker';

// The jobs HTTP API and WebSocket of the whole app, with the broker faked
// (test/broker.e2e-spec.ts uses the real one).

interface Message {
  type: string;
  job?: { id: string; status: string; result?: unknown };
  error?: { code: string; message: string; id?: string };
}

async function startApp() {
  const broker = new FakeJobBroker();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(JOB_BROKER)
    .useValue(broker)
    .compile();
  // Quiet: the failures these tests provoke (broker down, oversized frames) are logged as errors.
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApp(app, app.get(ConfigService));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, broker, server: app.getHttpServer() as App, ws: `ws://127.0.0.1:${port}/ws` };
}

/** Opens a socket and collects every message it receives. */
async function connect(url: string) {
  const socket = new WebSocket(url);
  const messages: Message[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as Message));
  const closed = new Promise<number>((resolve) => socket.once('close', resolve));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const until = async (count: number) => {
    for (let i = 0; i < 200 && messages.length < count; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return messages;
  };
  return { socket, messages, until, closed };
}

const at = () => new Date().toISOString();
const result = { count: 2, sum: 4, mean: 2, median: 2, std: 1, min: 1, max: 3 };

describe('jobs (e2e)', () => {
  let app: NestExpressApplication;
  let broker: FakeJobBroker;
  let server: App;
  let wsUrl: string;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    ({ app, broker, server, ws: wsUrl } = await startApp());
  });

  afterEach(() => {
    broker.failing = false;
    for (const socket of sockets.splice(0)) {
      socket.terminate();
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  async function submit(numbers: unknown[] = [1, 3]): Promise<string> {
    const res = await request(server)
      .post('/jobs')
      .send({ type: 'stats', data: { numbers } })
      .expect(202);
    return (res.body as { id: string }).id;
  }

  async function open(url = wsUrl) {
    const client = await connect(url);
    sockets.push(client.socket);
    return client;
  }

  describe('POST /jobs', () => {
    it('publishes a valid job and answers 202 with its id and Location', async () => {
      const before = broker.published.length;
      const res = await request(server)
        .post('/jobs')
        .send({ type: 'stats', data: { numbers: [1, 2, 3] } })
        .expect(202);
      expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued' });
      expect(res.headers.location).toBe(`/jobs/${res.body.id}`);
      expect(broker.published.slice(before)).toEqual([
        {
          v: 1,
          id: res.body.id,
          type: 'stats',
          data: { numbers: [1, 2, 3] },
          created_at: expect.any(String),
        },
      ]);
    });

    it.each([
      ['no body', undefined, ''],
      ['an empty list', { type: 'stats', data: { numbers: [] } }, 'data.numbers'],
      ['a string in the list', { type: 'stats', data: { numbers: [1, '2'] } }, 'data.numbers.1'],
      ['an unknown type', { type: 'train', data: { numbers: [1] } }, 'type'],
      ['an unknown field', { type: 'stats', data: { numbers: [1] }, priority: 1 }, 'priority'],
      [
        'a negative delay',
        { type: 'stats', data: { numbers: [1], delay_ms: -1 } },
        'data.delay_ms',
      ],
    ])('rejects %s with 422 and per-field details', async (_label, body, path) => {
      const before = broker.published.length;
      const res = await request(server).post('/jobs').send(body).expect(422);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ statusCode: 422, code: 'validation_error' });
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      expect(broker.published.length).toBe(before);
    });

    it('answers 503 broker_unavailable when the broker does not take the job', async () => {
      broker.failing = true;
      const res = await request(server)
        .post('/jobs')
        .send({ type: 'stats', data: { numbers: [1] } })
        .expect(503);
      expect(res.body).toMatchObject({ statusCode: 503, code: 'broker_unavailable' });
    });

    it('is not under the /api prefix', async () => {
      await request(server)
        .post('/api/jobs')
        .send({ type: 'stats', data: { numbers: [1] } })
        .expect(404);
    });
  });

  describe('GET /jobs/:id', () => {
    it("follows the worker's events up to the result", async () => {
      const id = await submit([2, 4]);
      const url = `/jobs/${id}`;
      expect((await request(server).get(url).expect(200)).body).toMatchObject({
        id,
        status: 'queued',
        attempt: 0,
      });
      broker.emit({ v: 1, id, status: 'running', attempt: 1, at: at() });
      expect((await request(server).get(url).expect(200)).body).toMatchObject({
        status: 'running',
      });
      broker.emit({ v: 1, id, status: 'succeeded', attempt: 1, at: at(), result });
      const done = await request(server).get(url).expect(200);
      expect(done.body).toMatchObject({ id, status: 'succeeded', attempt: 1, result });
      // A late duplicate changes nothing: succeeded is final.
      broker.emit({ v: 1, id, status: 'running', attempt: 2, at: at() });
      expect((await request(server).get(url).expect(200)).body.status).toBe('succeeded');
    });

    it('ignores events that break the contract', async () => {
      const id = await submit();
      broker.emit('not json');
      broker.emit({ v: 1, id, status: 'succeeded', attempt: 1, at: 'x' });
      expect((await request(server).get(`/jobs/${id}`).expect(200)).body.status).toBe('queued');
    });

    it.each([
      ['an unknown id', randomUUID()],
      ['a malformed id', 'nope'],
    ])('answers 404 JSON for %s', async (_label, id) => {
      const res = await request(server).get(`/jobs/${id}`).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ statusCode: 404, code: 'not_found' });
    });
  });

  describe('GET /health/ready', () => {
    it('includes the broker', async () => {
      const res = await request(server).get('/health/ready').expect(200);
      expect(res.body).toMatchObject({ info: { broker: { status: 'up' } } });
    });

    it('answers 503 when the broker is unreachable', async () => {
      broker.failing = true;
      const res = await request(server).get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ error: { broker: { status: 'down' } } });
    });
  });

  describe('WebSocket /ws', () => {
    it('pushes every status change and the result to a subscriber', async () => {
      const id = await submit();
      const client = await open();
      client.socket.send(JSON.stringify({ action: 'subscribe', id }));
      await client.until(1);
      broker.emit({ v: 1, id, status: 'running', attempt: 1, at: at() });
      broker.emit({ v: 1, id, status: 'succeeded', attempt: 1, at: at(), result });
      const messages = await client.until(3);
      expect(messages.map((m) => m.job?.status)).toEqual(['queued', 'running', 'succeeded']);
      expect(messages[2]).toMatchObject({ type: 'job', job: { id, result } });
    });

    it('subscribes from the query string', async () => {
      const id = await submit();
      const client = await open(`${wsUrl}?job=${id}`);
      expect((await client.until(1))[0]).toEqual({
        type: 'job',
        job: expect.objectContaining({ id, status: 'queued' }),
      });
    });

    it('stops pushing after unsubscribe', async () => {
      const id = await submit();
      const client = await open();
      client.socket.send(JSON.stringify({ action: 'subscribe', id }));
      await client.until(1);
      client.socket.send(JSON.stringify({ action: 'unsubscribe', id }));
      client.socket.send('ping?'); // answered in order: proves the unsubscribe was handled
      await client.until(2);
      broker.emit({ v: 1, id, status: 'running', attempt: 1, at: at() });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(client.messages.map((m) => m.type)).toEqual(['job', 'error']);
    });

    it('answers unknown jobs and bad messages with an error message', async () => {
      const unknown = randomUUID();
      const client = await open();
      client.socket.send(JSON.stringify({ action: 'subscribe', id: unknown }));
      client.socket.send('hello');
      client.socket.send(JSON.stringify({ action: 'subscribe', id: 'nope' }));
      client.socket.send(JSON.stringify({ action: 'subscribe', id: unknown, extra: 1 }));
      client.socket.send(Buffer.from('{}'), { binary: true });
      const messages = await client.until(5);
      expect(messages[0]).toEqual({
        type: 'error',
        error: { code: 'not_found', message: `Job ${unknown} not found`, id: unknown },
      });
      expect(messages.slice(1).map((m) => m.error?.code)).toEqual([
        'bad_message',
        'bad_message',
        'bad_message',
        'bad_message',
      ]);
    });

    it('answers an unknown job in the query string with not_found', async () => {
      const client = await open(`${wsUrl}?job=nope`);
      expect((await client.until(1))[0]).toEqual({
        type: 'error',
        error: { code: 'not_found', message: 'Job nope not found' },
      });
    });

    it('closes connections that send frames over 4 KiB', async () => {
      const client = await open();
      client.socket.send('x'.repeat(5000));
      expect(await client.closed).toBe(1009);
    });

    it('refuses other paths', async () => {
      const socket = new WebSocket(wsUrl.replace('/ws', '/other'));
      await expect(
        new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject)),
      ).rejects.toThrow();
    });
  });
});

describe('jobs (e2e) shutdown', () => {
  it('says goodbye to WebSocket clients and closes promptly', async () => {
    const { app, ws } = await startApp();
    const client = await connect(ws);
    const started = Date.now();
    await app.close();
    expect(await client.closed).toBe(1001);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
