import { randomUUID } from "node:crypto";

import request from "supertest";
import { describe, expect, it } from "vitest";

import { buildTestApp } from "./helpers.js";

// The HTTP side of jobs with the broker faked (tests/broker.test.ts uses the real one).
describe("POST /jobs", () => {
  it("publishes a valid job and answers 202 with its id", async () => {
    const { app, broker } = buildTestApp();
    const res = await request(app)
      .post("/jobs")
      .send({ type: "stats", data: { numbers: [1, 2, 3] } })
      .expect(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: "queued" });
    expect(res.headers.location).toBe(`/jobs/${res.body.id}`);
    expect(broker.published).toEqual([
      {
        v: 1,
        id: res.body.id,
        type: "stats",
        data: { numbers: [1, 2, 3] },
        created_at: expect.any(String),
      },
    ]);
  });

  it.each([
    ["no body", undefined, ""],
    ["an empty list", { type: "stats", data: { numbers: [] } }, "data.numbers"],
    ["a string in the list", { type: "stats", data: { numbers: [1, "2"] } }, "data.numbers.1"],
    ["an unknown type", { type: "train", data: { numbers: [1] } }, "type"],
    ["an unknown field", { type: "stats", data: { numbers: [1] }, priority: 1 }, "priority"],
    ["a negative delay", { type: "stats", data: { numbers: [1], delay_ms: -1 } }, "data.delay_ms"],
  ])("rejects %s with 422 and publishes nothing", async (_label, body, path) => {
    const { app, broker } = buildTestApp();
    const res = await request(app).post("/jobs").send(body).expect(422);
    expect(res.body.error.code).toBe("validation_error");
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path })]),
    );
    expect(broker.published).toEqual([]);
  });

  it("answers 503 when the broker does not take the job, and forgets it", async () => {
    const { app, broker, jobs } = buildTestApp();
    broker.failing = true;
    const res = await request(app)
      .post("/jobs")
      .send({ type: "stats", data: { numbers: [1] } })
      .expect(503);
    expect(res.body.error.code).toBe("broker_unavailable");
    expect(jobs.store.size).toBe(0);
  });
});

describe("GET /jobs/:id", () => {
  it("follows the worker's events up to the result", async () => {
    const { app, broker } = buildTestApp();
    const { body } = await request(app)
      .post("/jobs")
      .send({ type: "stats", data: { numbers: [2, 4] } })
      .expect(202);
    const url = `/jobs/${body.id}`;
    expect((await request(app).get(url).expect(200)).body).toMatchObject({ status: "queued" });

    const at = new Date().toISOString();
    broker.emit({ v: 1, id: body.id, status: "running", attempt: 1, at });
    expect((await request(app).get(url).expect(200)).body).toMatchObject({ status: "running" });

    const result = { count: 2, sum: 6, mean: 3, median: 3, std: 1, min: 2, max: 4 };
    broker.emit({ v: 1, id: body.id, status: "succeeded", attempt: 1, at, result });
    const done = await request(app).get(url).expect(200);
    expect(done.body).toMatchObject({ id: body.id, status: "succeeded", attempt: 1, result });
  });

  it("ignores events that break the contract", async () => {
    const { app, broker } = buildTestApp();
    const { body } = await request(app)
      .post("/jobs")
      .send({ type: "stats", data: { numbers: [1] } })
      .expect(202);
    broker.emit("not json");
    broker.emit({ v: 1, id: body.id, status: "succeeded", attempt: 1, at: "x" });
    const res = await request(app).get(`/jobs/${body.id}`).expect(200);
    expect(res.body.status).toBe("queued");
  });

  it.each([
    ["an unknown id", randomUUID()],
    ["a malformed id", "nope"],
  ])("answers 404 JSON for %s", async (_label, id) => {
    const { app } = buildTestApp();
    const res = await request(app).get(`/jobs/${id}`).expect(404);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe("not_found");
  });
});

describe("GET /health/ready with jobs", () => {
  it("answers 503 when the broker is unreachable", async () => {
    const { app, broker } = buildTestApp();
    broker.failing = true;
    const res = await request(app).get("/health/ready").expect(503);
    expect(res.body.checks.broker).toBe("unavailable");
  });
});
