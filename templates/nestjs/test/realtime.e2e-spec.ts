import { ConfigService } from '@nestjs/config';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type Env } from '../src/config/env';
import { WebSocket } from 'ws';
import { startApp } from './start-app';

// /ws/items with a real WebSocket client (ws) against the app on a real port.

interface ItemEvent {
  id: number;
  type: string;
  item: { id: string; name?: string; createdAt?: string };
}

/** Opens a socket; resolves once open, collecting every message and the close code. */
async function connect(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  const messages: ItemEvent[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as ItemEvent));
  const closed = new Promise<number>((resolve) => socket.once('close', resolve));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const until = async (count: number) => {
    for (let i = 0; i < 300 && messages.length < count; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return messages;
  };
  return { socket, messages, until, closed };
}

describe('WebSocket /ws/items (e2e)', () => {
  let app: NestExpressApplication | undefined;
  let http: string;
  let ws: string;

  beforeEach(async () => {
    ({ app, http, ws } = await startApp());
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function post(body: object) {
    const res = await fetch(`${http}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; name: string; createdAt: string };
  }

  it('broadcasts the item created over HTTP to every connected client', async () => {
    const first = await connect(`${ws}/ws/items`);
    const second = await connect(`${ws}/ws/items`);
    const item = await post({ name: 'over the socket' });
    const [event] = await first.until(1);
    expect(event).toEqual({ id: expect.any(Number), type: 'item.created', item });
    expect(event?.item.createdAt).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/,
    );
    expect(await second.until(1)).toEqual([event]);

    const patched = await fetch(`${http}/api/items/${item.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'renamed' }),
    });
    expect(patched.status).toBe(200);
    const res = await fetch(`${http}/api/items/${item.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    const events = await first.until(3);
    const next = (event?.id ?? 0) + 1;
    expect(events.slice(1)).toEqual([
      { id: next, type: 'item.updated', item: { ...item, name: 'renamed' } },
      { id: next + 1, type: 'item.deleted', item: { id: item.id } },
    ]);
    first.socket.terminate();
    second.socket.terminate();
  });

  it('refuses a browser origin outside CORS_ORIGINS with 1008, and lets an allowed one in', async () => {
    const evil = await connect(`${ws}/ws/items`, { Origin: 'https://evil.example' });
    expect(await evil.closed).toBe(1008);
    const config = app?.get<ConfigService<Env, true>>(ConfigService);
    const origin = config?.get('CORS_ORIGINS', { infer: true })[0] ?? 'http://localhost:3000';
    const allowed = await connect(`${ws}/ws/items`, { Origin: origin });
    const item = await post({ name: 'for the allowed origin' });
    expect((await allowed.until(1))[0]?.item).toEqual(item);
    allowed.socket.terminate();
  });

  it('closes every socket with 1001 when the app shuts down', async () => {
    const client = await connect(`${ws}/ws/items`);
    await app?.close();
    app = undefined;
    expect(await client.closed).toBe(1001);
  });
});
