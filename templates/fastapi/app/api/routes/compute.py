"""CPU-heavy endpoints: the work runs in the process pool (app/compute.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.api.deps import ComputePoolDep
from app.compute import PoolBusyError, estimate_pi
from app.schemas import error_response

router = APIRouter(prefix="/api/compute", tags=["compute"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    400: error_response("The body is not valid JSON"),
    429: error_response("Too many tasks are queued; retry later (see Retry-After)"),
}


class PiRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    samples: Annotated[int, Field(ge=1, le=50_000_000, description="Random points to draw")]
    seed: Annotated[int | None, Field(ge=0, le=2**31 - 1, description="For repeatable runs")] = None

    @field_validator("samples", "seed", mode="before")
    @classmethod
    def _no_booleans(cls, value: object) -> object:
        # JSON true/false are not integers, though Python's bool is an int.
        if isinstance(value, bool):
            msg = "Input should be a valid integer, not a boolean"
            raise ValueError(msg)
        return value


class PiResult(BaseModel):
    samples: int
    estimate: float
    elapsed_ms: float


@router.post("/pi", response_model=PiResult, responses=RESPONSES)
async def compute_pi(body: PiRequest, pool: ComputePoolDep) -> PiResult:
    """Monte Carlo estimate of pi, computed in a worker process."""
    try:
        estimate, elapsed_ms = await pool.run(estimate_pi, body.samples, body.seed)
    except PoolBusyError:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="Too many compute tasks are queued; retry later",
            headers={"Retry-After": "1"},
        ) from None
    return PiResult(samples=body.samples, estimate=estimate, elapsed_ms=elapsed_ms)
