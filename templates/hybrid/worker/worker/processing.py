"""What happens to one delivered message, whatever the broker.

The broker module hands every delivery to `Processor.handle` with its attempt number and acts on
the returned `Outcome`: ack it, schedule a retry after `delay_s`, or dead-letter it. Status events
go out through the `publish_event` callback before the outcome is returned, so the broker module
only acks once the result is published (at-least-once delivery).
"""

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from .contract import Contract
from .tasks import Stats, TaskError, compute_stats

log = logging.getLogger(__name__)

PublishEvent = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Outcome:
    action: Literal["ack", "retry", "dead"]
    reason: str = ""
    delay_s: float = 0.0


@dataclass(frozen=True)
class DeadLetter:
    """A message taken out of the dead-letter queue or stream (tests, scripts/e2e.py, tooling)."""

    body: bytes
    reason: str
    attempts: int


def backoff_s(attempt: int, base_ms: int, max_ms: int) -> float:
    """Exponential backoff before the next attempt: base, 2x base, 4x base, ... capped."""
    return float(min(base_ms * 2 ** (attempt - 1), max_ms)) / 1000.0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def run_task(job: dict[str, Any]) -> Stats:
    """The task a valid job asks for (blocking: call it in a thread). Raises TaskError."""
    data = job["data"]
    return compute_stats(data["numbers"])


class Processor:
    def __init__(
        self,
        contract: Contract,
        publish_event: PublishEvent,
        *,
        max_attempts: int,
        backoff_base_ms: int,
        backoff_max_ms: int,
        remember: int = 10_000,
    ) -> None:
        self._contract = contract
        self._publish_event = publish_event
        self.max_attempts = max_attempts
        self._backoff_base_ms = backoff_base_ms
        self._backoff_max_ms = backoff_max_ms
        # Results by job id, so a redelivered job that already succeeded is answered again
        # without running the work twice (results are idempotent by job id).
        self._done: OrderedDict[str, Stats] = OrderedDict()
        self._remember = remember

    async def _emit(self, job_id: str, status: str, attempt: int, **extra: Any) -> None:
        event: dict[str, Any] = {"v": 1, "id": job_id, "status": status, "attempt": attempt}
        event["at"] = _now()
        event.update(extra)
        self._contract.check_event(event)
        await self._publish_event(event)

    async def handle(self, body: bytes, attempt: int) -> Outcome:
        """Process one delivery of a message; `attempt` counts from 1."""
        try:
            job = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return Outcome("dead", f"not JSON: {exc}")
        problems = self._contract.job_problems(job)
        if problems:
            # A message that breaks the contract never becomes valid: no retries.
            return Outcome("dead", "invalid job: " + "; ".join(problems))
        job_id: str = job["id"]
        if job_id in self._done:
            await self._emit(job_id, "succeeded", attempt, result=self._done[job_id])
            return Outcome("ack", "duplicate delivery of a finished job")
        if attempt > self.max_attempts:
            # Earlier deliveries died with their worker (killed, out of memory): stop here.
            reason = f"gave up after {self.max_attempts} attempts"
            await self._emit(job_id, "failed", attempt, error=reason)
            return Outcome("dead", reason)

        await self._emit(job_id, "running", attempt)
        try:
            delay_ms = job["data"].get("delay_ms", 0)
            if delay_ms:
                await asyncio.sleep(delay_ms / 1000)
            # In a thread: the event loop keeps the broker connection (heartbeats) alive.
            result = await asyncio.to_thread(run_task, job)
        except Exception as exc:
            reason = str(exc) if isinstance(exc, TaskError) else f"{type(exc).__name__}: {exc}"
            log.warning("job %s attempt %d failed: %s", job_id, attempt, reason)
            if attempt >= self.max_attempts:
                await self._emit(job_id, "failed", attempt, error=reason[:1000])
                return Outcome("dead", reason)
            await self._emit(job_id, "retrying", attempt, error=reason[:1000])
            delay = backoff_s(attempt, self._backoff_base_ms, self._backoff_max_ms)
            return Outcome("retry", reason, delay)

        self._done[job_id] = result
        if len(self._done) > self._remember:
            self._done.popitem(last=False)
        await self._emit(job_id, "succeeded", attempt, result=result)
        return Outcome("ack")
