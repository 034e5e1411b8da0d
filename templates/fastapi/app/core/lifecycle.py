"""Work to do when the server starts stopping, before it closes connections.

uvicorn closes open WebSockets with code 1012 and waits for open responses (such as event
streams) before it runs the lifespan shutdown. Callbacks registered here run first (see
app/__main__.py), so long-lived connections end on the app's own terms: WebSockets with
1001 (going away) and event streams with a clean end of the response.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

ShutdownHook = Callable[[], Awaitable[None]]
_hooks: list[ShutdownHook] = []


@contextmanager
def before_server_shutdown(hook: ShutdownHook) -> Iterator[None]:
    """Register `hook` for as long as the block runs (the app's lifespan)."""
    _hooks.append(hook)
    try:
        yield
    finally:
        _hooks.remove(hook)


async def run_before_server_shutdown(timeout: float) -> None:
    """Run every registered hook, giving them `timeout` seconds together."""
    hooks = list(_hooks)
    if not hooks:
        return
    try:
        await asyncio.wait_for(asyncio.gather(*(hook() for hook in hooks)), timeout)
    except TimeoutError:
        logger.warning("shutdown hooks did not finish within %s s", timeout)
