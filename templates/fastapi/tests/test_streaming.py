"""Server-sent events at /api/items/events, with a real client against a real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2

from tests.server_process import Server

EVENTS = "/api/items/events"


def sse(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Parse an event stream into its events (comments come as {"comment": ...})."""
    fields: dict[str, str] = {}
    for line in lines:
        if line == "":
            if fields:
                yield fields
            fields = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].strip()}
        else:
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


@contextmanager
def stream(server: Server, **headers: str) -> Iterator[Iterator[dict[str, str]]]:
    with (
        httpx2.Client(base_url=server.url, timeout=10) as client,
        client.stream("GET", EVENTS, headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        yield (event for event in sse(response.iter_lines()) if "comment" not in event)


def create(server: Server, name: str) -> dict[str, Any]:
    response = httpx2.post(f"{server.url}/api/items", json={"name": name})
    assert response.status_code == 201
    item: dict[str, Any] = response.json()
    return item


def delete(server: Server, *items: dict[str, Any]) -> None:
    for item in items:
        httpx2.delete(f"{server.url}/api/items/{item['id']}")


def test_read_two_events_then_resume_with_last_event_id(live_server: Server) -> None:
    items = []
    try:
        with stream(live_server) as events:
            items = [create(live_server, "first"), create(live_server, "second")]
            received = [next(events), next(events)]
        for sent, event in zip(items, received, strict=True):
            body = json.loads(event["data"])
            assert event["event"] == "item.created" == body["type"]
            assert event["id"] == str(body["id"])
            assert body["item"] == sent
        first_id, second_id = (int(event["id"]) for event in received)
        assert second_id > first_id

        # Reconnect as if only the first had arrived: the second is replayed, then live ones.
        with stream(live_server, **{"Last-Event-ID": str(first_id)}) as events:
            replayed = next(events)
            items.append(create(live_server, "third"))
            live = next(events)
        assert replayed["id"] == str(second_id)
        assert json.loads(replayed["data"])["item"] == items[1]
        assert int(live["id"]) == second_id + 1
        assert json.loads(live["data"])["item"] == items[2]
    finally:
        delete(live_server, *items)


def test_an_idle_stream_gets_keepalive_comments(live_server: Server) -> None:
    # SSE_KEEPALIVE_SECONDS=1 on the test server.
    with (
        httpx2.Client(base_url=live_server.url, timeout=5) as client,
        client.stream("GET", EVENTS) as response,
    ):
        comments = []
        for event in sse(response.iter_lines()):
            comments.append(event.get("comment"))
            if len(comments) == 2:
                break
    assert comments == ["connected", "keepalive"]


def test_a_malformed_last_event_id_is_422(live_server: Server) -> None:
    response = httpx2.get(f"{live_server.url}{EVENTS}", headers={"Last-Event-ID": "abc"})
    assert response.status_code == 422
