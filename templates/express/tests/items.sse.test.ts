import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildTestApp, type TestApp } from "./helpers.js";

let test: TestApp;
let server: Server;
let base: string;

beforeAll(async () => {
  test = buildTestApp();
  server = createServer(test.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

// Everything a test creates is deleted again, so the suite can rerun against the same database.
const created: string[] = [];

afterAll(async () => {
  for (const id of created) await fetch(`${base}/api/items/${id}`, { method: "DELETE" });
  await test.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

interface Frame {
  id: string;
  event: string;
  data: { id: number; type: string; item: { id: string; name?: string } };
}

/** A real HTTP client on the event stream: parses frames as they arrive. */
async function subscribe(lastEventId?: string) {
  const controller = new AbortController();
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (lastEventId !== undefined) headers["Last-Event-ID"] = lastEventId;
  const res = await fetch(`${base}/api/items/events`, { headers, signal: controller.signal });
  const frames: Frame[] = [];
  let comments = 0;
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const reading = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(":")) {
            comments += 1;
            continue;
          }
          const fields = Object.fromEntries(
            block.split("\n").map((line) => {
              const colon = line.indexOf(": ");
              return [line.slice(0, colon), line.slice(colon + 2)];
            }),
          );
          frames.push({
            id: fields.id ?? "",
            event: fields.event ?? "",
            data: JSON.parse(fields.data ?? "null") as Frame["data"],
          });
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  const until = async (count: number) => {
    for (let i = 0; i < 300 && frames.length < count; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return frames;
  };
  const close = async () => {
    controller.abort();
    await reading;
  };
  return { res, frames, until, close, comments: () => comments };
}

async function createItem(name: string) {
  const res = await fetch(`${base}/api/items`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(201);
  const item = (await res.json()) as { id: string; name: string };
  created.push(item.id);
  return item;
}

describe("GET /api/items/events", () => {
  it("streams item events and resumes after Last-Event-ID without gap or duplicate", async () => {
    const stream = await subscribe();
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.res.headers.get("cache-control")).toBe("no-cache");
    expect(stream.res.headers.get("x-accel-buffering")).toBe("no");

    const first = await createItem("first");
    const second = await createItem("second");
    const frames = await stream.until(2);
    expect(frames.map((f) => [f.event, f.data.item.name])).toEqual([
      ["item.created", "first"],
      ["item.created", "second"],
    ]);
    expect(frames[0]?.id).toBe(String(frames[0]?.data.id));
    expect(frames[0]?.data).toEqual({ id: frames[0]?.data.id, type: "item.created", item: first });
    await stream.close();

    // Missed while disconnected: a third item. Resuming after the first event replays the
    // second and the third, then goes on live.
    const third = await createItem("third");
    const resumed = await subscribe(frames[0]?.id);
    const replayed = await resumed.until(2);
    expect(replayed.map((f) => f.data.item.id)).toEqual([second.id, third.id]);
    const fourth = await createItem("fourth");
    const all = await resumed.until(3);
    expect(all.map((f) => f.data.item.id)).toEqual([second.id, third.id, fourth.id]);
    expect(all.map((f) => Number(f.id))).toEqual(
      [1, 2, 3].map((n) => (frames[0]?.data.id ?? 0) + n),
    );
    await resumed.close();
  });

  it("sends keepalive comments", async () => {
    const quick = buildTestApp({ SSE_KEEPALIVE_SECONDS: "1" });
    const quickServer = createServer(quick.app);
    await new Promise<void>((resolve) => quickServer.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(quickServer.address() as AddressInfo).port}`;
    const res = await fetch(`${url}/api/items/events`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes(": keepalive")) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain(": keepalive\n\n");
    // Shutdown ends open streams: the client sees the end of the body.
    await quick.close();
    expect((await reader.read()).done).toBe(true);
    await new Promise((resolve) => quickServer.close(resolve));
  });

  it.each(["abc", "-1", "99999999999999999999"])(
    "answers 400 for Last-Event-ID %s",
    async (value) => {
      const res = await fetch(`${base}/api/items/events`, { headers: { "Last-Event-ID": value } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        "bad_last_event_id",
      );
    },
  );
});
