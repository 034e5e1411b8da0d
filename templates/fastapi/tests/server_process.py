"""The production entry point, `python -m app`, as a real process for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_health(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited during startup:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url} within {timeout} s")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 10) -> tuple[int, str]:
        """SIGTERM, then the exit status and everything the server printed."""
        self.process.send_signal(signal.SIGTERM)
        returncode = self.process.wait(timeout=timeout)
        return returncode, self.output()

    def output(self) -> str:
        return self.log.read_text()


@contextmanager
def running_server(env: dict[str, str], log: Path, *, migrate: bool = False) -> Iterator[Server]:
    """`python -m app` on a free loopback port, answering /health; killed if still running.

    Its output goes to the file `log` (a pipe nobody reads would fill up and stall it).
    """
    port = free_port()
    command = [sys.executable, "-m", "app", "--host", "127.0.0.1", "--port", str(port)]
    if migrate:
        command.append("--migrate")
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=output, stderr=output
        )
    server = Server(process=process, port=port, log=log)
    try:
        wait_for_health(f"{server.url}/health", process, log)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
