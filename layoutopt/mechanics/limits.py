"""The default warpage limit: JEITA ED-7306 Table 1 by ball pitch (library data).

Between two rows of the table the row of the next *smaller* pitch applies (the stricter
limit: a pitch the table does not list is not given the looser one). Below the smallest row
(0.40 mm) the standard says nothing; the limit is scaled down in proportion to the pitch
(the table's limits are about half the ball height, and ball height scales with pitch), and
the source says so (an estimate). Above 1.27 mm the 1.27 mm row applies.

>>> jeita_limit_um(400)
(100, 'JEITA ED-7306 Table 1, 0.40 mm pitch (domain_data.md §8.5, M)')
>>> jeita_limit_um(350)[0]
87
>>> jeita_limit_um(0) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from layoutopt.errors import LibraryError
from layoutopt.model import Design, Family
from layoutopt.units import UnitError, parse_length_um

__all__ = ["WarpageLimit", "jeita_limit_um", "warpage_limit"]

_FILE = "layoutopt/library/data/warpage_limits.yaml"


@dataclass(frozen=True)
class WarpageLimit:
    """The limit a design is checked against (None: no limit) and where it comes from."""

    max_warpage_um: int | None
    source: str


@cache
def _table() -> tuple[tuple[int, int], ...]:
    text = resources.files("layoutopt.library").joinpath("data", "warpage_limits.yaml")
    data = yaml.safe_load(text.read_text("utf-8"))
    rows = []
    for i, row in enumerate(data["rows"]):
        try:
            rows.append((parse_length_um(row["pitch"]), parse_length_um(row["max_warpage"])))
        except (UnitError, KeyError) as err:
            raise LibraryError(f"bad row: {err}", file=_FILE, field=f"rows[{i}]") from None
    return tuple(sorted(rows))


def jeita_limit_um(pitch_um: int) -> tuple[int, str] | None:
    """(limit µm, source) for a ball pitch in µm; None for no balls (``pitch_um`` 0)."""
    if pitch_um <= 0:
        return None
    rows = _table()
    smallest_pitch, smallest_limit = rows[0]
    if pitch_um < smallest_pitch:
        limit = smallest_limit * pitch_um // smallest_pitch
        return limit, (
            f"JEITA ED-7306 Table 1 has no row below {smallest_pitch / 1000:.2f} mm; its "
            f"{smallest_limit} um scaled by pitch {pitch_um / 1000:.2f} / "
            f"{smallest_pitch / 1000:.2f} (estimate, E)"
        )
    pitch, limit = max(row for row in rows if row[0] <= pitch_um)
    return limit, f"JEITA ED-7306 Table 1, {pitch / 1000:.2f} mm pitch (domain_data.md §8.5, M)"


def warpage_limit(design: Design) -> WarpageLimit:
    """The design's warpage limit: its own ``warpage.max_warpage_um``, else JEITA's."""
    own = design.warpage.max_warpage_um
    if own is not None:
        if own == 0:
            return WarpageLimit(None, "no limit (warpage.max_warpage: 0)")
        return WarpageLimit(own, "design file (warpage.max_warpage)")
    pitch = (
        design.balls.pitch_um or design.rules.ball_pitch_um
    )  # the design's own, else the family's
    found = jeita_limit_um(pitch)
    if found is None:
        return WarpageLimit(None, "no board balls (rules.ball_pitch 0): no JEITA limit")
    limit, source = found
    if design.family is Family.POP:
        source += "; PoP is outside the scope of ED-7306: the BGA value at the board pitch"
    return WarpageLimit(limit, source)
