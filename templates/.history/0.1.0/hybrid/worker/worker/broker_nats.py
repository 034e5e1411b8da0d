"""The only module of the worker that knows NATS (nats-py, JetStream).

Names, all starting with JOBS_PREFIX (`p`):
- stream `p_jobs`      subject `p.jobs`, work-queue retention, file storage: the gateway publishes
                       jobs there (Nats-Msg-Id = job id, so a re-sent job is stored once).
- consumer `p_workers` durable pull consumer shared by all workers: explicit acks, AckWait =
                       ACK_WAIT_S, no MaxDeliver: the worker itself dead-letters a delivery past
                       MAX_ATTEMPTS (JetStream would instead leave a message that reached
                       MaxDeliver in the stream, never delivered again, if its worker died during
                       that last delivery). A failed job is nak'ed with a backoff delay; a job
                       whose worker died is redelivered after AckWait. Each delivery is an attempt.
- stream `p_dead`      subject `p.jobs.dead`: dead letters (headers Reason, Attempts).
- subject `p.events`   status events (core NATS); every gateway subscribes.
A worker sends "in progress" heartbeats for the jobs it runs, so slow jobs are not redelivered.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from .config import Settings
from .processing import DeadLetter, Processor

log = logging.getLogger(__name__)


class Broker:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        prefix = settings.jobs_prefix
        self.jobs_subject = f"{prefix}.jobs"
        self.dead_subject = f"{prefix}.jobs.dead"
        self.events_subject = f"{prefix}.events"
        self.jobs_stream = f"{prefix}_jobs"
        self.dead_stream = f"{prefix}_dead"
        self.durable = f"{prefix}_workers"
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._stop = asyncio.Event()

    # -- lifecycle ------------------------------------------------------------------------
    async def connect(self) -> None:
        # nats-py retries an unreachable first server forever when reconnects are unlimited:
        # probe it first so that a missing server is reported (and retried by the caller).
        url = urlsplit(self._settings.nats_url)
        probe = asyncio.open_connection(url.hostname or "127.0.0.1", url.port or 4222)
        _, writer = await asyncio.wait_for(probe, timeout=5)
        writer.close()

        async def on_error(exc: Exception) -> None:
            log.warning("NATS connection error: %s", exc)

        nc = await nats.connect(
            self._settings.nats_url,
            connect_timeout=5,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            error_cb=on_error,
        )
        try:
            js = nc.jetstream()
            await _ensure_stream(
                js,
                StreamConfig(
                    name=self.jobs_stream,
                    subjects=[self.jobs_subject],
                    retention=RetentionPolicy.WORK_QUEUE,
                    storage=StorageType.FILE,
                ),
            )
            await _ensure_stream(
                js,
                StreamConfig(
                    name=self.dead_stream, subjects=[self.dead_subject], storage=StorageType.FILE
                ),
            )
        except Exception:
            await nc.close()
            raise
        self._nc, self._js = nc, js

    def ready(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.drain()

    def stop(self) -> None:
        """Stop taking new jobs; `run` returns once the running ones are done."""
        self._stop.set()

    def _jetstream(self) -> JetStreamContext:
        assert self._js is not None, "connect() first"
        return self._js

    # -- consuming ------------------------------------------------------------------------
    async def run(self, processor: Processor) -> None:
        js = self._jetstream()
        config = ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._settings.ack_wait_s,
            max_deliver=-1,
            max_ack_pending=-1,
        )
        try:
            await js.add_consumer(self.jobs_stream, config)
        except nats.js.errors.BadRequestError as exc:
            log.warning("consumer %s exists with other settings; using it (%s)", self.durable, exc)
        subscription = await js.pull_subscribe_bind(self.durable, stream=self.jobs_stream)
        running: set[asyncio.Task[None]] = set()
        concurrency = self._settings.worker_concurrency
        log.info("consuming %s (concurrency %d)", self.jobs_subject, concurrency)
        while not self._stop.is_set():
            free = concurrency - len(running)
            if free <= 0:
                await asyncio.wait(running, timeout=1, return_when=asyncio.FIRST_COMPLETED)
                continue
            try:
                messages = await subscription.fetch(batch=free, timeout=1)
            except (NatsTimeoutError, TimeoutError):
                continue
            except Exception as exc:
                log.warning("fetching jobs failed (%s); retrying", exc)
                await asyncio.sleep(1)
                continue
            for message in messages:
                task = asyncio.create_task(self._handle(message, processor))
                running.add(task)
                task.add_done_callback(running.discard)
        await subscription.unsubscribe()
        if running:
            log.info("waiting for %d running job(s)", len(running))
            _, late = await asyncio.wait(running, timeout=self._settings.shutdown_timeout_s)
            for task in late:
                task.cancel()
            if late:
                # nak'ed by _handle: JetStream hands them to another worker right away.
                await asyncio.wait(late, timeout=2)
                log.warning("returned %d unfinished job(s) to the stream", len(late))

    async def _heartbeat(self, message: Msg) -> None:
        """Tells JetStream the job is still running, so AckWait does not expire."""
        while True:
            await asyncio.sleep(self._settings.ack_wait_s / 3)
            await message.in_progress()

    async def _handle(self, message: Msg, processor: Processor) -> None:
        attempt = message.metadata.num_delivered
        heartbeat = asyncio.create_task(self._heartbeat(message))
        try:
            outcome = await processor.handle(message.data, attempt)
        except asyncio.CancelledError:
            await asyncio.shield(message.nak())
            raise
        except Exception:
            log.exception("could not finish handling a delivery")
            return  # redelivered after AckWait
        finally:
            heartbeat.cancel()
        if outcome.action == "retry":
            await message.nak(delay=outcome.delay_s)
            return
        if outcome.action == "dead":
            headers = {"Reason": outcome.reason[:1000], "Attempts": str(attempt)}
            await self._jetstream().publish(self.dead_subject, message.data, headers=headers)
            log.warning("dead-lettered a job after %d attempt(s): %s", attempt, outcome.reason)
        await message.ack()

    async def publish_event(self, event: dict[str, Any]) -> None:
        assert self._nc is not None
        await self._nc.publish(self.events_subject, json.dumps(event).encode())

    # -- for tests and scripts/e2e.py -----------------------------------------------------
    async def publish_job(self, body: bytes) -> None:
        """Publish raw bytes as a job, the way the gateway does (also used for poison tests)."""
        await self._jetstream().publish(self.jobs_subject, body)

    async def dead_letters(self) -> list[DeadLetter]:
        """Take every message out of the dead-letter stream."""
        js = self._jetstream()
        state = (await js.stream_info(self.dead_stream)).state
        found: list[DeadLetter] = []
        if state.messages == 0:
            return found
        for seq in range(state.first_seq, state.last_seq + 1):
            try:
                raw = await js.get_msg(self.dead_stream, seq)
            except NotFoundError:
                continue
            headers = raw.headers or {}
            found.append(
                DeadLetter(raw.data or b"", headers.get("Reason", ""), int(headers["Attempts"]))
            )
        await js.purge_stream(self.dead_stream)
        return found

    async def watch_events(self) -> AsyncIterator[dict[str, Any]]:
        """Yield every status event published from now on (what the gateway listens to)."""
        assert self._nc is not None
        subscription = await self._nc.subscribe(self.events_subject)
        async for message in subscription.messages:
            yield json.loads(message.data)

    async def delete_all(self) -> None:
        """Remove the streams (and so the consumer) of this prefix (test clean-up)."""
        js = self._jetstream()
        for stream in (self.jobs_stream, self.dead_stream):
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(stream)


async def _ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    """Create the stream unless it exists (the gateway may have created it first)."""
    assert config.name is not None
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
