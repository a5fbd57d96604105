"""Package on package as two packages: where the bottom package, the interface and the top
package lie.

A PoP (``Family.POP``) stacks two packages::

    top mold                       over the memory's wire loops
    memory dies on DAF             wires land on the top substrate
    top substrate                  rules.top_substrate_thickness_um
    interface (air gap / balls)    rules.pop_air_gap_um over the bottom mold; the ring of
                                   interface balls outside it, from the bottom substrate up
    bottom mold (cap over SoC)     rules.pop_mold_cap_um (0: exposed die)
    SoC flip-chip on bumps
    bottom substrate, board balls

In the layout the first memory die rests on the SoC (``on_die``) through
``rules.joint_um``, which sums the mold cap, the air gap, the top substrate and its own die
attach (:meth:`ProcessRules.joint_layers`); this module turns that into package-wide levels
and regions for the thermal model and the drawings. Pure functions over core values.

The interface ring's effective material (balls in their fill) is derived by
:meth:`layoutopt.model.Design.material` from :mod:`layoutopt.ball_layer`.

Limits: the interface is a ring of balls outside the bottom mold (no through-mold vias);
the top package is the one stack on the bottom flip-chip die, and its finger rings stand
outside the box of that whole stack, the SoC's footprint included (conservative: it can
make the package larger than a real top package needs, never an illegal one).
"""

from __future__ import annotations

from dataclasses import dataclass

from layoutopt.ballmap import bottom_mold
from layoutopt.model import (
    BallArray,
    BallRole,
    BondType,
    Design,
    Family,
    Layout,
    Rect,
    Side,
)

__all__ = ["PopStructure", "pop_structure"]


@dataclass(frozen=True)
class PopStructure:
    """The levels (µm above the seating plane) and regions of a solved PoP.

    ``ring`` is the outer box of the interface ring's band of ball rows and ``ring_hole``
    its inner box (None: no ring, or a full array without a hole); ``mold`` the bottom
    mold (:func:`layoutopt.ballmap.bottom_mold`).
    """

    soc_id: str  # the bottom-package die the top package stands over
    substrate_top_um: int  # the bottom substrate's top: the bottom package's floor
    mold_top_um: int  # the bottom mold's top (the SoC's top for an exposed die)
    top_substrate_bottom_um: int
    top_substrate_top_um: int
    mold: Rect
    ring: Rect | None
    ring_hole: Rect | None

    @property
    def standoff_um(self) -> int:
        """The interface balls' height: bottom substrate to top substrate."""
        return self.top_substrate_bottom_um - self.substrate_top_um


def pop_structure(design: Design, layout: Layout) -> PopStructure | None:
    """The PoP structure of ``layout``; None unless a top package stands on a bottom
    flip-chip die (not a PoP, or a hand-made layout without one)."""
    if design.family is not Family.POP:
        return None
    rules = design.rules
    dies = design.dies_by_id
    by_id = {p.die_id: p for p in layout.placements}
    soc = next(
        (
            by_id[p.on_die]
            for p in sorted(layout.placements, key=lambda p: p.die_id)
            if p.tier == 1
            and p.side is Side.TOP
            and p.on_die in by_id
            and p.on_die in dies
            and dies[p.on_die].bond is BondType.FLIP_CHIP
        ),
        None,
    )
    mold = bottom_mold(design, layout.placements)
    if soc is None or mold is None:
        return None
    mold_top = soc.z_top_um + rules.pop_mold_cap_um
    floor = mold_top + rules.pop_air_gap_um
    ring = hole = None
    array = None if layout.ball_map is None else layout.ball_map.array(BallRole.INTERFACE)
    if array is not None and array.columns > 0 and array.rows > 0:
        ring, hole = _ring_band(array)
    return PopStructure(
        soc_id=soc.die_id,
        substrate_top_um=rules.base_thickness_um,
        mold_top_um=mold_top,
        top_substrate_bottom_um=floor,
        top_substrate_top_um=floor + rules.top_substrate_thickness_um,
        mold=mold,
        ring=ring,
        ring_hole=hole,
    )


def _ring_band(array: BallArray) -> tuple[Rect, Rect | None]:
    """The band of the ring's sites, half a pitch beyond its outer and inner rows."""
    p, half = array.pitch_um, array.pitch_um // 2
    x0, y0 = array.x0_um - half, array.y0_um - half
    outer = Rect(x0, y0, array.columns * p, array.rows * p)
    k = array.perimeter_rows
    if k <= 0 or array.columns <= 2 * k or array.rows <= 2 * k:
        return outer, None
    hole = Rect(x0 + k * p, y0 + k * p, (array.columns - 2 * k) * p, (array.rows - 2 * k) * p)
    return outer, hole
