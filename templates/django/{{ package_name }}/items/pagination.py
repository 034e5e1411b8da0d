"""`?offset=` and `?limit=` for GET /api/items, bounded: a value out of range is a 400
naming the parameter, never a database error."""

from collections.abc import Mapping

MAX_OFFSET = 2**31 - 1
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


def _bounded(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > len(str(high)) or not low <= int(raw) <= high:
        raise ValueError(f"Ensure this value is an integer between {low} and {high}.")
    return int(raw)


def page_bounds(params: Mapping[str, str]) -> tuple[int, int] | dict[str, list[str]]:
    """(offset, limit) from the query string, or {"param": ["message"]} when invalid."""
    errors: dict[str, list[str]] = {}
    values: dict[str, int] = {}
    for name, default, low, high in (
        ("offset", 0, 0, MAX_OFFSET),
        ("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
    ):
        try:
            values[name] = _bounded(params, name, default, low, high)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        return errors
    return values["offset"], values["limit"]
