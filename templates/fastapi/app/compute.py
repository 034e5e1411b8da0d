"""CPU-heavy work, off the event loop: a process pool and a sample numeric task.

Python runs one thread of Python code at a time, so CPU-bound work in a request handler
(even in a thread) would stall every other request. Here it runs in worker processes
(`ProcessPoolExecutor`); the handler awaits the result and the server keeps answering.
Add your own task as a plain top-level function (it is pickled by name into the worker)
and call it with `await pool.run(function, *args)`.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

import numpy as np

T = TypeVar("T")

# Random points drawn at once: 2 x 1,000,000 float64 = 16 MB per worker at most.
CHUNK = 1_000_000


def estimate_pi(samples: int, seed: int | None = None) -> tuple[float, float]:
    """Monte Carlo estimate of pi from `samples` random points; returns (estimate, ms)."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    inside = 0
    remaining = samples
    while remaining > 0:
        n = min(CHUNK, remaining)
        x = rng.random(n)
        y = rng.random(n)
        inside += int(np.count_nonzero(x * x + y * y <= 1.0))
        remaining -= n
    elapsed_ms = (time.perf_counter() - started) * 1000
    return 4.0 * inside / samples, elapsed_ms


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group; the server shuts the pool down itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class PoolBusyError(Exception):
    """Too many tasks are queued or running; the caller should retry later."""


class ComputePool:
    """A process pool with a bound on the tasks it accepts at once."""

    def __init__(self, workers: int = 0, max_pending: int = 16) -> None:
        self.workers = workers or max(1, (os.cpu_count() or 2) - 1)
        self.max_pending = max_pending
        self._pending = 0
        # "spawn": fresh interpreters, never a fork of a process that runs threads.
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_ignore_interrupts,
        )

    async def run(self, function: Callable[..., T], *args: object) -> T:
        if self._pending >= self.max_pending:
            raise PoolBusyError
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, function, *args)
        finally:
            self._pending -= 1

    def close(self) -> None:
        """Drop queued tasks and wait for the running ones (each is bounded) to finish."""
        self._executor.shutdown(wait=True, cancel_futures=True)
