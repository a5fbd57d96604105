"""Checks of command-line option values, shared by both command lines.

``layoutopt`` (typer) and ``python -m layoutopt.sweep`` (argparse) parse the same options
(``--time-limit``, ``-j``, ``--seed``, ``--scheduler``) with these functions, so a value is
refused in the same words whichever way the command is started. Each parser takes the
option's text and returns the value, or raises :class:`OptionValueError`; each command
line turns that into its own usage error (exit 2).

>>> SECONDS("10")
10.0
>>> try:
...     WORKERS("0")
... except OptionValueError as err:
...     print(err)
'0' is out of range; give a value in [1, 256]
"""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = [
    "SECONDS",
    "SEED",
    "WORKERS",
    "OptionValueError",
    "number",
    "scheduler_address",
]


class OptionValueError(ValueError):
    """An option value out of its range: ``text`` as given and what to give instead."""

    def __init__(self, text: str, message: str) -> None:
        super().__init__(f"{text!r} {message}")
        self.text = text
        self.message = message


def number(
    kind: type[int] | type[float], low: float, high: float, *, low_open: bool = False
) -> Callable[[str], int | float]:
    """A parser for a finite number in ``[low, high]`` (``(low, high]`` if ``low_open``)."""
    bracket = "(" if low_open else "["
    interval = f"{bracket}{low:g}, {high:g}]"

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except (TypeError, ValueError):
            what = "an integer" if kind is int else "a number"
            raise OptionValueError(text, f"is not {what}; give {what} in {interval}") from None
        if not math.isfinite(value):
            raise OptionValueError(text, f"is not a finite number; give one in {interval}")
        if value < low or value > high or (low_open and value == low):
            raise OptionValueError(text, f"is out of range; give a value in {interval}")
        return value

    return parse


def scheduler_address(text: str) -> str:
    """A Dask scheduler address: ``[tcp|tls|ws|wss|ucx]://host:port`` (syntax only; a
    scheduler that does not answer is the sweep's to report)."""
    from urllib.parse import urlsplit

    address = text.strip()
    scheme, sep, _rest = address.partition("://")
    example = "e.g. tcp://10.0.0.5:8786"
    if not sep:
        address, scheme = f"tcp://{address}", "tcp"
    if scheme not in ("tcp", "tls", "ws", "wss", "ucx"):
        raise OptionValueError(
            text, f"has an unknown protocol {scheme!r}; use tcp, tls, ws, wss or ucx, {example}"
        )
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError as err:
        raise OptionValueError(text, f"is not a scheduler address ({err}); {example}") from None
    if not parts.hostname or port is None or parts.path or parts.query:
        raise OptionValueError(text, f"is not host:port; {example}")
    return address


SECONDS = number(float, 0, 7 * 24 * 3600, low_open=True)  # a time limit: at most a week
WORKERS = number(int, 1, 256)
SEED = number(int, 0, 2**31 - 1)  # CP-SAT's random_seed is a 32-bit integer
