"""The in-process event bus behind the WebSocket and the event stream."""

from __future__ import annotations

import asyncio
import threading

from app.events import BUFFER_SIZE, EventBus, Subscription


async def take(subscription: Subscription, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        event = await asyncio.wait_for(subscription.get(), timeout=2)
        assert event is not None
        ids.append(event.id)
    return ids


def test_ids_start_at_one_and_grow() -> None:
    bus = EventBus()
    first = bus.publish("item.created", {"id": 7})
    second = bus.publish("item.deleted", {"id": 7})
    assert (first.id, second.id) == (1, 2)
    assert second.to_json() == '{"id": 2, "type": "item.deleted", "item": {"id": 7}}'


def test_subscribers_get_live_events_in_order_from_other_threads() -> None:
    async def scenario() -> list[int]:
        bus = EventBus()
        subscription = bus.subscribe()
        publisher = threading.Thread(
            target=lambda: [bus.publish("item.created", {"id": n}) for n in range(50)]
        )
        publisher.start()
        ids = await take(subscription, 50)
        publisher.join()
        return ids

    assert asyncio.run(scenario()) == list(range(1, 51))


def test_resume_replays_what_was_missed_then_goes_live() -> None:
    async def scenario() -> list[int]:
        bus = EventBus()
        for n in range(5):
            bus.publish("item.created", {"id": n})
        subscription = bus.subscribe(last_event_id=3)
        bus.publish("item.created", {"id": 99})
        return await take(subscription, 3)

    assert asyncio.run(scenario()) == [4, 5, 6]  # no gap, no duplicate


def test_the_buffer_is_bounded() -> None:
    async def scenario() -> int | None:
        bus = EventBus()
        for n in range(BUFFER_SIZE + 10):
            bus.publish("item.created", {"id": n})
        subscription = bus.subscribe(last_event_id=0)
        assert len(subscription.replay) == BUFFER_SIZE
        event = await subscription.get()
        return event.id if event else None

    assert asyncio.run(scenario()) == 11


def test_an_id_from_before_a_restart_replays_everything() -> None:
    async def scenario() -> list[int]:
        bus = EventBus()
        bus.publish("item.created", {"id": 1})
        return await take(bus.subscribe(last_event_id=500), 1)

    assert asyncio.run(scenario()) == [1]


def test_close_ends_every_subscription() -> None:
    async def scenario() -> tuple[object, object]:
        bus = EventBus()
        subscription = bus.subscribe()

        async def reader() -> object:
            event = await subscription.get()
            bus.unsubscribe(subscription)
            return event

        task = asyncio.create_task(reader())
        await asyncio.sleep(0)
        await bus.close()
        late = await bus.subscribe().get()
        return await task, late

    assert asyncio.run(scenario()) == (None, None)
