"""A small, safe comparison language over axis values (no ``eval``).

A filter keeps or drops a point of the design space by looking only at its axis values.
The grammar is deliberately tiny, so a space file can never run code::

    expr   := and ("or" and)*
    and    := not ("and" not)*
    not    := "not" not | "(" expr ")" | clause
    clause := AXIS OP value | AXIS ["not"] "in" "[" value ("," value)* "]"
    OP     := == | != | < | <= | > | >=
    value  := 'text' | "text" | NUMBER [UNIT] | WORD

Lengths compare by their value in micrometres (``"0.6 mm" == "600 um"``), plain numbers
as numbers, anything else as text. Ordering text against a length is an error.

Examples
--------
>>> keep = compile_filter("thickness <= 0.7 mm and process != foms", ["thickness", "process"])
>>> keep({"thickness": "0.6 mm", "process": "epop"})
True
>>> keep({"thickness": "800 um", "process": "epop"})
False
>>> compile_filter("thicknes < 1 mm", ["thickness"])
Traceback (most recent call last):
...
layoutopt.errors.SpaceError: filters = 'thicknes < 1 mm': unknown axis 'thicknes'. Fix: did you
mean 'thickness'? Axes: thickness.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from layoutopt.errors import SpaceError
from layoutopt.units import LENGTH_UNITS_UM, UnitError, parse_length_um

__all__ = ["Predicate", "comparable", "compile_filter", "matches_exclusion"]

Predicate = Callable[[Mapping[str, Any]], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>'[^']*'|"[^"]*")
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
      | (?P<word>[^\s()\[\],<>=!'"]+)
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_KEYWORDS = {"and", "or", "not", "in"}


def comparable(value: object) -> tuple[str, Any]:
    """A value reduced to (kind, key) so that equal quantities compare equal.

    >>> comparable("0.6 mm") == comparable("600 um")
    True
    >>> comparable(3)
    ('number', 3.0)
    >>> comparable("epop")
    ('text', 'epop')
    """
    if isinstance(value, bool):
        return ("text", str(value).lower())
    if isinstance(value, int | float):
        return ("number", float(value))
    text = str(value).strip()
    if _NUMBER.match(text):
        return ("number", float(text))
    try:
        return ("length", parse_length_um(text))
    except UnitError:
        return ("text", text)


def matches_exclusion(values: Mapping[str, Any], exclusion: Mapping[str, Any]) -> bool:
    """True when every ``axis: value`` (or ``axis: [values]``) of ``exclusion`` matches."""
    for axis, wanted in exclusion.items():
        options = wanted if isinstance(wanted, list) else [wanted]
        if comparable(values[axis]) not in {comparable(v) for v in options}:
            return False
    return True


class _Parser:
    def __init__(self, text: str, axes: Sequence[str]) -> None:
        self.text = text
        self.axes = list(axes)
        self.tokens = self._tokenize(text)
        self.pos = 0

    def fail(self, message: str, fix: str) -> SpaceError:
        return SpaceError(message, field="filters", value=self.text, fix=fix)

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text.rstrip()):
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                raise self.fail(
                    f"cannot read the filter at {text[pos:]!r}",
                    "write comparisons like \"axis <= 0.7 mm\" joined by 'and' / 'or'",
                )
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            pos = match.end()
        return tokens

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (expected is not None and token[1] != expected):
            found = "the end" if token is None else repr(token[1])
            want = repr(expected) if expected else "more"
            raise self.fail(f"expected {want} but found {found}", "check the filter's syntax")
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.expr()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()[1]!r}", "join comparisons with 'and' / 'or'")  # type: ignore[index]
        return predicate

    def expr(self) -> Predicate:
        parts = [self.conj()]
        while self.peek() == ("word", "or"):
            self.take()
            parts.append(self.conj())
        return parts[0] if len(parts) == 1 else (lambda v: any(p(v) for p in parts))

    def conj(self) -> Predicate:
        parts = [self.negation()]
        while self.peek() == ("word", "and"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda v: all(p(v) for p in parts))

    def negation(self) -> Predicate:
        token = self.peek()
        if token == ("word", "not"):
            self.take()
            inner = self.negation()
            return lambda v: not inner(v)
        if token == ("op", "("):
            self.take()
            inner = self.expr()
            self.take(")")
            return inner
        return self.clause()

    def clause(self) -> Predicate:
        kind, axis = self.take()
        if kind != "word" or axis in _KEYWORDS:
            raise self.fail(f"expected an axis name, found {axis!r}", "start with an axis name")
        if axis not in self.axes:
            near = difflib.get_close_matches(axis, self.axes, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise self.fail(f"unknown axis {axis!r}", f"{hint}Axes: {', '.join(self.axes)}")
        negate = False
        if self.peek() == ("word", "not"):
            self.take()
            negate = True
            if self.peek() != ("word", "in"):
                raise self.fail(
                    "'not' after an axis must be followed by 'in'", "write 'axis not in [a, b]'"
                )
        token = self.take()
        if token == ("word", "in"):
            options = self.value_list()
            return lambda v: (comparable(v[axis]) in options) != negate
        if token[0] != "op" or token[1] not in ("==", "!=", *_ORDER):
            raise self.fail(
                f"expected a comparison after {axis!r}, found {token[1]!r}",
                "use ==, !=, <, <=, >, >= or in",
            )
        op = token[1]
        literal = self.value()
        if op == "==":
            return lambda v: comparable(v[axis]) == literal
        if op == "!=":
            return lambda v: comparable(v[axis]) != literal
        compare = _ORDER[op]
        text = self.text

        def ordered(v: Mapping[str, Any]) -> bool:
            left = comparable(v[axis])
            if left[0] != literal[0]:
                raise SpaceError(
                    f"cannot order {v[axis]!r} against {literal[1]!r} ({left[0]} vs {literal[0]})",
                    field="filters",
                    value=text,
                    fix="compare lengths with lengths and numbers with numbers",
                )
            return bool(compare(left[1], literal[1]))

        return ordered

    def value_list(self) -> frozenset[tuple[str, Any]]:
        self.take("[")
        values = {self.value()}
        while self.peek() == ("op", ","):
            self.take()
            values.add(self.value())
        self.take("]")
        return frozenset(values)

    def value(self) -> tuple[str, Any]:
        kind, text = self.take()
        if kind == "str":
            return comparable(text[1:-1])
        if kind != "word":
            raise self.fail(
                f"expected a value, found {text!r}", "give a number, a length or a name"
            )
        nxt = self.peek()
        if _NUMBER.match(text) and nxt is not None and nxt[1] in LENGTH_UNITS_UM:
            self.take()
            return comparable(f"{text} {nxt[1]}")
        return comparable(text)


def compile_filter(text: str, axes: Sequence[str]) -> Predicate:
    """Compile a filter expression into a predicate over a point's axis values."""
    return _Parser(text, axes).parse()
