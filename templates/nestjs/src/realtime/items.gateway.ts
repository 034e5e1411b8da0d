import { type IncomingMessage } from 'node:http';
import { type BeforeApplicationShutdown, Inject, Logger } from '@nestjs/common';
import {
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  WebSocketGateway,
} from '@nestjs/websockets';
import { type Server, type WebSocket } from 'ws';
import { type ItemEvent, ItemEventsService } from '../events/item-events.service';

/** Injection token: `{ heartbeatSeconds, allowedOrigins }` (WS_HEARTBEAT_SECONDS, CORS_ORIGINS). */
export const ITEMS_SOCKET_OPTIONS = Symbol('ITEMS_SOCKET_OPTIONS');

export interface ItemsSocketOptions {
  heartbeatSeconds: number;
  allowedOrigins: string[];
}

const CLOSE_GRACE_MS = 1000;

/**
 * WebSocket endpoint `/ws/items` (on the HTTP server's port): every item event (see
 * ItemEventsService) goes to every connected client as one JSON text message,
 * `{"id", "type", "item"}`. The server only pushes; what a client sends is ignored.
 *
 * - Origin allowlist: a browser handshake from an origin outside CORS_ORIGINS is closed at once
 *   with 1008 (policy violation); clients that send no Origin (servers, CLIs) are let in.
 * - Heartbeat: a ping every WS_HEARTBEAT_SECONDS; a client that has not answered the previous
 *   one is dropped.
 * - Shutdown: every socket is closed with 1001 (going away) before the HTTP server stops.
 */
@WebSocketGateway({ path: '/ws/items', maxPayload: 4096 })
export class ItemsGateway
  implements
    OnGatewayInit<Server>,
    OnGatewayConnection<WebSocket>,
    OnGatewayDisconnect<WebSocket>,
    BeforeApplicationShutdown
{
  private readonly logger = new Logger(ItemsGateway.name);
  private readonly clients = new Set<WebSocket>();
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private heartbeat?: NodeJS.Timeout;
  private unsubscribe?: () => void;

  constructor(
    private readonly events: ItemEventsService,
    @Inject(ITEMS_SOCKET_OPTIONS) private readonly options: ItemsSocketOptions,
  ) {}

  afterInit(): void {
    this.unsubscribe = this.events.subscribe((event) => this.broadcast(event));
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) {
        if (this.alive.get(client) === false) {
          client.terminate();
          continue;
        }
        this.alive.set(client, false);
        client.ping();
      }
    }, this.options.heartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  handleConnection(client: WebSocket, request: IncomingMessage): void {
    const origin = request.headers.origin;
    if (origin !== undefined && !this.options.allowedOrigins.includes(origin)) {
      client.close(1008, 'origin not allowed');
      return;
    }
    this.clients.add(client);
    this.alive.set(client, true);
    client.on('pong', () => this.alive.set(client, true));
  }

  handleDisconnect(client: WebSocket): void {
    this.clients.delete(client);
  }

  /** Says goodbye (1001) to every client, waits a moment for them to close, then lets Nest go on. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
    const clients = [...this.clients];
    if (clients.length === 0) {
      return;
    }
    this.logger.log(`Closing ${clients.length} /ws/items connection(s)`);
    await Promise.race([
      Promise.all(
        clients.map(
          (client) =>
            new Promise<void>((resolve) => {
              client.once('close', () => resolve());
              client.close(1001, 'server shutting down');
            }),
        ),
      ),
      new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref()),
    ]);
  }

  private broadcast(event: ItemEvent): void {
    const message = JSON.stringify(event);
    for (const client of this.clients) {
      if (client.readyState === client.OPEN) {
        client.send(message);
      }
    }
  }
}
