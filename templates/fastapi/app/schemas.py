"""Request and response bodies (pydantic), kept apart from the database models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

# Ids are PostgreSQL `integer` (and SQLite accepts the same range): bounded in the API, so an
# out-of-range id is a 422 before it reaches the database.
MAX_ID = 2**31 - 1
ItemId = Annotated[int, Field(ge=1, le=MAX_ID)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=2000)]


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: ItemId
    name: str
    description: str | None
    # Always UTC with an offset (RFC 3339), e.g. 2026-01-01T12:00:00.123456Z.
    created_at: AwareDatetime


class HealthStatus(BaseModel):
    status: str
    database: str | None = None


class ErrorDetail(BaseModel):
    """The body of every error the API raises itself (400, 404, 429, 500)."""

    detail: str


def error_response(description: str) -> dict[str, Any]:
    """An entry for a route's `responses=`: the status is documented with its body."""
    return {"model": ErrorDetail, "description": description}
