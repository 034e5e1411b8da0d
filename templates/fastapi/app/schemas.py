"""Request and response bodies (pydantic), kept apart from the database models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

# Ids are PostgreSQL `integer` (and SQLite accepts the same range): bounded in the API, so an
# out-of-range id is a 422 before it reaches the database.
MAX_ID = 2**31 - 1
ItemId = Annotated[int, Field(ge=1, le=MAX_ID)]
# The limits apply to what the client sends, as the OpenAPI document says: at most 200
# characters, at least one of them not whitespace, none of them NUL (which PostgreSQL cannot
# store). The stored name is trimmed.
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*[^\s\x00][^\x00]*$"),
    AfterValidator(str.strip),
]
Description = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]


class ItemCreate(BaseModel):
    # Python's `re`: its \S is exactly what str.strip() keeps, as in the generated tests.
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

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
