"""GET /api/items/events with a real SSE client (httpx, streaming) against the running
server: two events, then a reconnect with Last-Event-ID that resumes after them."""

import json
import signal
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx


def read_events(lines: Iterator[str], count: int) -> list[dict[str, Any]]:
    """Parse `count` events (id/event/data fields, blank line between) from an SSE stream."""
    events: list[dict[str, Any]] = []
    fields: dict[str, str] = {}
    for line in lines:
        if line == "":
            if "data" in fields:
                event = json.loads(fields["data"])
                assert str(event["id"]) == fields["id"]
                assert event["type"] == fields["event"]
                events.append(event)
                if len(events) == count:
                    return events
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
    raise AssertionError(f"the stream ended after {len(events)} of {count} events")


def test_sse_two_events_then_resume_with_last_event_id(live_server_url: str) -> None:
    api = f"{live_server_url}/api/items"
    timeout = httpx.Timeout(10, read=10)
    with httpx.stream("GET", f"{api}/events", timeout=timeout) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-cache"
        assert stream.headers["x-accel-buffering"] == "no"
        first = httpx.post(api, json={"name": "one"}, timeout=10).json()
        second = httpx.post(api, json={"name": "two"}, timeout=10).json()
        events = read_events(stream.iter_lines(), 2)
    assert [e["item"] for e in events] == [first, second]
    assert [e["type"] for e in events] == ["item.created", "item.created"]

    # Missed while disconnected: replayed first, then live events follow, no duplicate.
    third = httpx.post(api, json={"name": "three"}, timeout=10).json()
    headers = {"Last-Event-ID": str(events[0]["id"])}
    with httpx.stream("GET", f"{api}/events", headers=headers, timeout=timeout) as stream:
        lines = stream.iter_lines()
        replayed = read_events(lines, 2)
        fourth = httpx.post(api, json={"name": "four"}, timeout=10).json()
        live = read_events(lines, 1)
    assert [e["item"] for e in replayed] == [second, third]
    assert live[0]["item"] == fourth
    assert [e["id"] for e in [*replayed, *live]] == [
        events[1]["id"],
        events[1]["id"] + 1,
        events[1]["id"] + 2,
    ]


def test_a_bad_last_event_id_is_400(live_server_url: str) -> None:
    response = httpx.get(
        f"{live_server_url}/api/items/events",
        headers={"Last-Event-ID": "99999999999999999999999"},
        timeout=10,
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_sigterm_ends_open_streams(own_server: tuple[str, "subprocess.Popen[bytes]"]) -> None:
    url, server = own_server
    with httpx.stream("GET", f"{url}/api/items/events", timeout=10) as stream:
        lines = stream.iter_lines()
        assert next(lines) == ": connected"
        server.send_signal(signal.SIGTERM)
        rest = list(lines)  # ends (instead of hanging) when the server closes the stream
    assert all(line == "" or line.startswith(":") for line in rest)
    assert server.wait(timeout=10) == 0
