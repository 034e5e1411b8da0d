"""CPU-heavy work in the process pool: the server keeps answering while it runs."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from app.compute import ComputePool, PoolBusyError, estimate_pi
from tests.server_process import Server

PI = "/api/compute/pi"


def test_pi_is_estimated_in_a_worker_process(client: TestClient) -> None:
    response = client.post(PI, json={"samples": 200_000, "seed": 7})
    assert response.status_code == 200
    body = response.json()
    assert body["samples"] == 200_000
    assert abs(body["estimate"] - math.pi) < 0.05
    assert body["elapsed_ms"] >= 0
    # The same seed gives the same estimate.
    assert (
        client.post(PI, json={"samples": 200_000, "seed": 7}).json()["estimate"]
        == (body["estimate"])
    )


def test_chunks_add_up_to_the_samples() -> None:
    estimate, _ = estimate_pi(2_500_001, seed=1)  # three chunks, the last one short
    assert abs(estimate - math.pi) < 0.01


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"samples": 0},
        {"samples": 50_000_001},
        {"samples": 10, "seed": -1},
        {"samples": "x"},
        {"samples": True},
        {"samples": 10, "seed": False},
    ],
)
def test_bad_bodies_are_422(client: TestClient, body: dict[str, Any]) -> None:
    assert client.post(PI, json=body).status_code == 422


def test_a_full_pool_refuses_more_work() -> None:
    async def scenario() -> None:
        pool = ComputePool(workers=1, max_pending=1)
        try:
            running = asyncio.create_task(pool.run(estimate_pi, 1_000_000))
            await asyncio.sleep(0)
            with pytest.raises(PoolBusyError):
                await pool.run(estimate_pi, 10)
            await running
        finally:
            pool.close()

    asyncio.run(scenario())


def _health_during_task(http: httpx2.Client, samples: int) -> tuple[httpx2.Response, list[float]]:
    """Run one pi task of `samples` in the background and probe /health until it ends."""
    result: dict[str, Any] = {}

    def heavy() -> None:
        result["response"] = http.post(PI, json={"samples": samples})

    task = threading.Thread(target=heavy)
    task.start()
    time.sleep(0.2)  # let the task start
    latencies = []
    while task.is_alive():
        started = time.perf_counter()
        assert http.get("/health").status_code == 200
        if task.is_alive():
            latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)
    task.join()
    return result["response"], latencies


def test_health_answers_within_100_ms_during_a_2_second_task(live_server: Server) -> None:
    with httpx2.Client(base_url=live_server.url, timeout=60) as http:
        # Size the task to about 2 seconds on this machine (at most the 50 million allowed),
        # timing a warm worker.
        for _ in range(2):
            probe = http.post(PI, json={"samples": 4_000_000})
            assert probe.status_code == 200
        per_sample_ms = probe.json()["elapsed_ms"] / 4_000_000
        samples = min(50_000_000, int(2500 / per_sample_ms))
        # A probe timed while the machine was busier makes the task come out short: size it
        # again from the task's own time, a few times at most.
        for _ in range(3):
            response, latencies = _health_during_task(http, samples)
            assert response.status_code == 200
            elapsed_ms = response.json()["elapsed_ms"]
            if elapsed_ms > 1000 or samples == 50_000_000:
                break
            samples = min(50_000_000, int(samples * 2500 / max(elapsed_ms, 1)))

    assert elapsed_ms > 1000 or samples == 50_000_000, f"the task was too short: {elapsed_ms} ms"
    assert len(latencies) >= 5, f"{samples} samples in {elapsed_ms} ms: {latencies}"
    # Had the task run on the event loop, /health would have waited for all of it (seconds).
    # On a busy shared machine a single probe can be late by scheduling alone, so the bound
    # is 100 ms for 90% of them and 1 s for every one.
    latencies.sort()
    p90 = latencies[int(len(latencies) * 0.9) - 1]
    assert p90 < 100, f"/health latencies during the task (ms): {latencies}"
    assert latencies[-1] < 1000, f"/health latencies during the task (ms): {latencies}"
