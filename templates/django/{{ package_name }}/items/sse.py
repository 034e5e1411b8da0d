"""GET /api/items/events: item events as server-sent events (text/event-stream).

Each event is `id: <id>`, `event: <type>`, `data: <the event as JSON>`, flushed on its own;
an idle stream gets a `: keepalive` comment every SSE_KEEPALIVE_SECONDS. A reconnecting
client sends `Last-Event-ID`: the buffered events after it are replayed first, then live
ones follow, with no gap and no duplicate (the buffer holds the last 1000 events of this
process). Served by the ASGI server (serve.py), so an open stream holds no thread.
"""

import asyncio
import json
from collections.abc import AsyncIterator

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase, JsonResponse, StreamingHttpResponse

from .events import Event, Subscription, bus

# Last-Event-ID values past this are not ids this server ever handed out.
MAX_EVENT_ID = 2**63 - 1


def format_event(event: Event) -> str:
    data = json.dumps(event, separators=(",", ":"))
    return f"id: {event['id']}\nevent: {event['type']}\ndata: {data}\n\n"


async def stream(subscription: Subscription, keepalive: float) -> AsyncIterator[str]:
    try:
        # Sent at once, so the client sees the response headers before the first event.
        yield ": connected\n\n"
        while True:
            try:
                event = await asyncio.wait_for(subscription.queue.get(), timeout=keepalive)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if event is None:  # server shutdown, or a client too slow to keep up
                return
            yield format_event(event)
    finally:
        bus.unsubscribe(subscription)


@transaction.non_atomic_requests
async def item_events(request: HttpRequest) -> HttpResponseBase:
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)
    raw = request.headers.get("Last-Event-ID", "").strip()
    last_event_id: int | None = None
    if raw:
        if not raw.isdigit() or len(raw) > 19 or int(raw) > MAX_EVENT_ID:
            return JsonResponse(
                {"detail": "Last-Event-ID must be an event id (a non-negative integer)."},
                status=400,
            )
        last_event_id = int(raw)
    subscription = bus.subscribe(last_event_id)
    response = StreamingHttpResponse(
        stream(subscription, settings.SSE_KEEPALIVE_SECONDS),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response
