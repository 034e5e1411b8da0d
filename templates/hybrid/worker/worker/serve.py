"""Serve the app with uvicorn on HOST:PORT, consuming jobs (`python -m worker`).

On SIGTERM or SIGINT uvicorn stops accepting requests and runs the lifespan shutdown: running
jobs get SHUTDOWN_TIMEOUT_S to finish, the others go back to the broker; the exit status is 0.
If the consumer stops on its own (a bug, not the broker being away), the server stops and the
exit status is 1, so that a supervisor restarts the process.
"""

import signal
from types import FrameType

import uvicorn

from . import logs
from .app import create_app
from .config import Settings


def main() -> int:
    settings = Settings()
    logs.configure(settings.log_level)
    failed = False

    def on_failure(_: BaseException) -> None:
        nonlocal failed
        failed = True
        server.should_exit = True

    def exit_after_shutdown(signum: int, frame: FrameType | None) -> None:
        # uvicorn re-raises the signal it handled once it has shut down.
        # SIGTERM and Ctrl-C alike are a requested stop: exit 0 (1 if the consumer failed).
        raise SystemExit(1 if failed else 0)

    signal.signal(signal.SIGTERM, exit_after_shutdown)
    signal.signal(signal.SIGINT, exit_after_shutdown)
    config = uvicorn.Config(
        create_app(settings, on_failure),
        host=settings.host,
        port=settings.port,
        log_config=None,  # worker.logs configures logging
        access_log=False,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    server.run()
    return 1 if failed or not server.started else 0
