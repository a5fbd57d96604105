"""The stacking structure of a solution: small frozen facts the thermal loop can forbid.

What the compact thermal model sees of a layout, besides positions and the package: who
rests on whom, which dies are thinned to what, which parts hang on the bottom face. A
thermal no-good cut forbids one :class:`Structure` (every fact of it at once).

>>> s = Structure.of([RestsOn("B", "A"), OnSubstrate("A")])
>>> [str(f) for f in s.facts]
['A on the substrate', 'B on A']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from layoutopt.solver.variables import Variables

__all__ = ["OnBottomFace", "OnSubstrate", "RestsOn", "Structure", "StructureFact", "ThinnedTo"]


@dataclass(frozen=True)
class OnSubstrate:
    die_id: str

    def literal(self, v: Variables) -> cp_model.IntVar:
        return v.dies[self.die_id].base

    def key(self) -> tuple[str, int, str]:
        return (self.die_id, 0, "")

    def __str__(self) -> str:
        return f"{self.die_id} on the substrate"


@dataclass(frozen=True)
class RestsOn:
    die_id: str
    lower_id: str

    def literal(self, v: Variables) -> cp_model.IntVar:
        return v.dies[self.die_id].on[self.lower_id]

    def key(self) -> tuple[str, int, str]:
        return (self.die_id, 1, self.lower_id)

    def __str__(self) -> str:
        return f"{self.die_id} on {self.lower_id}"


@dataclass(frozen=True)
class OnBottomFace:
    die_id: str

    def literal(self, v: Variables) -> cp_model.IntVar:
        bottom = v.dies[self.die_id].bottom
        if bottom is None:
            raise ValueError(f"die {self.die_id} cannot be on the bottom face")
        return bottom

    def key(self) -> tuple[str, int, str]:
        return (self.die_id, 2, "")

    def __str__(self) -> str:
        return f"{self.die_id} on the bottom face"


@dataclass(frozen=True)
class ThinnedTo:
    die_id: str
    thickness_um: int

    def literal(self, v: Variables) -> cp_model.IntVar:
        return v.dies[self.die_id].thickness_choice[self.thickness_um]

    def key(self) -> tuple[str, int, str]:
        return (self.die_id, 3, f"{self.thickness_um:012d}")

    def __str__(self) -> str:
        return f"{self.die_id} {self.thickness_um} µm thick"


StructureFact = OnSubstrate | RestsOn | OnBottomFace | ThinnedTo


@dataclass(frozen=True)
class Structure:
    """A set of facts, kept in a fixed order (die id, then kind of fact)."""

    facts: tuple[StructureFact, ...]

    @classmethod
    def of(cls, facts: Iterable[StructureFact]) -> Structure:
        return cls(tuple(sorted(set(facts), key=lambda f: f.key())))

    def __str__(self) -> str:
        return ", ".join(str(f) for f in self.facts)
