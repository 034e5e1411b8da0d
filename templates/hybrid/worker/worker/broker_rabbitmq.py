"""The only module of the worker that knows RabbitMQ (aio-pika).

Topology, all names starting with JOBS_PREFIX (`p`):
- `p.jobs`            durable queue the gateway publishes jobs to (persistent messages, header
                      `x-attempt`); consumed with manual acks and prefetch = WORKER_CONCURRENCY.
- `p.jobs.retry.<N>ms` durable delay queues: a failed job waits there N ms (queue TTL), then
                      RabbitMQ dead-letters it back to `p.jobs` with `x-attempt` + 1.
- `p.jobs.dead`       durable dead-letter queue (headers `x-error`, `x-attempts`).
- `p.events`          durable fanout exchange for status events; every gateway binds its own
                      exclusive queue to it.
A job is acked only after its result (or its retry / dead letter) is published with publisher
confirms: at-least-once. A delivery flagged `redelivered` was never acked, because the worker
that had it died: it counts as an attempt, so a job that kills workers ends up dead-lettered.
Written for RabbitMQ 4.x (and 3.13): classic durable queues, per-queue TTL with dead-lettering
for the delays, exclusive event queues (4.x deprecates transient non-exclusive ones), no queue
mirroring and no global QoS (both removed in 4.x).
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)

from .config import Settings
from .processing import DeadLetter, Processor

log = logging.getLogger(__name__)


class Broker:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        prefix = settings.jobs_prefix
        self.jobs_name = f"{prefix}.jobs"
        self.dead_name = f"{prefix}.jobs.dead"
        self.events_name = f"{prefix}.events"
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._jobs: AbstractQueue | None = None
        self._events: AbstractExchange | None = None
        self._retry_queues: set[str] = set()
        self._stop = asyncio.Event()

    # -- lifecycle ------------------------------------------------------------------------
    async def connect(self) -> None:
        self._connection = await aio_pika.connect_robust(self._settings.rabbitmq_url, timeout=5)
        self._channel = await self._connection.channel(publisher_confirms=True)
        await self._channel.set_qos(prefetch_count=self._settings.worker_concurrency)
        self._jobs = await self._channel.declare_queue(self.jobs_name, durable=True)
        await self._channel.declare_queue(self.dead_name, durable=True)
        self._events = await self._channel.declare_exchange(
            self.events_name, aio_pika.ExchangeType.FANOUT, durable=True
        )

    def ready(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    def stop(self) -> None:
        """Stop taking new jobs; `run` returns once the running ones are done."""
        self._stop.set()

    # -- consuming ------------------------------------------------------------------------
    async def run(self, processor: Processor) -> None:
        assert self._jobs is not None, "connect() first"
        running: set[asyncio.Task[None]] = set()

        async def on_message(message: AbstractIncomingMessage) -> None:
            task = asyncio.create_task(self._handle(message, processor))
            running.add(task)
            task.add_done_callback(running.discard)

        tag = await self._jobs.consume(on_message, no_ack=False)
        log.info("consuming %s (prefetch %d)", self.jobs_name, self._settings.worker_concurrency)
        await self._stop.wait()
        await self._jobs.cancel(tag)
        if running:
            log.info("waiting for %d running job(s)", len(running))
            _, late = await asyncio.wait(running, timeout=self._settings.shutdown_timeout_s)
            for task in late:
                # Never acked: RabbitMQ hands the job to another worker when we disconnect.
                task.cancel()
            if late:
                log.warning("returned %d unfinished job(s) to the queue", len(late))

    async def _handle(self, message: AbstractIncomingMessage, processor: Processor) -> None:
        attempt = int(str((message.headers or {}).get("x-attempt", 1)))
        try:
            if message.redelivered:
                # Delivered before and never acked: the worker that had it died mid-job.
                await self._publish_job(message.body, attempt + 1, message.message_id)
                await message.ack()
                return
            outcome = await processor.handle(message.body, attempt)
            if outcome.action == "retry":
                await self._retry(message, attempt + 1, outcome.delay_s)
            elif outcome.action == "dead":
                await self._dead_letter(message.body, attempt, outcome.reason)
                log.warning("dead-lettered a job after %d attempt(s): %s", attempt, outcome.reason)
            await message.ack()
        except asyncio.CancelledError:
            raise
        except Exception:
            # Left unacked: redelivered after a reconnect, and then counted as an attempt.
            log.exception("could not finish handling a delivery")

    async def _retry(self, message: AbstractIncomingMessage, attempt: int, delay_s: float) -> None:
        delay_ms = int(delay_s * 1000)
        if delay_ms <= 0:
            await self._publish_job(message.body, attempt, message.message_id)
            return
        assert self._channel is not None
        name = f"{self.jobs_name}.retry.{delay_ms}ms"
        if name not in self._retry_queues:
            await self._channel.declare_queue(
                name,
                durable=True,
                arguments={
                    "x-message-ttl": delay_ms,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": self.jobs_name,
                },
            )
            self._retry_queues.add(name)
        await self._send(name, message.body, {"x-attempt": attempt}, message.message_id)

    async def _dead_letter(self, body: bytes, attempts: int, reason: str) -> None:
        headers = {"x-attempts": attempts, "x-error": reason[:1000]}
        await self._send(self.dead_name, body, headers, None)

    async def _publish_job(self, body: bytes, attempt: int, message_id: str | None) -> None:
        await self._send(self.jobs_name, body, {"x-attempt": attempt}, message_id)

    async def _send(
        self, queue: str, body: bytes, headers: dict[str, Any], message_id: str | None
    ) -> None:
        assert self._channel is not None
        message = aio_pika.Message(
            body,
            headers=headers,
            message_id=message_id,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await self._channel.default_exchange.publish(message, routing_key=queue)

    async def publish_event(self, event: dict[str, Any]) -> None:
        assert self._events is not None
        body = json.dumps(event).encode()
        await self._events.publish(
            aio_pika.Message(body, content_type="application/json"), routing_key=""
        )

    # -- for tests and scripts/e2e.py -----------------------------------------------------
    async def publish_job(self, body: bytes) -> None:
        """Publish raw bytes as a job, the way the gateway does (also used for poison tests)."""
        await self._publish_job(body, 1, None)

    async def dead_letters(self) -> list[DeadLetter]:
        """Take every message out of the dead-letter queue."""
        assert self._channel is not None
        queue = await self._channel.declare_queue(self.dead_name, durable=True)
        found: list[DeadLetter] = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            headers = message.headers or {}
            found.append(
                DeadLetter(
                    message.body, str(headers.get("x-error", "")), int(str(headers["x-attempts"]))
                )
            )
        return found

    async def watch_events(self) -> AsyncIterator[dict[str, Any]]:
        """Yield every status event published from now on (what the gateway listens to)."""
        assert self._channel is not None
        assert self._events is not None
        queue = await self._channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(self._events)
        async with queue.iterator() as messages:
            async for message in messages:
                await message.ack()
                yield json.loads(message.body)

    async def delete_all(self) -> None:
        """Remove every queue and exchange of this prefix (test clean-up)."""
        assert self._channel is not None
        for name in [self.jobs_name, self.dead_name, *self._retry_queues]:
            await self._channel.queue_delete(name)
        await self._channel.exchange_delete(self.events_name)
