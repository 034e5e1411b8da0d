"""Server-sent events: GET /api/items/events streams every item event.

Each event is `id: <id>`, `event: <type>` and `data: <the event as JSON>`, flushed as it
happens; an idle stream gets a `: keepalive` comment every SSE_KEEPALIVE_SECONDS. A client
that reconnects with `Last-Event-ID` (browsers' EventSource does) first gets the buffered
events after that id, then live ones (app/events.py keeps the last 1000).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from app.api.deps import EventBusDep, SettingsDep
from app.events import EventBus

router = APIRouter(prefix="/api/items", tags=["items"])

HEADERS = {
    "Cache-Control": "no-cache",
    # nginx and similar proxies: pass each event on at once instead of buffering.
    "X-Accel-Buffering": "no",
}
EVENT_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An endless stream of item events (text/event-stream)",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


async def _stream(
    events: EventBus, last_event_id: int | None, keepalive: float
) -> AsyncIterator[str]:
    subscription = events.subscribe(last_event_id)
    try:
        # Sent at once, so clients and proxies see the stream open before the first event.
        yield ": connected\n\n"
        while True:
            try:
                event = await asyncio.wait_for(subscription.get(), timeout=keepalive)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if event is None:  # the server is stopping, or this client fell behind
                return
            yield f"id: {event.id}\nevent: {event.type}\ndata: {event.to_json()}\n\n"
    finally:
        events.unsubscribe(subscription)


@router.get("/events", response_class=StreamingResponse, responses=EVENT_STREAM)
async def item_events(
    events: EventBusDep,
    settings: SettingsDep,
    last_event_id: Annotated[
        int | None,
        Header(alias="Last-Event-ID", ge=0, le=2**63 - 1, description="Resume after this id"),
    ] = None,
) -> StreamingResponse:
    """Item events as server-sent events, resumable with `Last-Event-ID`."""
    return StreamingResponse(
        _stream(events, last_event_id, settings.sse_keepalive_seconds),
        media_type="text/event-stream",
        headers=HEADERS,
    )
