"""WebSocket: every item event, as one JSON text message, to every connected client.

Clients connect to `/ws/items` and receive `{"id": ..., "type": "item.created", "item": {...}}`
messages (see app/events.py). Browsers must come from an origin in CORS_ORIGINS; clients
that send no Origin header (servers, scripts) are accepted. uvicorn pings every
WS_HEARTBEAT_SECONDS and drops clients that do not answer (app/__main__.py). When the server
stops, every socket is closed with 1001 (going away).
"""

from __future__ import annotations

import logging

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from app.api.deps import EventBusDep, SettingsDep

router = APIRouter(tags=["realtime"])
logger = logging.getLogger(__name__)

# Close codes: 1001 the server is going away; 1013 this client fell too far behind.
GOING_AWAY = status.WS_1001_GOING_AWAY
TRY_AGAIN_LATER = status.WS_1013_TRY_AGAIN_LATER


@router.websocket("/ws/items")
async def item_events_socket(
    websocket: WebSocket, events: EventBusDep, settings: SettingsDep
) -> None:
    origin = websocket.headers.get("origin")
    if origin is not None and origin not in settings.cors_origins:
        # Closing before accepting refuses the handshake: the client gets HTTP 403.
        logger.info("websocket refused", extra={"origin": origin})
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    await websocket.accept()
    subscription = events.subscribe()
    try:
        async with anyio.create_task_group() as tasks:

            async def until_client_leaves() -> None:
                # Messages from the client are not used; reading notices it leaving.
                while True:
                    message = await websocket.receive()
                    if message["type"] == "websocket.disconnect":
                        tasks.cancel_scope.cancel()
                        return

            tasks.start_soon(until_client_leaves)
            async for event in subscription:
                await websocket.send_text(event.to_json())
            # The subscription ended: the server is stopping, or the client is too slow.
            code = TRY_AGAIN_LATER if subscription.overflowed else GOING_AWAY
            await websocket.close(code=code)
            tasks.cancel_scope.cancel()
    except* WebSocketDisconnect:
        pass  # the client left while we were sending
    finally:
        events.unsubscribe(subscription)
