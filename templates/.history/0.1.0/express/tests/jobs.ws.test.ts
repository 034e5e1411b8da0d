import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";

import { createLogger } from "../src/lib/logger.js";
import { attachJobsWebSocket } from "../src/modules/jobs/jobs.ws.js";
import { buildTestApp } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function start() {
  const test = buildTestApp();
  const server: Server = createServer(test.app);
  const ws = attachJobsWebSocket(
    server,
    test.jobs.store,
    createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    await ws.close();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { ...test, server, url: `ws://127.0.0.1:${port}/ws` };
}

interface Message {
  type: string;
  job?: { status: string };
  error?: { code: string };
}

/** Opens a socket and collects every message it receives. */
async function connect(url: string) {
  const socket = new WebSocket(url);
  const messages: Message[] = [];
  socket.on("message", (data) =>
    messages.push(JSON.parse((data as Buffer).toString("utf8")) as Message),
  );
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  cleanups.push(async () => {
    socket.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
  });
  const until = async (count: number) => {
    for (let i = 0; i < 200 && messages.length < count; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return messages;
  };
  return { socket, messages, until };
}

describe("WebSocket /ws", () => {
  it("pushes every status change and the result to a subscriber", async () => {
    const { server, broker, url } = await start();
    const { body } = await request(server)
      .post("/jobs")
      .send({ type: "stats", data: { numbers: [1, 3] } })
      .expect(202);
    const client = await connect(url);
    client.socket.send(JSON.stringify({ action: "subscribe", id: body.id }));
    await client.until(1);
    const at = new Date().toISOString();
    broker.emit({ v: 1, id: body.id, status: "running", attempt: 1, at });
    const result = { count: 2, sum: 4, mean: 2, median: 2, std: 1, min: 1, max: 3 };
    broker.emit({ v: 1, id: body.id, status: "succeeded", attempt: 1, at, result });
    const messages = await client.until(3);
    expect(messages.map((m) => m.job?.status)).toEqual(["queued", "running", "succeeded"]);
    expect(messages[2]).toMatchObject({ type: "job", job: { id: body.id, result } });
  });

  it("subscribes from the query string", async () => {
    const { server, url } = await start();
    const { body } = await request(server)
      .post("/jobs")
      .send({ type: "stats", data: { numbers: [1] } })
      .expect(202);
    const client = await connect(`${url}?job=${body.id}`);
    expect((await client.until(1))[0]).toMatchObject({ type: "job", job: { status: "queued" } });
  });

  it("answers unknown jobs and bad messages with an error message", async () => {
    const { url } = await start();
    const client = await connect(url);
    client.socket.send(
      JSON.stringify({ action: "subscribe", id: "0b6f6c55-3c4e-4d0a-9a51-3f6a4f2b8e11" }),
    );
    client.socket.send("hello");
    const messages = await client.until(2);
    expect(messages.map((m) => m.error?.code)).toEqual(["not_found", "bad_message"]);
  });
});
