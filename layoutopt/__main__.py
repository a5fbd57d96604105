"""``python -m layoutopt``: the command line."""

from layoutopt.cli import main

main()
