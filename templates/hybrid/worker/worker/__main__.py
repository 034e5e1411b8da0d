"""`python -m worker`: serve the app and consume jobs until SIGTERM or Ctrl-C (exit status 0).

The signal handlers come first: a stop requested while the app is still importing (numpy, the
broker client, FastAPI) or starting is a clean exit too, not a death by signal.
"""

import signal
import sys
from types import FrameType


def _stop_before_serving(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def run() -> int:
    signal.signal(signal.SIGTERM, _stop_before_serving)
    signal.signal(signal.SIGINT, _stop_before_serving)
    from .serve import main  # after the handlers: these imports take a moment

    return main()


sys.exit(run())
