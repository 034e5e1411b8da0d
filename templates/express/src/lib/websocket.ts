import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";

import type { WebSocketServer } from "ws";

/**
 * Several WebSocket endpoints on the one HTTP server: each upgrade request goes to the
 * `WebSocketServer` (created with `noServer: true`) registered for its path; any other path is
 * answered 404 and closed.
 */
export function routeUpgrades(server: Server, routes: Record<string, WebSocketServer>): void {
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const wss = routes[path];
    if (wss === undefined) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
}

/**
 * Pings every client each `intervalMs` and drops the ones that did not answer the previous
 * ping (a vanished laptop keeps no socket open forever). Returns the function that stops it.
 */
export function startHeartbeat(wss: WebSocketServer, intervalMs: number): () => void {
  const alive = new WeakSet<object>();
  wss.on("connection", (socket) => {
    alive.add(socket);
    socket.on("pong", () => alive.add(socket));
  });
  const timer = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Closes every client with 1001 (going away) and the server; clients that do not answer the
 * close handshake within a second are cut off.
 */
export function closeWebSocketServer(wss: WebSocketServer): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const socket of wss.clients) socket.close(1001, "server shutting down");
    const force = setTimeout(() => {
      for (const socket of wss.clients) socket.terminate();
    }, 1000);
    force.unref();
    wss.close(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
