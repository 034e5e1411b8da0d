import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildTestApp, type TestApp } from "./helpers.js";

let test: TestApp;
let server: Server;
let base: string;

beforeAll(async () => {
  test = buildTestApp({ COMPUTE_WORKERS: "1" });
  server = createServer(test.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await test.close();
  await new Promise((resolve) => server.close(resolve));
});

async function estimate(samples: number, seed?: number) {
  const res = await fetch(`${base}/api/compute/pi`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ samples, seed }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { samples: number; estimate: number; elapsed_ms: number };
}

describe("POST /api/compute/pi", () => {
  it("estimates pi on a worker thread, repeatably with a seed", async () => {
    const first = await estimate(200_000, 42);
    expect(first.samples).toBe(200_000);
    expect(Math.abs(first.estimate - Math.PI)).toBeLessThan(0.02);
    expect(first.elapsed_ms).toBeGreaterThan(0);
    expect((await estimate(200_000, 42)).estimate).toBe(first.estimate);
  });

  it.each([
    ["no samples", {}],
    ["zero samples", { samples: 0 }],
    ["too many samples", { samples: 50_000_001 }],
    ["a fraction", { samples: 1.5 }],
    ["a string", { samples: "1000" }],
    ["a negative seed", { samples: 10, seed: -1 }],
    ["a seed beyond 2^31-1", { samples: 10, seed: 2 ** 31 }],
    ["an unknown field", { samples: 10, precision: 3 }],
  ])("rejects %s with 422", async (_label, body) => {
    const res = await request(server).post("/api/compute/pi").send(body).expect(422);
    expect(res.body.error.code).toBe("validation_error");
  });

  it("keeps /health under 100 ms while about 2 seconds of work runs", async () => {
    // Measure this machine's speed (after a warm-up run), then queue about 2.5 s of work.
    await estimate(2_000_000, 1);
    const probe = await estimate(5_000_000, 2);
    const perSample = probe.elapsed_ms / 5_000_000;
    const total = Math.ceil(2500 / perSample);
    const tasks = Math.ceil(total / 50_000_000);
    const samples = Math.ceil(total / tasks);

    const started = performance.now();
    const work = Promise.all(Array.from({ length: tasks }, (_, i) => estimate(samples, i)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const latencies: number[] = [];
    let busy = true;
    void work.finally(() => (busy = false));
    while (busy && performance.now() - started < 1800) {
      const t0 = performance.now();
      const res = await fetch(`${base}/health`);
      latencies.push(performance.now() - t0);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await work;
    const elapsed = performance.now() - started;

    expect(elapsed).toBeGreaterThan(1500); // the work really took about two seconds
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...latencies)).toBeLessThan(100);
  }, 30_000);
});
