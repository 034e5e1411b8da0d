import { type IncomingMessage } from 'node:http';
import { type BeforeApplicationShutdown, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { isUUID } from 'class-validator';
import { type Server, type WebSocket } from 'ws';
import { JobStore } from './jobs.store';
import { BAD_MESSAGE, type ServerMessage } from './jobs.ws-protocol';

const HEARTBEAT_MS = 30_000;
const CLOSE_GRACE_MS = 1000;

/**
 * WebSocket endpoint `/ws` (on the HTTP server's port). A client sends
 * `{"action":"subscribe","id":"<job id>"}` (or connects to `/ws?job=<id>`) and receives
 * `{"type":"job","job":{...}}` at once and on every status change, the result included;
 * `{"action":"unsubscribe",...}` stops it. Problems come back as
 * `{"type":"error","error":{"code","message","id"?}}`.
 *
 * Why @nestjs/websockets with @nestjs/platform-ws and not socket.io or a hand-attached `ws`
 * server: the protocol is plain JSON over a plain WebSocket (browsers, `websockets` in the
 * Python worker's tests, any language), which the ws adapter speaks; and as a gateway the
 * endpoint gets dependency injection and Nest's lifecycle, so app.close() closes it before
 * the HTTP server. The adapter's message parser (parseClientMessage, set in app.setup.ts)
 * maps this protocol's `{action, id}` onto Nest's `{event, data}` routing; what a handler
 * returns is sent to the client as JSON.
 */
@WebSocketGateway({ path: '/ws', maxPayload: 4096 })
export class JobsGateway
  implements
    OnGatewayInit<Server>,
    OnGatewayConnection<WebSocket>,
    OnGatewayDisconnect<WebSocket>,
    BeforeApplicationShutdown
{
  private readonly logger = new Logger(JobsGateway.name);
  /** Per client: job id -> the function that ends that subscription. */
  private readonly subscriptions = new WeakMap<WebSocket, Map<string, () => void>>();
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private server?: Server;
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly store: JobStore) {}

  afterInit(server: Server): void {
    this.server = server;
    // Drop clients that stopped answering pings (a vanished laptop keeps no socket open forever).
    this.heartbeat = setInterval(() => {
      for (const client of server.clients) {
        if (this.alive.get(client) === false) {
          client.terminate();
          continue;
        }
        this.alive.set(client, false);
        client.ping();
      }
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  handleConnection(client: WebSocket, request: IncomingMessage): void {
    this.subscriptions.set(client, new Map());
    this.alive.set(client, true);
    client.on('pong', () => this.alive.set(client, true));
    const job = new URL(request.url ?? '/', 'http://localhost').searchParams.get('job');
    if (job !== null) {
      this.send(
        client,
        isUUID(job) ? this.subscribe(client, job) : this.notFound(job, { withId: false }),
      );
    }
  }

  handleDisconnect(client: WebSocket): void {
    for (const unsubscribe of this.subscriptions.get(client)?.values() ?? []) {
      unsubscribe();
    }
    this.subscriptions.delete(client);
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() client: WebSocket, @MessageBody() id: string): ServerMessage {
    const state = this.store.get(id);
    if (state === undefined) {
      return this.notFound(id, { withId: true });
    }
    const subscriptions = this.subscriptions.get(client);
    if (subscriptions !== undefined && !subscriptions.has(id)) {
      subscriptions.set(
        id,
        this.store.subscribe(id, (job) => this.send(client, { type: 'job', job })),
      );
    }
    return { type: 'job', job: state };
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() client: WebSocket, @MessageBody() id: string): void {
    const subscriptions = this.subscriptions.get(client);
    subscriptions?.get(id)?.();
    subscriptions?.delete(id);
  }

  @SubscribeMessage(BAD_MESSAGE)
  badMessage(): ServerMessage {
    const message = 'send {"action": "subscribe", "id": "<job id>"}';
    return { type: 'error', error: { code: 'bad_message', message } };
  }

  /**
   * Runs before Nest closes the gateways and then the HTTP server: says goodbye (1001) to
   * every client and gives them a moment to close; Nest cuts off whoever is still there.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    const clients = [...(this.server?.clients ?? [])];
    if (clients.length === 0) {
      return;
    }
    this.logger.log(`Closing ${clients.length} WebSocket connection(s)`);
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

  private notFound(id: string, { withId }: { withId: boolean }): ServerMessage {
    const error = { code: 'not_found', message: `Job ${id} not found` };
    return { type: 'error', error: withId ? { ...error, id } : error };
  }

  private send(client: WebSocket, message: ServerMessage): void {
    if (client.readyState === client.OPEN) {
      client.send(JSON.stringify(message));
    }
  }
}
