"""The yield and cost inputs (library data ``economics.yaml``), each with its source.

Every number is an :class:`Input` with its confidence; estimates (E) carry a range and
which end of it is worse for the package. :meth:`Inputs.values` gives one number per key
at a :class:`Corner`: the nominal values, or every estimate at its better or its worse end
(the band of the answers that the estimates allow; sourced values stay put).

>>> inputs = load_inputs()
>>> inputs["technologies.logic_5nm.wafer_cost_usd"].value
16988.0
>>> nominal, worst = inputs.values(Corner.NOMINAL), inputs.values(Corner.WORST)
>>> nominal["kgd.test_coverage"], worst["kgd.test_coverage"]
(0.95, 0.85)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml

from layoutopt.errors import LibraryError

__all__ = ["Corner", "Input", "Inputs", "load_inputs"]

FILE = "layoutopt/library/data/economics.yaml"


class Corner(StrEnum):
    """Where the estimates are taken: nominal, all at their better or all at their worse end."""

    NOMINAL = "nominal"
    BEST = "best"
    WORST = "worst"


@dataclass(frozen=True)
class Input:
    """One input value with its source; ``low``/``high``/``worse`` only for estimates."""

    key: str
    value: float
    source: str
    confidence: str
    low: float | None = None
    high: float | None = None
    worse: str | None = None  # "low" or "high"

    def at(self, corner: Corner) -> float:
        if corner is Corner.NOMINAL or self.low is None or self.high is None:
            return self.value
        worst = self.high if self.worse == "high" else self.low
        best = self.low if self.worse == "high" else self.high
        return worst if corner is Corner.WORST else best


@dataclass(frozen=True)
class Inputs:
    """All inputs by dotted key (``bonding.tc_ncf.yield``) plus the plain mappings."""

    items: tuple[Input, ...]
    tables: Mapping[str, Any]  # the non-numeric parts: die_technology, micro_bump_process, ...

    def __getitem__(self, key: str) -> Input:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def __iter__(self) -> Iterator[Input]:
        return iter(self.items)

    def values(self, corner: Corner = Corner.NOMINAL) -> dict[str, float]:
        return {item.key: item.at(corner) for item in self.items}

    def replace(self, **changes: float) -> Inputs:
        """These inputs with some nominal values changed (keys with ``__`` for dots)."""
        wanted = {k.replace("__", "."): v for k, v in changes.items()}
        unknown = sorted(set(wanted) - {i.key for i in self.items})
        if unknown:
            raise KeyError(f"unknown inputs: {', '.join(unknown)}")
        items = tuple(
            Input(i.key, float(wanted[i.key]), "given", "H") if i.key in wanted else i
            for i in self.items
        )
        return Inputs(items, self.tables)


def _is_input(node: Any) -> bool:
    return isinstance(node, dict) and "value" in node and "source" in node


def _parse(node: Any, prefix: str, items: list[Input], tables: dict[str, Any]) -> None:
    for key, child in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if _is_input(child):
            items.append(_input(path, child))
        elif isinstance(child, dict) and any(
            _is_input(v) or isinstance(v, dict) for v in child.values()
        ):
            _parse(child, path, items, tables)
        else:
            tables[path] = child


def _input(key: str, raw: dict[str, Any]) -> Input:
    confidence = raw.get("confidence")
    if confidence not in ("H", "M", "L", "E"):
        raise LibraryError(
            "confidence must be H, M, L or E", file=FILE, field=key, value=confidence
        )
    value = float(raw["value"])
    rng = raw.get("range")
    if confidence == "E" and rng is None:
        raise LibraryError(
            "an estimate needs a range",
            file=FILE,
            field=f"{key}.range",
            fix="add range: [low, high] and worse: low|high",
        )
    if rng is None:
        return Input(key, value, str(raw["source"]), confidence)
    low, high = (float(v) for v in rng)
    if not low <= value <= high or raw.get("worse") not in ("low", "high"):
        raise LibraryError(
            "range must hold the value and name the worse end",
            file=FILE,
            field=key,
            value=rng,
            fix="write range: [low, high] around value, and worse: low or worse: high",
        )
    return Input(key, value, str(raw["source"]), confidence, low, high, raw["worse"])


@cache
def load_inputs() -> Inputs:
    """The built-in yield and cost inputs (read once; frozen)."""
    text = resources.files("layoutopt.library").joinpath("data", "economics.yaml")
    data = yaml.safe_load(text.read_text("utf-8"))
    items: list[Input] = []
    tables: dict[str, Any] = {}
    _parse(data, "", items, tables)
    return Inputs(tuple(items), tables)
