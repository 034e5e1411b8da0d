"""The sample CPU-heavy task: a Monte Carlo estimate of pi with numpy.

It runs in worker processes (see pool.py), never in the server's own process, so a long
computation does not hold up other requests. Samples are drawn in chunks to bound memory
(two float64 arrays of CHUNK values at a time).
"""

import numpy as np

CHUNK = 1_000_000


def estimate_pi(samples: int, seed: int | None = None) -> float:
    """4 x the share of random points in the unit square that fall inside the quarter circle."""
    rng = np.random.default_rng(seed)
    inside = 0
    remaining = samples
    while remaining > 0:
        n = min(CHUNK, remaining)
        x = rng.random(n)
        y = rng.random(n)
        inside += int(np.count_nonzero(x * x + y * y <= 1.0))
        remaining -= n
    return 4.0 * inside / samples
