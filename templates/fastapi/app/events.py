"""In-process event bus for item changes, feeding the WebSocket and server-sent events.

The items routes publish after each successful write (from the request's worker thread);
every subscriber gets the events on its own event loop, in order. The last
`BUFFER_SIZE` events are kept so a client that reconnects with the last id it saw gets
what it missed (SSE's `Last-Event-ID`): the replay and the live events join without a gap
and without a duplicate, because both are taken under the same lock.

One process, one bus: with several server processes each has its own ids and its own
subscribers. Put a broker (Redis pub/sub, NATS, ...) behind `publish` to share events.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

EventType = Literal["item.created", "item.updated", "item.deleted"]

BUFFER_SIZE = 1000
# A subscriber this many events behind is dropped; it may reconnect and resume.
MAX_PENDING = 1000


@dataclass(frozen=True)
class Event:
    id: int
    type: EventType
    item: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "type": self.type, "item": self.item})


@dataclass(eq=False)
class Subscription:
    """The events of one client: the replayed ones first, then live ones until the end."""

    loop: asyncio.AbstractEventLoop
    replay: list[Event]
    queue: asyncio.Queue[Event | None] = field(default_factory=asyncio.Queue)
    overflowed: bool = False
    ended: bool = False

    def push(self, event: Event | None) -> None:
        """Hand an event (None: the end) to the subscriber's loop; callable from any thread."""
        if self.ended:
            return
        try:
            self.loop.call_soon_threadsafe(self._receive, event)
        except RuntimeError:  # that loop is closed: nobody is listening any more
            self.ended = True

    def _receive(self, event: Event | None) -> None:
        if self.ended:
            return
        if event is None or self.queue.qsize() >= MAX_PENDING:
            self.overflowed = event is not None
            self.ended = True
            event = None
        self.queue.put_nowait(event)

    async def get(self) -> Event | None:
        """The next event, or None once the subscription has ended."""
        if self.replay:
            return self.replay.pop(0)
        return await self.queue.get()

    async def __aiter__(self) -> AsyncIterator[Event]:
        while (event := await self.get()) is not None:
            yield event


class EventBus:
    def __init__(self, buffer_size: int = BUFFER_SIZE) -> None:
        self._lock = threading.Lock()
        self._next_id = 1
        self._buffer: deque[Event] = deque(maxlen=buffer_size)
        self._subscribers: set[Subscription] = set()
        self.closed = False

    def publish(self, type_: EventType, item: dict[str, Any]) -> Event:
        """Record an event and deliver it to every subscriber. Thread-safe."""
        with self._lock:
            event = Event(id=self._next_id, type=type_, item=item)
            self._next_id += 1
            self._buffer.append(event)
            for subscription in self._subscribers:
                subscription.push(event)
            return event

    def subscribe(self, last_event_id: int | None = None) -> Subscription:
        """Subscribe from now on; with `last_event_id`, replay the buffered events after it.

        Must be called on the event loop that will read the subscription.
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            replay: list[Event] = []
            if last_event_id is not None:
                if last_event_id >= self._next_id:
                    # An id from before a restart: everything here is newer than it.
                    last_event_id = 0
                replay = [event for event in self._buffer if event.id > last_event_id]
            subscription = Subscription(loop=loop, replay=replay)
            if self.closed:
                subscription.push(None)
            else:
                self._subscribers.add(subscription)
            return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)
        subscription.ended = True

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    async def close(self, timeout: float = 2.0) -> None:
        """End every subscription (the server is stopping) and wait for them to let go."""
        with self._lock:
            self.closed = True
            for subscription in self._subscribers:
                subscription.push(None)
        deadline = asyncio.get_running_loop().time() + timeout
        while self.subscriber_count and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
