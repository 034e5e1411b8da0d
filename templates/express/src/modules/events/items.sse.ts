import type { Request, Response } from "express";
import { Router } from "express";
import { z } from "zod";

import { HttpError } from "../../lib/http-error.js";
import { MAX_INT32 } from "../items/items.schema.js";
import type { ItemEvent, ItemEventBus } from "./item-events.js";

/** `Last-Event-ID`: the id of the last event the client saw (what this stream sent as `id:`). */
export const lastEventIdSchema = z.coerce.number().int().min(0).max(MAX_INT32);

function frame(event: ItemEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * `GET /api/items/events`: item events as server-sent events, flushed one by one. With a
 * `Last-Event-ID` header the stream first replays the buffered events after that id, then goes
 * on live, with no gap and no duplicate. A `: keepalive` comment every `keepaliveMs` keeps
 * proxies from closing an idle stream.
 */
export function itemEventsStream(
  bus: ItemEventBus,
  keepaliveMs: number,
): { router: Router; close: () => void } {
  const open = new Set<Response>();
  const router = Router();

  router.get("/", (req: Request, res: Response) => {
    const header = req.get("Last-Event-ID");
    let after = bus.lastId;
    if (header !== undefined) {
      const parsed = lastEventIdSchema.safeParse(header.trim() === "" ? undefined : header);
      if (!parsed.success) {
        throw new HttpError(
          400,
          "bad_last_event_id",
          `Last-Event-ID must be an integer from 0 to ${MAX_INT32}`,
        );
      }
      after = parsed.data;
    }

    res.status(200).set({
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      "X-Accel-Buffering": "no",
    });
    res.flushHeaders();
    res.write(": connected\n\n");
    open.add(res);

    // Replay and subscribe in one synchronous step: no event can slip in between.
    for (const event of bus.since(after)) res.write(frame(event));
    const unsubscribe = bus.subscribe((event) => res.write(frame(event)));
    const keepalive = setInterval(() => res.write(": keepalive\n\n"), keepaliveMs);

    res.on("close", () => {
      clearInterval(keepalive);
      unsubscribe();
      open.delete(res);
    });
  });

  return {
    router,
    /** Ends every open stream (on shutdown); the sockets close once the responses are done. */
    close: () => {
      for (const res of open) {
        res.end();
        res.on("finish", () => res.socket?.end());
      }
      open.clear();
    },
  };
}
