import { type NestExpressApplication } from '@nestjs/platform-express';
import { startApp } from './start-app';

// GET /api/items/events with a real HTTP client (fetch, reading the body as it streams).

interface SseEvent {
  id: string;
  event: string;
  data: { id: number; type: string; item: { id: string; name?: string } };
}

/** Opens the stream and parses frames as they arrive. */
async function subscribe(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const done = (async () => {
    if (res.body === null) {
      return;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const fields = new Map<string, string>();
          for (const line of buffer.slice(0, end).split('\n')) {
            const colon = line.indexOf(':');
            if (colon > 0) {
              fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
            }
          }
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const data = fields.get('data');
          if (data !== undefined) {
            events.push({
              id: fields.get('id') ?? '',
              event: fields.get('event') ?? '',
              data: JSON.parse(data) as SseEvent['data'],
            });
          }
        }
      }
    } catch {
      // aborted by the test, or the server ended the stream
    }
  })();
  const until = async (count: number) => {
    for (let i = 0; i < 300 && events.length < count; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return events;
  };
  return { res, events, until, done, close: () => controller.abort() };
}

describe('SSE /api/items/events (e2e)', () => {
  let app: NestExpressApplication | undefined;
  let http: string;

  beforeEach(async () => {
    ({ app, http } = await startApp());
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function post(name: string) {
    const res = await fetch(`${http}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; name: string };
  }

  it('streams events with the right headers, then resumes after Last-Event-ID', async () => {
    const stream = await subscribe(`${http}/api/items/events`);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.res.headers.get('cache-control')).toBe('no-cache');
    expect(stream.res.headers.get('x-accel-buffering')).toBe('no');

    const one = await post('first');
    const two = await post('second');
    const [first, second] = await stream.until(2);
    expect(first).toEqual({
      id: String(first?.data.id),
      event: 'item.created',
      data: { id: first?.data.id, type: 'item.created', item: one },
    });
    expect(second?.data).toEqual({
      id: (first?.data.id ?? 0) + 1,
      type: 'item.created',
      item: two,
    });
    stream.close();

    // Missed while disconnected: a third item. Resuming after the first event replays the
    // second and the third (from the buffer), then goes on live, without duplicates.
    const three = await post('third');
    const resumed = await subscribe(`${http}/api/items/events`, {
      'Last-Event-ID': first?.id ?? '',
    });
    const replayed = await resumed.until(2);
    expect(replayed.map((event) => event.data.item)).toEqual([two, three]);
    const four = await post('fourth');
    const all = await resumed.until(3);
    expect(all.map((event) => event.data.item)).toEqual([two, three, four]);
    expect(all.map((event) => Number(event.id))).toEqual(
      [1, 2, 3].map((step) => (first?.data.id ?? 0) + step),
    );
    resumed.close();
  });

  it.each(['abc', '-1', '99999999999', '1.5'])(
    'answers 400 JSON for Last-Event-ID %s',
    async (value) => {
      const res = await fetch(`${http}/api/items/events`, { headers: { 'Last-Event-ID': value } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: 400 });
    },
  );

  it('ends open streams when the app shuts down', async () => {
    const stream = await subscribe(`${http}/api/items/events`);
    await app?.close();
    app = undefined;
    await stream.done;
  });
});
