import { performance } from 'node:perf_hooks';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { startApp } from './start-app';

// POST /api/compute/pi on the worker-thread pool, over real HTTP.

describe('compute (e2e)', () => {
  let app: NestExpressApplication | undefined;
  let http: string;

  beforeAll(async () => {
    ({ app, http } = await startApp());
  });

  afterAll(async () => {
    await app?.close();
  });

  async function pi(body: unknown) {
    const res = await fetch(`${http}/api/compute/pi`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('estimates pi, the same for the same seed', async () => {
    const first = await pi({ samples: 100_000, seed: 42 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      samples: 100_000,
      estimate: expect.any(Number),
      elapsed_ms: expect.any(Number),
    });
    expect(Math.abs((first.body.estimate as number) - Math.PI)).toBeLessThan(0.05);
    expect((await pi({ samples: 100_000, seed: 42 })).body.estimate).toBe(first.body.estimate);
  });

  it.each([
    ['no samples', {}],
    ['zero samples', { samples: 0 }],
    ['too many samples', { samples: 50_000_001 }],
    ['a huge number', { samples: 1e30 }],
    ['a fraction', { samples: 1.5 }],
    ['a string', { samples: '1000' }],
    ['a negative seed', { samples: 10, seed: -1 }],
    ['a seed beyond 2^31-1', { samples: 10, seed: 2 ** 31 }],
    ['an unknown field', { samples: 10, threads: 4 }],
    ['malformed JSON', '{"samples": '],
  ])('answers 400 JSON for %s', async (_label, body) => {
    const res = await pi(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400 });
  });

  it('keeps /health under 100 ms while 2 seconds of computing run', async () => {
    // Tasks of up to 50 million samples, one after the other, for at least two seconds.
    const busyFor = 2000;
    let computing = true;
    const load = (async () => {
      const started = performance.now();
      let tasks = 0;
      while (performance.now() - started < busyFor) {
        const res = await pi({ samples: 50_000_000, seed: tasks });
        expect(res.status).toBe(200);
        tasks += 1;
      }
      computing = false;
      return performance.now() - started;
    })();
    const latencies: number[] = [];
    await new Promise((resolve) => setTimeout(resolve, 20));
    while (computing) {
      const started = performance.now();
      const res = await fetch(`${http}/health`);
      latencies.push(performance.now() - started);
      expect(res.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await load).toBeGreaterThanOrEqual(busyFor);
    expect(latencies.length).toBeGreaterThan(10);
    expect(Math.max(...latencies)).toBeLessThan(100);
  });
});
