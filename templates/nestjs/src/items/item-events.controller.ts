import {
  BadRequestException,
  type BeforeApplicationShutdown,
  Controller,
  Get,
  Headers,
  Inject,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { ApiErrors } from '../common/api-errors';
import { type ItemEvent, ItemEventsService } from '../events/item-events.service';

/** Injection token: seconds between `: keepalive` comments (SSE_KEEPALIVE_SECONDS). */
export const SSE_KEEPALIVE_SECONDS = Symbol('SSE_KEEPALIVE_SECONDS');

const MAX_EVENT_ID = 2 ** 31 - 1;

function frame(event: ItemEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * `GET /api/items/events`: server-sent events of every item change, one frame per event
 * (`id`, `event` = the type, `data` = the event as JSON), written and flushed as it happens.
 * A client that reconnects with `Last-Event-ID` first gets the buffered events after that id,
 * then live ones, with no gap and no duplicate (both happen in one synchronous step).
 * Registered before ItemsController (items.module.ts), so `events` is not taken for an `:id`.
 */
@ApiTags('items')
@Controller('items/events')
export class ItemEventsController implements BeforeApplicationShutdown {
  /** Open streams, each with the function that stops feeding it. */
  private readonly open = new Map<Response, () => void>();

  constructor(
    private readonly events: ItemEventsService,
    @Inject(SSE_KEEPALIVE_SECONDS) private readonly keepaliveSeconds: number,
  ) {}

  @Get()
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Resume after this event id (0 to 2147483647)',
    schema: { type: 'integer', minimum: 0, maximum: MAX_EVENT_ID },
  })
  @ApiOkResponse({
    description: 'A stream of `id: <id>\\nevent: <type>\\ndata: <event JSON>\\n\\n` frames',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiErrors(400, 429)
  stream(@Res() res: Response, @Headers('last-event-id') lastEventId?: string): void {
    const after = this.parseLastEventId(lastEventId);
    res.status(200);
    res.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      // nginx and similar proxies must not buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    // Tells EventSource clients how long to wait before reconnecting.
    res.write('retry: 3000\n\n');

    // Replay, then subscribe, in the same tick: no event can slip in between.
    for (const event of after === undefined ? [] : this.events.since(after)) {
      res.write(frame(event));
    }
    const unsubscribe = this.events.subscribe((event) => res.write(frame(event)));
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), this.keepaliveSeconds * 1000);
    const stop = () => {
      clearInterval(keepalive);
      unsubscribe();
      this.open.delete(res);
    };
    this.open.set(res, stop);
    // The client went away (or the stream was ended below).
    res.on('close', stop);
  }

  /** Ends every open stream, so that the HTTP server can close. */
  beforeApplicationShutdown(): void {
    for (const [res, stop] of [...this.open]) {
      stop();
      res.end();
    }
  }

  private parseLastEventId(value: string | undefined): number | undefined {
    if (value === undefined || value.trim() === '') {
      return undefined;
    }
    const text = value.trim();
    const id = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
    if (!(id <= MAX_EVENT_ID)) {
      throw new BadRequestException(`Last-Event-ID must be an integer from 0 to ${MAX_EVENT_ID}`);
    }
    return id;
  }
}
