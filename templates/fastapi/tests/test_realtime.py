"""The WebSocket at /ws/items, with a real client against a real server."""

from __future__ import annotations

import json
import socket
import time
from base64 import b64encode
from typing import Any

import httpx2
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from tests.conftest import ALLOWED_ORIGIN
from tests.server_process import Server


def next_event(ws: ClientConnection, item_id: int) -> dict[str, Any]:
    """The next event about `item_id` (events about other items are skipped)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        event: dict[str, Any] = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        if event["item"]["id"] == item_id:
            return event
    raise AssertionError(f"no event about item {item_id}")


def test_item_created_over_http_is_broadcast(live_server: Server) -> None:
    with (
        connect(f"{live_server.ws_url}/ws/items") as first,
        connect(f"{live_server.ws_url}/ws/items", origin=Origin(ALLOWED_ORIGIN)) as second,
        httpx2.Client(base_url=live_server.url) as http,
    ):
        response = http.post("/api/items", json={"name": "broadcast"})
        assert response.status_code == 201
        item = response.json()
        try:
            for ws in (first, second):
                event = next_event(ws, item["id"])
                assert event["type"] == "item.created"
                assert event["item"] == item
                assert isinstance(event["id"], int)
                assert event["id"] >= 1
        finally:
            assert http.delete(f"/api/items/{item['id']}").status_code == 204
        deleted = next_event(first, item["id"])
        assert deleted["type"] == "item.deleted"
        assert deleted["item"] == {"id": item["id"]}
        assert deleted["id"] > event["id"]


def test_a_foreign_origin_is_refused(live_server: Server) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{live_server.ws_url}/ws/items", origin=Origin("https://evil.example"))
    assert refused.value.response.status_code == 403


def test_a_client_that_does_not_answer_pings_is_dropped(live_server: Server) -> None:
    # A bare socket: it completes the handshake, then never answers the server's pings.
    key = b64encode(b"0123456789abcdef").decode()
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
        sock.sendall(
            (
                "GET /ws/items HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{live_server.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        started = time.monotonic()
        received = b""
        while chunk := sock.recv(4096):  # returns b"" once the server has closed the socket
            received += chunk
        dropped_after = time.monotonic() - started
    assert received.startswith(b"HTTP/1.1 101")
    assert b"\x89" in received  # a ping frame (opcode 9) came
    # WS_HEARTBEAT_SECONDS=1 on the test server: a ping after 1 s, dropped 1 s later.
    assert dropped_after < 8
