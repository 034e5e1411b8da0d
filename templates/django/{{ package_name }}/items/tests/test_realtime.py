"""/ws/items with real clients: asgiref's ApplicationCommunicator in-process (what Channels'
WebsocketCommunicator builds on; channels.testing itself needs daphne), and the `websockets`
client against the running server (uvicorn) with items written over HTTP."""

import json
import signal
import subprocess
from typing import Any

import httpx
import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.db import connections
from django.test import Client
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from config.asgi import application


def websocket(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> Any:
    scope = {"type": "websocket", "path": path, "headers": headers or [], "subprotocols": []}
    return ApplicationCommunicator(application, scope)  # type: ignore[no-untyped-call]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_communicator_receives_the_event_of_an_item_created_over_http() -> None:
    communicator = websocket("/ws/items")
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output(timeout=5))["type"] == "websocket.accept"
    client = Client()
    response = await sync_to_async(client.post)(
        "/api/items", {"name": "over http"}, content_type="application/json"
    )
    assert response.status_code == 201
    await sync_to_async(connections.close_all)()  # the worker thread's connection
    message = await communicator.receive_output(timeout=5)
    assert message["type"] == "websocket.send"
    event: dict[str, Any] = json.loads(message["text"])
    assert event["type"] == "item.created"
    assert event["item"] == response.json()
    assert isinstance(event["id"], int)
    await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
    await communicator.wait(timeout=5)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_foreign_origin_is_refused() -> None:
    communicator = websocket("/ws/items", headers=[(b"origin", b"https://evil.example")])
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output(timeout=5))["type"] == "websocket.close"


def test_live_server_broadcasts_create_update_delete(live_server_url: str) -> None:
    ws_url = live_server_url.replace("http://", "ws://") + "/ws/items"
    with connect(ws_url, open_timeout=5) as first, connect(ws_url, open_timeout=5) as second:
        created = httpx.post(f"{live_server_url}/api/items", json={"name": "live"}, timeout=10)
        assert created.status_code == 201
        item = created.json()
        patched = httpx.patch(
            f"{live_server_url}/api/items/{item['id']}", json={"name": "renamed"}, timeout=10
        )
        assert patched.status_code == 200
        deleted = httpx.delete(f"{live_server_url}/api/items/{item['id']}", timeout=10)
        assert deleted.status_code == 204
        for ws in (first, second):
            events = [json.loads(ws.recv(timeout=5)) for _ in range(3)]
            assert [e["type"] for e in events] == ["item.created", "item.updated", "item.deleted"]
            assert events[0]["item"] == item
            assert events[1]["item"]["name"] == "renamed"
            assert events[2]["item"] == {"id": item["id"]}
            ids = [e["id"] for e in events]
            assert ids == sorted(ids) and len(set(ids)) == 3


def test_live_server_checks_the_origin(live_server_url: str) -> None:
    ws_url = live_server_url.replace("http://", "ws://") + "/ws/items"
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url, origin=Origin("https://evil.example"), open_timeout=5)
    assert refused.value.response.status_code == 403
    with connect(ws_url, origin=Origin("http://localhost:8000"), open_timeout=5) as ws:
        ws.ping().wait(timeout=5)


def test_sigterm_closes_websockets_with_1001(
    own_server: tuple[str, "subprocess.Popen[bytes]"],
) -> None:
    url, server = own_server
    with connect(url.replace("http://", "ws://") + "/ws/items", open_timeout=5) as ws:
        ws.ping().wait(timeout=5)
        server.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=9)
        assert ws.close_code == 1001
    assert server.wait(timeout=10) == 0
