"""The only module of the worker that knows Redis (redis-py asyncio, Redis streams).

Keys, all starting with JOBS_PREFIX (`p`):
- `p:jobs`          stream the gateway appends jobs to (fields `job`, `attempt`), read through the
                    consumer group `p:workers`: each entry goes to one worker and stays in the
                    group's pending list until that worker acks it (XACK) after the work is done.
- `p:jobs:delayed`  sorted set of failed jobs waiting for their retry (score = due time in ms);
                    a Lua script moves due ones back onto `p:jobs` with `attempt` + 1, atomically.
- `p:jobs:dead`     dead-letter stream (fields `job`, `reason`, `attempts`).
- `p:events`        stream of status events (capped), read by every gateway with XREAD.
A worker heartbeats the entries it is running (XCLAIM ... JUSTID resets their idle time). An
entry idle for CLAIM_IDLE_MS belongs to a worker that died: XAUTOCLAIM hands it to a live one,
and each such delivery counts as an attempt, so a job that kills workers ends up dead-lettered.
"""

import asyncio
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from .config import Settings
from .processing import DeadLetter, Processor

log = logging.getLogger(__name__)

# Moves due retries back onto the jobs stream; atomic, so no job is lost or doubled on a crash.
PROMOTE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local entry = cjson.decode(member)
  redis.call('XADD', KEYS[2], '*', 'job', entry.job, 'attempt', entry.attempt)
end
return #due
"""

Fields = dict[bytes, bytes]


class Broker:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        prefix = settings.jobs_prefix
        self.jobs_key = f"{prefix}:jobs"
        self.group = f"{prefix}:workers"
        self.delayed_key = f"{prefix}:jobs:delayed"
        self.dead_key = f"{prefix}:jobs:dead"
        self.events_key = f"{prefix}:events"
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._redis: aioredis.Redis | None = None
        self._ready = False
        self._stop = asyncio.Event()

    # -- lifecycle ------------------------------------------------------------------------
    async def connect(self) -> None:
        client = aioredis.from_url(self._settings.redis_url, socket_connect_timeout=5)
        try:
            await client.ping()
            try:
                await client.xgroup_create(self.jobs_key, self.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
        except Exception:
            await client.aclose()
            raise
        self._redis = client
        self._ready = True

    def ready(self) -> bool:
        return self._ready

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    def stop(self) -> None:
        """Stop taking new jobs; `run` returns once the running ones are done."""
        self._stop.set()

    def _client(self) -> aioredis.Redis:
        assert self._redis is not None, "connect() first"
        return self._redis

    # -- consuming ------------------------------------------------------------------------
    async def run(self, processor: Processor) -> None:
        client = self._client()
        promote = client.register_script(PROMOTE_DUE)
        running: set[asyncio.Task[None]] = set()
        concurrency = self._settings.worker_concurrency
        next_claim = 0.0
        log.info("consuming %s as %s (concurrency %d)", self.jobs_key, self.consumer, concurrency)
        while not self._stop.is_set():
            free = concurrency - len(running)
            if free <= 0:
                await asyncio.wait(running, timeout=1, return_when=asyncio.FIRST_COMPLETED)
                continue
            try:
                await promote(keys=[self.delayed_key, self.jobs_key], args=[_now_ms()])
                batch: list[tuple[bytes, Fields, int]] = []
                if time.monotonic() >= next_claim:
                    batch += await self._claim_abandoned(free)
                    next_claim = time.monotonic() + 1.0
                if not batch:
                    batch += await self._read_new(free)
                self._ready = True
            except (OSError, aioredis.ConnectionError, aioredis.TimeoutError) as exc:
                self._ready = False
                log.warning("redis unavailable (%s); retrying", exc)
                await asyncio.sleep(1)
                continue
            for entry_id, fields, attempt in batch:
                task = asyncio.create_task(self._handle(entry_id, fields, attempt, processor))
                running.add(task)
                task.add_done_callback(running.discard)
        if running:
            log.info("waiting for %d running job(s)", len(running))
            _, late = await asyncio.wait(running, timeout=self._settings.shutdown_timeout_s)
            for task in late:
                # Stays pending under this consumer: another worker claims it after CLAIM_IDLE_MS.
                task.cancel()
            if late:
                log.warning("left %d unfinished job(s) for another worker to claim", len(late))

    async def _read_new(self, count: int) -> list[tuple[bytes, Fields, int]]:
        reply: Any = await self._client().xreadgroup(
            self.group, self.consumer, {self.jobs_key: ">"}, count=count, block=1000
        )
        batch: list[tuple[bytes, Fields, int]] = []
        for _stream, entries in reply or []:
            for entry_id, fields in entries:
                batch.append((entry_id, fields, int(fields.get(b"attempt", b"1"))))
        return batch

    async def _claim_abandoned(self, count: int) -> list[tuple[bytes, Fields, int]]:
        """Entries idle for CLAIM_IDLE_MS: their worker died. Each such delivery is an attempt."""
        client = self._client()
        claimed: Any = await client.xautoclaim(
            self.jobs_key, self.group, self.consumer, self._settings.claim_idle_ms, count=count
        )
        entries = claimed[1]
        batch: list[tuple[bytes, Fields, int]] = []
        for entry_id, fields in entries:
            if not fields:  # deleted meanwhile
                await client.xack(self.jobs_key, self.group, entry_id)
                continue
            info: Any = await client.xpending_range(
                self.jobs_key, self.group, entry_id, entry_id, 1
            )
            delivered = int(info[0]["times_delivered"]) if info else 1
            attempt = int(fields.get(b"attempt", b"1")) + delivered - 1
            log.warning("claimed job entry %s from a dead worker (attempt %d)", entry_id, attempt)
            batch.append((entry_id, fields, attempt))
        return batch

    async def _heartbeat(self, entry_id: bytes) -> None:
        """Keeps a running entry's idle time low so that no other worker claims it."""
        interval = self._settings.claim_idle_ms / 3000
        while True:
            await asyncio.sleep(interval)
            await self._client().xclaim(
                self.jobs_key, self.group, self.consumer, 0, [entry_id], justid=True
            )

    async def _handle(
        self, entry_id: bytes, fields: Fields, attempt: int, processor: Processor
    ) -> None:
        body = fields.get(b"job", b"")
        heartbeat = asyncio.create_task(self._heartbeat(entry_id))
        try:
            outcome = await processor.handle(body, attempt)
        except Exception:
            log.exception("could not finish handling entry %s", entry_id)
            return  # stays pending: claimed again after CLAIM_IDLE_MS
        finally:
            heartbeat.cancel()
        pipe = self._client().pipeline(transaction=True)
        if outcome.action == "retry":
            member = json.dumps(
                {"job": body.decode(), "attempt": attempt + 1, "nonce": uuid.uuid4().hex}
            )
            pipe.zadd(self.delayed_key, {member: _now_ms() + int(outcome.delay_s * 1000)})
        elif outcome.action == "dead":
            fields_out = {"job": body, "reason": outcome.reason[:1000], "attempts": attempt}
            pipe.xadd(self.dead_key, fields_out)  # type: ignore[arg-type]
            log.warning("dead-lettered a job after %d attempt(s): %s", attempt, outcome.reason)
        pipe.xack(self.jobs_key, self.group, entry_id)
        pipe.xdel(self.jobs_key, entry_id)
        await pipe.execute()

    async def publish_event(self, event: dict[str, Any]) -> None:
        await self._client().xadd(
            self.events_key, {"event": json.dumps(event)}, maxlen=10_000, approximate=True
        )

    # -- for tests and scripts/e2e.py -----------------------------------------------------
    async def publish_job(self, body: bytes) -> None:
        """Append raw bytes as a job, the way the gateway does (also used for poison tests)."""
        await self._client().xadd(self.jobs_key, {"job": body, "attempt": 1})

    async def dead_letters(self) -> list[DeadLetter]:
        """Take every entry out of the dead-letter stream."""
        client = self._client()
        entries: Any = await client.xrange(self.dead_key)
        if entries:
            await client.xdel(self.dead_key, *[entry_id for entry_id, _ in entries])
        return [
            DeadLetter(f[b"job"], f[b"reason"].decode(), int(f[b"attempts"])) for _, f in entries
        ]

    async def watch_events(self) -> AsyncIterator[dict[str, Any]]:
        """Yield every status event published from now on (what the gateway listens to)."""
        client = self._client()
        last: bytes | str = "$"
        while True:
            reply: Any = await client.xread({self.events_key: last}, block=1000)
            for _stream, entries in reply or []:
                for entry_id, fields in entries:
                    last = entry_id
                    yield json.loads(fields[b"event"])

    async def delete_all(self) -> None:
        """Remove every key of this prefix (test clean-up)."""
        keys = [self.jobs_key, self.delayed_key, self.dead_key, self.events_key]
        await self._client().delete(*keys)


def _now_ms() -> int:
    return int(time.time() * 1000)
