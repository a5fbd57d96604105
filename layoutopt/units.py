"""Explicit units at the boundary: parse quantities written by people, once.

Inside layoutopt geometry is integer micrometres and thermal work is SI floats. Design
files must say their unit (``"9.5 mm"``, ``"40 um"``, ``"120 mW"``); a bare number for a
length is ambiguous and rejected.

Examples
--------
>>> parse_length_um("9.5 mm")
9500
>>> parse_length_um("40 um")
40
>>> parse_power_w("120 mW")
0.12
>>> parse_duration_s("8 h")
28800.0
>>> parse_bandwidth_bit_per_s("2 GB/s")
16000000000.0
>>> format_length_mm(9500)
'9.5 mm'
"""

from __future__ import annotations

import math
import re

from layoutopt.limits import MAX_LENGTH_UM, MAX_POWER_W

__all__ = [
    "BANDWIDTH_UNITS_BIT_PER_S",
    "DURATION_UNITS_S",
    "LENGTH_UNITS_UM",
    "POWER_UNITS_W",
    "UnitError",
    "format_duration",
    "format_length_mm",
    "parse_bandwidth_bit_per_s",
    "parse_duration_s",
    "parse_length_um",
    "parse_power_w",
]

LENGTH_UNITS_UM: dict[str, float] = {
    "um": 1.0,
    "µm": 1.0,
    "μm": 1.0,
    "mm": 1000.0,
    "cm": 10000.0,
    "mil": 25.4,
}
POWER_UNITS_W: dict[str, float] = {"W": 1.0, "mW": 1e-3, "uW": 1e-6, "µW": 1e-6}
DURATION_UNITS_S: dict[str, float] = {"ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0}
# Bytes and bits are both common for memory traffic, so the unit must say which (B or b).
BANDWIDTH_UNITS_BIT_PER_S: dict[str, float] = {
    "Gb/s": 1e9,
    "Mb/s": 1e6,
    "GB/s": 8e9,
    "MB/s": 8e6,
    "TB/s": 8e12,
}

_QUANTITY = re.compile(
    r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ]+(?:/s)?)\s*$"
)


_BARE_NUMBER = re.compile(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$")


class UnitError(ValueError):
    """A quantity could not be read; the message says what to write instead (``fix``,
    when given, is the change to make)."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.fix = fix


def _split(text: object, kind: str, units: dict[str, float], example: str) -> tuple[float, float]:
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise UnitError(f"expected a {kind} with a unit such as {example!r}")
    if isinstance(text, (int, float)) or _BARE_NUMBER.match(text):
        raise UnitError(
            f"a bare number is ambiguous for a {kind}; write the unit, e.g. {example!r}"
        )
    match = _QUANTITY.match(text)
    if match is None:
        raise UnitError(
            f"cannot read {text!r} as a {kind}; write a number and a unit, e.g. {example!r}"
        )
    number, unit = float(match.group(1)), match.group(2)
    if unit not in units:
        known = ", ".join(units)
        raise UnitError(f"unknown {kind} unit {unit!r}; use one of {known}, e.g. {example!r}")
    return number, units[unit]


def parse_length_um(text: object, *, allow_zero: bool = True) -> int:
    """Read a length such as ``"9.5 mm"`` as whole micrometres.

    Lengths must resolve to a whole number of micrometres (to 1 nm), since geometry in the
    core is integer micrometres; negative lengths and lengths above
    :data:`~layoutopt.limits.MAX_LENGTH_UM` (1 m) are rejected.

    >>> parse_length_um("0.6 mm")
    600
    >>> try:
    ...     parse_length_um("0")
    ... except UnitError as err:
    ...     print(err)
    a bare number ... write the unit, e.g. '40 um'
    >>> try:
    ...     parse_length_um("1e30 mm")
    ... except UnitError as err:
    ...     print(err)
    '1e30 mm' is longer than any length layoutopt accepts (at most 1000 mm)
    """
    number, scale = _split(text, "length", LENGTH_UNITS_UM, "40 um")
    value_um = number * scale
    if value_um < 0 or (value_um == 0 and not allow_zero):
        raise UnitError(f"{text!r} must be {'positive' if not allow_zero else 'zero or positive'}")
    if not value_um <= MAX_LENGTH_UM:  # also catches inf ("1e999 mm")
        raise UnitError(
            f"{text!r} is longer than any length layoutopt accepts "
            f"(at most {format_length_mm(MAX_LENGTH_UM)})",
            fix="check the exponent and the unit (lengths are bounded, see docs/limits.md)",
        )
    rounded = round(value_um)
    if not math.isclose(value_um, rounded, abs_tol=1e-3):
        raise UnitError(
            f"{text!r} is not a whole number of micrometres; round it, e.g. '{rounded} um'"
        )
    return int(rounded)


def parse_power_w(text: object) -> float:
    """Read a power such as ``"120 mW"`` in watts (zero or positive, at most
    :data:`~layoutopt.limits.MAX_POWER_W`)."""
    number, scale = _split(text, "power", POWER_UNITS_W, "120 mW")
    if number < 0:
        raise UnitError(f"{text!r} must be zero or positive")
    if not number * scale <= MAX_POWER_W:  # also catches inf ("1e999 W")
        raise UnitError(
            f"{text!r} is more than any die power layoutopt accepts (at most {MAX_POWER_W:g} W)",
            fix="check the exponent and the unit (powers are bounded, see docs/limits.md)",
        )
    return number * scale


def parse_duration_s(text: object) -> float:
    """Read a duration such as ``"1 min"``, ``"8 h"`` or ``"500 ms"`` in seconds (positive).

    >>> parse_duration_s("1 min")
    60.0
    """
    number, scale = _split(text, "duration", DURATION_UNITS_S, "1 min")
    if not (number > 0 and math.isfinite(number)):
        raise UnitError(f"{text!r} must be positive")
    return number * scale


def parse_bandwidth_bit_per_s(text: object) -> float:
    """Read a data rate such as ``"2 GB/s"`` (bytes) or ``"16 Gb/s"`` (bits) in bit/s.

    >>> parse_bandwidth_bit_per_s("16 Gb/s") == parse_bandwidth_bit_per_s("2 GB/s")
    True
    """
    number, scale = _split(text, "data rate", BANDWIDTH_UNITS_BIT_PER_S, "2 GB/s")
    if not (number >= 0 and math.isfinite(number)):
        raise UnitError(f"{text!r} must be zero or positive")
    return number * scale


def format_duration(seconds: float) -> str:
    """A duration for people: seconds below 2 min, minutes below 2 h, else hours.

    >>> format_duration(42.0), format_duration(660.0), format_duration(28800.0)
    ('42 s', '11 min', '8 h')
    """
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 7200:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


def format_length_mm(value_um: int) -> str:
    """Format micrometres as millimetres for people, without trailing zeros."""
    return f"{value_um / 1000:.3f}".rstrip("0").rstrip(".") + " mm"
