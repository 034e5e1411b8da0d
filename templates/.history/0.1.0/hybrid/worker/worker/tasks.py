"""The data work itself: pure functions from a job's data to its result.

Nothing here knows about the broker, JSON or asyncio, so it is unit-tested on its own
(tests/test_tasks.py). Replace `compute_stats` with your real data or ML code and keep it pure:
the worker calls it in a thread, retries it when it raises, and publishes what it returns.
"""

import math
from collections.abc import Sequence
from typing import TypedDict

import numpy as np


class TaskError(Exception):
    """The job's input cannot produce a result; the worker retries, then dead-letters it."""


class Stats(TypedDict):
    count: int
    sum: float
    mean: float
    median: float
    std: float
    min: float
    max: float


def compute_stats(numbers: Sequence[float]) -> Stats:
    """Descriptive statistics of `numbers` (population standard deviation)."""
    values = np.asarray(numbers, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise TaskError("expected a non-empty list of numbers")
    with np.errstate(over="ignore", invalid="ignore"):
        stats: Stats = {
            "count": int(values.size),
            "sum": float(values.sum()),
            "mean": float(values.mean()),
            "median": float(np.median(values)),
            "std": float(values.std()),
            "min": float(values.min()),
            "max": float(values.max()),
        }
    keys = ("sum", "mean", "median", "std", "min", "max")
    if not all(math.isfinite(stats[key]) for key in keys):  # type: ignore[literal-required]
        raise TaskError("the numbers overflow a 64-bit float")
    return stats
