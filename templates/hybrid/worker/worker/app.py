"""The worker as a FastAPI app: the broker consumer runs in its lifespan.

- `GET /health`        alive (503 once the consumer has stopped on its own)
- `GET /health/ready`  503 until the broker is connected and jobs are consumed
- `POST /jobs/run`     debugging: run one job (a message of `contracts/job.v1.schema.json`)
                       synchronously and answer its result; nothing goes through the broker
- `GET /docs`          the OpenAPI UI of these endpoints
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .config import Settings
from .consumer import Consumer
from .contract import Contract
from .processing import run_task
from .tasks import Stats, TaskError


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


class JobResult(BaseModel):
    id: str
    type: str
    result: dict[str, float]


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def create_app(
    settings: Settings | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
) -> FastAPI:
    """The app; `on_failure` is called if the consumer stops on its own (the process exits 1)."""
    settings = settings or Settings()
    contract = Contract.load(settings.contracts_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        consumer = Consumer(settings, contract, on_failure)
        app.state.consumer = consumer
        consumer.start()
        try:
            yield
        finally:
            await consumer.stop()

    app = FastAPI(
        title="worker",
        summary="Consumes jobs from the broker; health, readiness and a debugging endpoint",
        lifespan=lifespan,
    )
    app.state.consumer = None

    def consumer_of(request: Request) -> Consumer | None:
        consumer: Consumer | None = request.app.state.consumer
        return consumer

    @app.get("/health", response_model=Health, responses={503: {"model": Health}})
    async def health(request: Request) -> Any:
        consumer = consumer_of(request)
        if consumer is not None and consumer.failed is not None:
            return JSONResponse({"status": "failed", "checks": {"consumer": "stopped"}}, 503)
        return Health(status="ok")

    @app.get("/health/ready", response_model=Health, responses={503: {"model": Health}})
    async def ready(request: Request) -> Any:
        consumer = consumer_of(request)
        state = "ok" if consumer is not None and consumer.ready() else "unavailable"
        body = Health(status=state, checks={"broker": state})
        return JSONResponse(body.model_dump(), status_code=200 if state == "ok" else 503)

    @app.post(
        "/jobs/run",
        response_model=JobResult,
        responses={400: {"description": "not JSON"}, 422: {"description": "invalid or failed"}},
    )
    async def run_job(request: Request) -> Any:
        """Run one job now, in this process, and answer its result (for debugging)."""
        try:
            job = json.loads(await request.body())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _error(400, "malformed_json", f"the body is not JSON: {exc}")
        problems = contract.job_problems(job)
        if problems:
            return _error(422, "invalid_job", "the job breaks the contract", problems=problems)
        try:
            result: Stats = await asyncio.to_thread(run_task, job)
        except TaskError as exc:
            return _error(422, "task_failed", str(exc))
        return JobResult(id=job["id"], type=job["type"], result=dict(result))

    return app
