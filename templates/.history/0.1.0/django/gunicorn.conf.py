"""gunicorn settings for `make run` and the Docker image (read from the environment).

HOST (default 127.0.0.1) and PORT (default 8000) select the address; WEB_CONCURRENCY
overrides the worker count (default: 2 x CPUs + 1, at most 8). On SIGTERM gunicorn stops
accepting connections, lets in-flight requests finish within GUNICORN_GRACEFUL_TIMEOUT
seconds, and exits 0.
"""

import os


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # respects container CPU pinning
    except AttributeError:
        return os.cpu_count() or 1


bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cpu_count() + 1, 8))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "8"))
keepalive = 5

# The app logs one line per request (with its request id) itself; gunicorn's own access
# log would duplicate it. gunicorn's lifecycle messages go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn 25+ opens a control socket for `gunicornc` at $XDG_RUNTIME_DIR/gunicorn.ctl or
# $HOME/.gunicorn/gunicorn.ctl: one shared path for every gunicorn of the user, and not
# writable for the non-root user in the Docker image. Not needed to serve; off.
control_socket_disable = True

# X-Forwarded-* headers are trusted from these proxy addresses only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
