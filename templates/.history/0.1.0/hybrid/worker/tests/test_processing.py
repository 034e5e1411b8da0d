"""The broker-independent life of a delivery: events, retries, dead letters, idempotency."""

import json
from typing import Any

import pytest

from tests.conftest import example
from worker.contract import Contract
from worker.processing import Processor, backoff_s


class Recorder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    async def __call__(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    def statuses(self) -> list[str]:
        return [e["status"] for e in self.events]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def processor(contract: Contract, recorder: Recorder) -> Processor:
    return Processor(contract, recorder, max_attempts=3, backoff_base_ms=100, backoff_max_ms=250)


def body(**data: Any) -> bytes:
    job = example("job-stats.json")
    job["data"] = data or job["data"]
    return json.dumps(job).encode()


async def test_success_publishes_running_then_the_result(
    processor: Processor, recorder: Recorder
) -> None:
    outcome = await processor.handle(body(), attempt=1)
    assert outcome.action == "ack"
    assert recorder.statuses() == ["running", "succeeded"]
    assert recorder.events[-1]["result"]["mean"] == pytest.approx(3.875)


async def test_a_failure_is_retried_with_backoff(processor: Processor, recorder: Recorder) -> None:
    outcome = await processor.handle(body(numbers=[1e308, 1e308]), attempt=1)
    assert (outcome.action, outcome.delay_s) == ("retry", 0.1)
    assert recorder.statuses() == ["running", "retrying"]
    assert "overflow" in recorder.events[-1]["error"]


async def test_the_last_attempt_dead_letters(processor: Processor, recorder: Recorder) -> None:
    outcome = await processor.handle(body(numbers=[1e308, 1e308]), attempt=3)
    assert outcome.action == "dead"
    assert recorder.statuses() == ["running", "failed"]


async def test_deliveries_beyond_the_limit_are_not_run(
    processor: Processor, recorder: Recorder
) -> None:
    outcome = await processor.handle(body(), attempt=4)
    assert outcome.action == "dead"
    assert recorder.statuses() == ["failed"]


@pytest.mark.parametrize("raw", [b"not json", b"\xff\xfe", b'{"v": 1}', b"[]"])
async def test_messages_that_break_the_contract_are_dead_lettered_at_once(
    processor: Processor, recorder: Recorder, raw: bytes
) -> None:
    outcome = await processor.handle(raw, attempt=1)
    assert outcome.action == "dead"
    assert recorder.events == []


async def test_a_redelivered_finished_job_is_answered_without_rerunning(
    processor: Processor, recorder: Recorder
) -> None:
    await processor.handle(body(), attempt=1)
    first = recorder.events[-1]["result"]
    outcome = await processor.handle(body(), attempt=2)
    assert outcome.action == "ack"
    assert recorder.statuses() == ["running", "succeeded", "succeeded"]
    assert recorder.events[-1]["result"] == first


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_s(n, 100, 350) for n in (1, 2, 3, 4)] == [0.1, 0.2, 0.35, 0.35]
