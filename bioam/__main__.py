"""``python -m bioam``: the command line (`bioam.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
