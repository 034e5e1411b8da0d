"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from app.api.deps import EngineDep
from app.db import ping
from app.schemas import HealthStatus

router = APIRouter(prefix="/health", tags=["health"])
logger = logging.getLogger(__name__)


@router.get("", response_model=HealthStatus, response_model_exclude_none=True)
def health() -> HealthStatus:
    """Liveness: the process is up and serving. Checks no dependencies."""
    return HealthStatus(status="ok")


@router.get(
    "/ready",
    response_model=HealthStatus,
    responses={503: {"model": HealthStatus, "description": "The database is unreachable"}},
)
def ready(engine: EngineDep) -> HealthStatus | JSONResponse:
    """Readiness: the database answers a query."""
    try:
        ping(engine)
    except SQLAlchemyError as error:
        logger.warning("readiness check failed: %s", error.__class__.__name__)
        body = HealthStatus(status="unavailable", database="unreachable")
        return JSONResponse(status_code=503, content=body.model_dump())
    return HealthStatus(status="ok", database="ok")
