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
# What str.strip() removes (every character for which str.isspace() is true), spelled out:
# regex engines disagree about `\s` (Python's includes \x1c-\x1f, ECMAScript's and the test
# generators' do not), and the OpenAPI document must say exactly what the server accepts.
SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The limits apply to what the client sends, as the OpenAPI document says: at most 200
# characters, at least one of them not whitespace, none of them NUL (which PostgreSQL cannot
# store). The stored name is trimmed.
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=rf"^[^\x00]*[^\x00{SPACE}][^\x00]*$"),
    AfterValidator(str.strip),
]
Description = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]


class ItemCreate(BaseModel):
    # Python's `re` (the pattern above uses its \u escapes).
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
