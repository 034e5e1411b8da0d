import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";

import { createLogger } from "../src/lib/logger.js";
import { routeUpgrades } from "../src/lib/websocket.js";
import { createItemsWebSocket } from "../src/modules/events/items.ws.js";
import { buildTestApp } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The app on a real port with /ws/items attached the way src/server.ts does it. */
async function start(heartbeatMs = 30_000) {
  const test = buildTestApp();
  const server: Server = createServer(test.app);
  const ws = createItemsWebSocket(test.itemEvents, {
    allowedOrigins: test.config.CORS_ORIGINS,
    heartbeatMs,
    logger: createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }),
  });
  routeUpgrades(server, { "/ws/items": ws.wss });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await ws.close();
    await new Promise((resolve) => server.close(resolve));
    await test.close();
  };
  cleanups.push(close);
  const { port } = server.address() as AddressInfo;
  return { server, wss: ws.wss, url: `ws://127.0.0.1:${port}/ws/items`, close };
}

/** Opens a WebSocket and collects its messages and its close code. */
async function connect(url: string, origin?: string) {
  const socket = new WebSocket(url, origin === undefined ? {} : { origin });
  const messages: unknown[] = [];
  const closed = new Promise<number>((resolve) => socket.once("close", resolve));
  socket.on("message", (data) => messages.push(JSON.parse((data as Buffer).toString("utf8"))));
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  cleanups.push(async () => {
    socket.terminate();
    await closed;
  });
  const until = async (count: number) => {
    for (let i = 0; i < 300 && messages.length < count; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return messages;
  };
  return { socket, messages, until, closed };
}

describe("WebSocket /ws/items", () => {
  it("broadcasts an item created over HTTP to every connected client", async () => {
    const { server, url } = await start();
    const first = await connect(url);
    const second = await connect(url, "http://localhost:5173");
    const { body: item } = await request(server)
      .post("/api/items")
      .send({ name: "pushed" })
      .expect(201);
    const expected = { id: expect.any(Number), type: "item.created", item };
    expect(await first.until(1)).toEqual([expected]);
    expect(await second.until(1)).toEqual([expected]);

    const { body: renamed } = await request(server)
      .patch(`/api/items/${item.id}`)
      .send({ name: "renamed" })
      .expect(200);
    await request(server).delete(`/api/items/${item.id}`).expect(204);
    const messages = await first.until(3);
    expect(messages.slice(1)).toEqual([
      { id: expect.any(Number), type: "item.updated", item: renamed },
      { id: expect.any(Number), type: "item.deleted", item: { id: item.id } },
    ]);
  });

  it("refuses a browser from an origin that is not allowed", async () => {
    const { url } = await start();
    const socket = new WebSocket(url, { origin: "https://evil.example" });
    const status = await new Promise<number | undefined>((resolve) => {
      socket.once("unexpected-response", (_req, res) => resolve(res.statusCode));
      socket.once("open", () => resolve(undefined));
      socket.once("error", () => resolve(undefined));
    });
    socket.terminate();
    expect(status).toBe(403);
  });

  it("answers other upgrade paths with 404", async () => {
    const { url } = await start();
    const socket = new WebSocket(url.replace("/ws/items", "/ws/nothing"));
    const status = await new Promise<number | undefined>((resolve) => {
      socket.once("unexpected-response", (_req, res) => resolve(res.statusCode));
      socket.once("error", () => resolve(undefined));
    });
    socket.terminate();
    expect(status).toBe(404);
  });

  it("closes every socket with 1001 on shutdown", async () => {
    const { url, close } = await start();
    const client = await connect(url);
    await close();
    expect(await client.closed).toBe(1001);
  });

  it("drops clients that stop answering pings", async () => {
    const { url, wss } = await start(100);
    const client = await connect(url);
    expect(wss.clients.size).toBe(1);
    // A paused socket reads nothing, so it never answers the server's pings.
    client.socket.pause();
    for (let i = 0; i < 100 && wss.clients.size > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(wss.clients.size).toBe(0);
  });
});
