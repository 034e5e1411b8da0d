import type { IncomingMessage } from "node:http";

import { WebSocket, WebSocketServer } from "ws";

import type { Logger } from "../../lib/logger.js";
import { closeWebSocketServer, startHeartbeat } from "../../lib/websocket.js";
import type { ItemEventBus } from "./item-events.js";

export interface ItemsWebSocketOptions {
  /** Browser origins allowed to connect (CORS_ORIGINS); `*` allows any. */
  allowedOrigins: readonly string[];
  /** Ping interval; clients that miss a pong until the next one are dropped. */
  heartbeatMs: number;
  logger: Logger;
}

/**
 * `GET /ws/items` (mounted by src/server.ts): every connected client receives each item event
 * as one JSON text message, `{"id": 1, "type": "item.created", "item": {...}}`. What clients
 * send is ignored. A handshake whose `Origin` is not allowed is refused with 403; clients
 * without an `Origin` header (servers, scripts) are not browsers and may connect.
 */
export function createItemsWebSocket(
  bus: ItemEventBus,
  { allowedOrigins, heartbeatMs, logger }: ItemsWebSocketOptions,
): { wss: WebSocketServer; close: () => Promise<void> } {
  const anyOrigin = allowedOrigins.includes("*");
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1024,
    verifyClient: ({ origin }: { origin?: string }, done: (ok: boolean, code?: number) => void) => {
      const ok = !origin || anyOrigin || allowedOrigins.includes(origin);
      if (!ok) logger.warn({ origin }, "refused a WebSocket from a foreign origin");
      done(ok, 403);
    },
  });
  const stopHeartbeat = startHeartbeat(wss, heartbeatMs);

  const unsubscribe = bus.subscribe((event) => {
    const message = JSON.stringify(event);
    for (const socket of wss.clients) {
      if (socket.readyState === WebSocket.OPEN) socket.send(message);
    }
  });

  wss.on("connection", (socket: WebSocket, req: IncomingMessage) => {
    logger.debug({ remote: req.socket.remoteAddress }, "item events client connected");
    socket.on("error", (err) => logger.warn({ err }, "websocket error"));
  });

  return {
    wss,
    close: () => {
      unsubscribe();
      stopHeartbeat();
      return closeWebSocketServer(wss);
    },
  };
}
