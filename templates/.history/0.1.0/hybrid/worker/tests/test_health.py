import asyncio
import json

from worker import health


def test_liveness_needs_nothing() -> None:
    head, _, body = health.route("/health", ready=False).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(body) == {"status": "ok"}


def test_readiness_follows_the_broker() -> None:
    assert health.route("/health/ready", ready=True).startswith(b"HTTP/1.1 200")
    down = health.route("/health/ready", ready=False)
    assert down.startswith(b"HTTP/1.1 503")
    assert json.loads(down.partition(b"\r\n\r\n")[2])["checks"] == {"broker": "unavailable"}


def test_unknown_paths_are_404_json() -> None:
    assert health.route("/nope", ready=True).startswith(b"HTTP/1.1 404")


async def test_serves_http() -> None:
    server = await health.serve("127.0.0.1", 0, lambda: True)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
    response = await reader.read()
    writer.close()
    server.close()
    await server.wait_closed()
    assert response.startswith(b"HTTP/1.1 200")
