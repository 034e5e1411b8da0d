"""Health checks and JSON error handlers."""

import logging

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    """True if the default database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("database check failed: %s", exc)
        # Drop the broken connection so the next check starts from scratch.
        connection.close()
        return False
    return True


@transaction.non_atomic_requests
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


@transaction.non_atomic_requests
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database is reachable, 503 when it is not."""
    if database_ok():
        return JsonResponse({"status": "ok", "checks": {"database": "ok"}})
    return JsonResponse({"status": "unavailable", "checks": {"database": "error"}}, status=503)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Internal server error."}, status=500)
