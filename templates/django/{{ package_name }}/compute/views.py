"""POST /api/compute/pi {"samples": 1..50000000, "seed": optional 0..2**31-1}

200 {"samples": n, "estimate": 3.14..., "elapsed_ms": ...}; 400 with {"field": ["message"]}
(or {"detail": "..."} for a body that is not a JSON object), like the items API.
"""

import json
import time
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .pi import estimate_pi
from .pool import run

MAX_SAMPLES = 50_000_000
MAX_SEED = 2**31 - 1


def _integer(data: dict[str, Any], name: str, low: int, high: int) -> str | None:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        return "A valid integer is required."
    if not low <= value <= high:
        return f"Ensure this value is between {low} and {high}."
    return None


def validate(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "samples" not in data:
        errors["samples"] = ["This field is required."]
    elif message := _integer(data, "samples", 1, MAX_SAMPLES):
        errors["samples"] = [message]
    if data.get("seed") is not None and (message := _integer(data, "seed", 0, MAX_SEED)):
        errors["seed"] = [message]
    unknown = sorted(set(data) - {"samples", "seed"})
    if unknown:
        errors["non_field_errors"] = [f"Unknown field(s): {', '.join(unknown)}."]
    return errors


# No cookie-based auth on this JSON endpoint: CSRF protection does not apply.
@csrf_exempt
@transaction.non_atomic_requests
async def compute_pi(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        return JsonResponse({"detail": f"JSON parse error - {exc}"}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"detail": "Expected a JSON object."}, status=400)
    errors = validate(data)
    if errors:
        return JsonResponse(errors, status=400)
    samples: int = data["samples"]
    seed: int | None = data.get("seed")
    start = time.perf_counter()
    estimate = await run(estimate_pi, samples, seed)
    elapsed_ms = round((time.perf_counter() - start) * 1000, 3)
    return JsonResponse({"samples": samples, "estimate": estimate, "elapsed_ms": elapsed_ms})
