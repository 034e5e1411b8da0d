"""A tiny HTTP endpoint for orchestration: GET /health (alive) and GET /health/ready (broker).

Plain asyncio, no web framework: the worker serves no other HTTP.
"""

import asyncio
import json
from collections.abc import Callable


def _response(status: int, body: dict[str, object]) -> bytes:
    payload = json.dumps(body).encode()
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + payload


def route(path: str, ready: bool) -> bytes:
    if path == "/health":
        return _response(200, {"status": "ok"})
    if path == "/health/ready":
        state = "ok" if ready else "unavailable"
        return _response(200 if ready else 503, {"status": state, "checks": {"broker": state}})
    return _response(404, {"error": {"code": "not_found", "message": f"No route for {path}"}})


async def serve(host: str, port: int, is_ready: Callable[[], bool]) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), timeout=5)
            parts = request_line.decode("latin-1").split()
            path = parts[1].split("?", 1)[0] if len(parts) >= 2 else ""
            writer.write(route(path, is_ready()))
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)
