"""Dotted field paths into a design file's raw YAML data (``dies[0].part``).

A sweep axis names a design *file* field; it is applied to the raw dict of the base
design before that design is loaded, so any field a design file has can be swept.

Examples
--------
>>> parse_path("dies[0].part")
('dies', 0, 'part')
>>> set_path({"dies": [{"part": "a"}]}, "dies[0].part", "b")
{'dies': [{'part': 'b'}]}
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterable
from typing import Any

from layoutopt.errors import SpaceError

__all__ = ["check_path", "parse_path", "set_path", "set_paths"]

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")

Segment = str | int


def parse_path(path: str) -> tuple[Segment, ...]:
    """Split ``a.b[2].c`` into ``('a', 'b', 2, 'c')``; malformed paths raise SpaceError."""
    segments: list[Segment] = []
    for part in path.split("."):
        match = _SEGMENT.fullmatch(part)
        if match is None:
            raise SpaceError(
                "malformed field path",
                field="axes.path",
                value=path,
                fix="write a dotted path, e.g. 'dies[0].part' or 'envelope.max_thickness'",
            )
        segments.append(match.group(1))
        segments.extend(int(i) for i in _INDEX.findall(match.group(2)))
    return tuple(segments)


def _where(segments: tuple[Segment, ...]) -> str:
    text = ""
    for seg in segments:
        text += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if text else seg)
    return text or "(top level)"


def check_path(base: Any, path: str) -> None:
    """Check that ``path`` leads somewhere in ``base``; suggest the nearest field if not.

    A key may be missing from the base design (an optional field or section it does not
    set; setting the axis creates it) unless it is a near miss of a key that is there
    (``max_thicknes``); the up-front load of every point then decides whether the design
    schema knows it. List indices must exist.

    >>> check_path({"envelope": {"max_thickness": "0.6 mm"}}, "envelope.max_thicknes")
    Traceback (most recent call last):
    ...
    layoutopt.errors.SpaceError: axes.path = 'envelope.max_thicknes': the base design has no field
    'max_thicknes' under envelope. Fix: did you mean 'envelope.max_thickness'? Fields there:
    max_thickness.
    """
    segments = parse_path(path)
    node: Any = base
    for depth, seg in enumerate(segments):
        here = _where(segments[:depth])
        if isinstance(seg, int):
            if not isinstance(node, list):
                raise SpaceError(
                    f"{here} is not a list, so it cannot be indexed with [{seg}]",
                    field="axes.path",
                    value=path,
                    fix=f"drop the [{seg}]",
                )
            if seg >= len(node):
                raise SpaceError(
                    f"{here} has {len(node)} entries, so [{seg}] does not exist",
                    field="axes.path",
                    value=path,
                    fix=f"use an index from 0 to {len(node) - 1}",
                )
            node = node[seg]
            continue
        if not isinstance(node, dict):
            raise SpaceError(
                f"{here} is a {type(node).__name__}, not a mapping with field {seg!r}",
                field="axes.path",
                value=path,
                fix="point the path at a field of the base design",
            )
        if seg in node:
            node = node[seg]
            continue
        known = sorted(str(k) for k in node)
        near = difflib.get_close_matches(str(seg), known, n=1, cutoff=0.75)
        if not near and not any(isinstance(s, int) for s in segments[depth:]):
            return  # an optional field (or section) the base leaves out: created when set
        hint = f"did you mean {_where((*segments[:depth], near[0]))!r}? " if near else ""
        raise SpaceError(
            f"the base design has no field {seg!r} under {here}",
            field="axes.path",
            value=path,
            fix=f"{hint}Fields there: {', '.join(known) or 'none'}",
        )


def set_paths(data: dict[str, Any], assignments: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A deep copy of ``data`` with each ``(path, value)`` set (the input is not changed)."""
    result = copy.deepcopy(data)
    for path, value in assignments:
        segments = parse_path(path)
        node: Any = result
        for seg in segments[:-1]:
            node = node.setdefault(seg, {}) if isinstance(seg, str) else node[seg]
        node[segments[-1]] = copy.deepcopy(value)
    return result


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with ``path`` set to ``value``."""
    return set_paths(data, [(path, value)])
