"""Production entry point: `python -m app [--migrate] [--host H] [--port P]`.

Runs uvicorn in this process. On SIGTERM (docker stop, Kubernetes, systemd, make)
uvicorn stops accepting connections, lets in-flight requests finish (at most
GRACEFUL_SHUTDOWN_SECONDS), runs the lifespan shutdown and the process exits 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from types import FrameType

import uvicorn

from app.core.config import ConfigError, get_settings
from app.core.logging import configure_logging

GRACEFUL_SHUTDOWN_SECONDS = 5


def _exit_after_shutdown(signum: int, frame: FrameType | None) -> None:
    # uvicorn handles SIGTERM/SIGINT itself; once it has shut down it re-raises the
    # signal to whatever handler was installed before it. Make that a clean exit
    # (0 for SIGTERM, 130 for Ctrl-C) instead of the default "killed by signal".
    raise SystemExit(0 if signum == signal.SIGTERM else 128 + signum)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--migrate", action="store_true", help="apply pending migrations before serving"
    )
    args = parser.parse_args(argv)

    try:
        settings = get_settings()
    except ConfigError as error:
        sys.exit(f"error: {error}")

    if args.migrate:
        from app.migrate import upgrade_to_head

        configure_logging(settings.log_level, json_logs=settings.json_logs)
        upgrade_to_head(settings.database_url)

    signal.signal(signal.SIGTERM, _exit_after_shutdown)
    signal.signal(signal.SIGINT, _exit_after_shutdown)
    config = uvicorn.Config(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        log_config=None,  # app.core.logging configures logging
        access_log=False,  # replaced by the app.access log line
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
