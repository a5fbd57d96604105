"""Standard package bodies (``data/standards.yaml``): sizes a design can snap to.

Each entry keeps its reference-data row and confidence, like the rest of the library.

>>> sizes = load_standards()
>>> s = standard("hbm3e_11x11")
>>> (s.width_um, s.length_um, s.max_height_um)
(11000, 11000, 720)
>>> [s.name for s in standards_for(Family.TSV_STACK)]
['hbm3e_11x11', 'hbm4_11x11']
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import Field, ValidationError

from layoutopt.errors import LibraryError
from layoutopt.library.spec import Confidence, PositiveLength, _Strict, nearest, validation_error
from layoutopt.model import Family, StandardSize

__all__ = ["load_standards", "standard", "standards_for"]

_FILE = "layoutopt/library/data/standards.yaml"


class StandardSpec(_Strict):
    """One entry of ``standards.yaml``."""

    description: str = ""
    width: PositiveLength
    length: PositiveLength
    max_height: PositiveLength | None = Field(None, description="height class; omit if unknown")
    balls: int | None = Field(None, ge=1)
    families: list[Family] = Field(min_length=1)
    source: str
    confidence: Confidence


@cache
def load_standards() -> tuple[StandardSize, ...]:
    """Every standard body, in file order."""
    text = (
        resources.files("layoutopt.library").joinpath("data", "standards.yaml").read_text("utf-8")
    )
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise LibraryError("expected a mapping of names to entries", file=_FILE)
    out = []
    for name, raw in data.items():
        try:
            spec = StandardSpec.model_validate(raw)
        except ValidationError as err:
            raise validation_error(
                err, StandardSpec, file=_FILE, prefix=(name,), error_type=LibraryError
            ) from None
        out.append(
            StandardSize(
                name=name,
                width_um=spec.width,
                length_um=spec.length,
                max_height_um=spec.max_height,
                balls=spec.balls,
                families=tuple(spec.families),
                description=spec.description,
                source=spec.source,
                confidence=spec.confidence,
            )
        )
    return tuple(out)


def standard(name: str) -> StandardSize:
    """The standard body ``name``; :class:`LibraryError` lists the known names otherwise."""
    known = load_standards()
    for s in known:
        if s.name == name:
            return s
    names = [s.name for s in known]
    guess = nearest(name, names)
    fix = (f"did you mean {guess!r}? " if guess else "") + f"known standards: {', '.join(names)}"
    raise LibraryError(f"unknown standard {name!r}", value=name, fix=fix)


def standards_for(family: Family) -> tuple[StandardSize, ...]:
    """The standard bodies a family builds, in file order."""
    return tuple(s for s in load_standards() if family in s.families)
