"""`python -m worker`: run the consumer until SIGTERM or Ctrl-C (exit status 0)."""

import sys

from .main import main

sys.exit(main())
