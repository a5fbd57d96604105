"""What a sweep can trade: the result columns, their units, and which way is better.

A space file names its Pareto objectives and their senses (``pareto: {capacity_gb: max,
cost_usd: min}``); without one the front is footprint × thickness, both minimised.

>>> parse_objectives({"capacity_gb": "max", "cost_usd": "min"})
(ParetoObjective(column='capacity_gb', sense=<Sense.MAX: 'max'>), ParetoObjective(column='cost_usd', sense=<Sense.MIN: 'min'>))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "COLUMNS",
    "DEFAULT_PARETO",
    "ParetoObjective",
    "Sense",
    "label",
    "parse_objectives",
]


class Sense(StrEnum):
    MIN = "min"
    MAX = "max"


#: Every result column a sweep can put on its Pareto front: (the usual sense, axis label).
COLUMNS: dict[str, tuple[Sense, str]] = {
    "footprint_mm2": (Sense.MIN, "footprint (mm²)"),
    "thickness_um": (Sense.MIN, "thickness (µm)"),
    "peak_junction_c": (Sense.MIN, "peak junction (°C)"),
    "skin_c": (Sense.MIN, "skin (°C)"),
    "warpage_um": (Sense.MIN, "warpage, largest |w| 25-260 °C (µm)"),
    "package_yield": (Sense.MAX, "package yield"),
    "cost_usd": (Sense.MIN, "cost per good package ($)"),
    "capacity_gb": (Sense.MAX, "capacity (GB)"),
}


@dataclass(frozen=True)
class ParetoObjective:
    """One axis of the front: a result column and whether less or more is better."""

    column: str
    sense: Sense = Sense.MIN

    def __str__(self) -> str:
        return f"{self.column} ({'maximised' if self.sense is Sense.MAX else 'minimised'})"


DEFAULT_PARETO: tuple[ParetoObjective, ...] = (
    ParetoObjective("footprint_mm2"),
    ParetoObjective("thickness_um"),
)


def label(column: str) -> str:
    """The axis label of a result column (the column name for others)."""
    return COLUMNS[column][1] if column in COLUMNS else column


def parse_objectives(raw: Mapping[str, str]) -> tuple[ParetoObjective, ...]:
    """Objectives from ``{column: min|max}``; ``ValueError`` names an unknown column or sense."""
    found = []
    for column, sense in raw.items():
        if column not in COLUMNS:
            raise ValueError(f"unknown result column {column!r}; known: {', '.join(COLUMNS)}")
        if sense not in (Sense.MIN.value, Sense.MAX.value):
            raise ValueError(f"sense of {column!r} must be 'min' or 'max', not {sense!r}")
        found.append(ParetoObjective(column, Sense(sense)))
    return tuple(found)
