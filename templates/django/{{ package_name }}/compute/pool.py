"""The process pool for CPU-heavy work (COMPUTE_WORKERS processes; 0 = CPUs - 1, at least 1).

Created on first use. Worker processes are started with "spawn": forking a server that
runs threads can copy a held lock into the child. Put your own heavy functions next to
pi.py and run them with `await run(function, *args)`.
"""

import asyncio
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import ParamSpec, TypeVar

from django.conf import settings

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def worker_count() -> int:
    configured: int = settings.COMPUTE_WORKERS
    if configured > 0:
        return configured
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(cpus - 1, 1)


def get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=worker_count(), mp_context=multiprocessing.get_context("spawn")
            )
        return _pool


async def run(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run `function(*args)` in the pool and wait for it without blocking the event loop."""
    if kwargs:
        raise TypeError("pass positional arguments only")
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(get_pool(), function, *args)
