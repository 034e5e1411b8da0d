"""GET /ws/items: every connected WebSocket client receives each item event as one JSON
text message (see events.py). Messages from clients are ignored.

Pings (heartbeat) and dropping clients that stop answering are the server's job: serve.py
sets uvicorn's ws_ping_interval/ws_ping_timeout from WS_HEARTBEAT_SECONDS. On shutdown,
serve.py calls close_all(), so clients see close code 1001 (going away).
"""

from typing import Any, ClassVar

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .events import ITEMS_GROUP

GOING_AWAY = 1001

_connected: set["ItemEventsConsumer"] = set()
_shutting_down = False


class ItemEventsConsumer(AsyncJsonWebsocketConsumer):
    groups: ClassVar[list[str]] = [ITEMS_GROUP]  # joined on connect, left on disconnect

    async def connect(self) -> None:
        if _shutting_down:
            await self.close(code=GOING_AWAY)
            return
        await self.accept()
        _connected.add(self)

    async def disconnect(self, code: int) -> None:
        _connected.discard(self)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Clients only listen; anything they send is ignored."""

    async def item_event(self, message: dict[str, Any]) -> None:
        """A group message of type "item.event" (sent by events.broadcast)."""
        await self.send_json(message["event"])


async def close_all(code: int = GOING_AWAY) -> int:
    """Close every open WebSocket of this process with `code`; returns how many."""
    global _shutting_down
    _shutting_down = True
    consumers = list(_connected)
    for consumer in consumers:
        await consumer.close(code=code)
    return len(consumers)
