"""``python -m layoutopt.sweep SPACE -o DIR``."""

import sys

from layoutopt.sweep.cli import main

if __name__ == "__main__":
    sys.exit(main())
