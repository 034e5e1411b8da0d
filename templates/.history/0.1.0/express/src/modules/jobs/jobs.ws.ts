import type { IncomingMessage, Server } from "node:http";

import { WebSocket, WebSocketServer } from "ws";
import { z } from "zod";

import type { Logger } from "../../lib/logger.js";
import type { JobStore } from "./jobs.store.js";
import type { JobState } from "./jobs.types.js";

const clientMessage = z.strictObject({
  action: z.enum(["subscribe", "unsubscribe"]),
  id: z.uuid(),
});

export type ServerMessage =
  | { type: "job"; job: JobState }
  | { type: "error"; error: { code: string; message: string; id?: string } };

/**
 * WebSocket endpoint (default `/ws`). A client sends `{"action":"subscribe","id":"<job id>"}`
 * (or connects to `/ws?job=<id>`) and receives `{"type":"job","job":{...}}` at once and on every
 * status change, the result included; `{"action":"unsubscribe",...}` stops it.
 */
export function attachJobsWebSocket(
  server: Server,
  store: JobStore,
  logger: Logger,
  path = "/ws",
): { close: () => Promise<void> } {
  const wss = new WebSocketServer({ server, path, maxPayload: 4096 });
  const alive = new WeakMap<WebSocket, boolean>();

  function send(socket: WebSocket, message: ServerMessage): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  wss.on("connection", (socket: WebSocket, req: IncomingMessage) => {
    const subscriptions = new Map<string, () => void>();
    alive.set(socket, true);
    socket.on("pong", () => alive.set(socket, true));

    function subscribe(id: string): void {
      const state = store.get(id);
      if (state === undefined) {
        send(socket, {
          type: "error",
          error: { code: "not_found", message: `Job ${id} not found`, id },
        });
        return;
      }
      if (!subscriptions.has(id)) {
        subscriptions.set(
          id,
          store.subscribe(id, (job) => send(socket, { type: "job", job })),
        );
      }
      send(socket, { type: "job", job: state });
    }

    socket.on("message", (data, isBinary) => {
      let parsed: unknown;
      try {
        const chunks = Array.isArray(data)
          ? data
          : [data instanceof ArrayBuffer ? Buffer.from(data) : data];
        parsed = isBinary ? undefined : JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        parsed = undefined;
      }
      const message = clientMessage.safeParse(parsed);
      if (!message.success) {
        const hint = 'send {"action": "subscribe", "id": "<job id>"}';
        send(socket, { type: "error", error: { code: "bad_message", message: hint } });
        return;
      }
      if (message.data.action === "subscribe") subscribe(message.data.id);
      else {
        subscriptions.get(message.data.id)?.();
        subscriptions.delete(message.data.id);
      }
    });

    socket.on("close", () => {
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
    });
    socket.on("error", (err) => logger.warn({ err }, "websocket error"));

    const query = new URL(req.url ?? "/", "http://localhost").searchParams.get("job");
    if (query !== null) {
      if (z.uuid().safeParse(query).success) subscribe(query);
      else
        send(socket, {
          type: "error",
          error: { code: "not_found", message: `Job ${query} not found` },
        });
    }
  });

  // Drop clients that stopped answering pings (a vanished laptop keeps no socket open forever).
  const heartbeat = setInterval(() => {
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, 30_000);
  heartbeat.unref();

  return {
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const socket of wss.clients) socket.close(1001, "server shutting down");
        wss.close(() => resolve());
        // Clients that do not answer the close handshake are cut off.
        setTimeout(() => {
          for (const socket of wss.clients) socket.terminate();
        }, 1000).unref();
      }),
  };
}
