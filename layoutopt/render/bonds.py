"""Bond fingers and wires for the top view (the construction of :mod:`layoutopt.bonding`).

Each finger is a small pad in its row of the finger ring, each wire the straight line from
its pad to its finger, coloured by the tier it leaves from so the rows read apart. A wire
that breaks a wire rule of docs/rules.md is drawn in red.
"""

from __future__ import annotations

from layoutopt.bonding import EdgeBonds, bond_plan
from layoutopt.model import Design, Edge, Layout
from layoutopt.render.canvas import Box, Group, Item, Line
from layoutopt.render.geometry import ViewTransform
from layoutopt.validate import validate

__all__ = ["bond_items"]

# One colour per tier (Okabe-Ito darks, readable as thin lines on the ring's yellow).
_TIER_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00")
_BROKEN = "#d62728"


def _finger_box(t: ViewTransform, edge: EdgeBonds, x: int, y: int, design: Design) -> Box:
    """A finger drawn ``finger_pitch x 0.8 row pitch`` about its bond point (at least 1 px)."""
    rules = design.rules
    along = max(t.length(rules.finger_pitch_um * 0.6), 0.6)
    across = max(t.length(max(rules.finger_row_pitch_um, 60) * 0.7), 0.8)
    w, h = (across, along) if edge.side in (Edge.WEST, Edge.EAST) else (along, across)
    return Box(t.x(x) - w / 2, t.y(y) - h / 2, w, h, fill="#b8860b", css_class="finger")


def _broken_dies(design: Design, layout: Layout) -> frozenset[str]:
    """Dies whose wires break a ``wire_*`` rule of the validator."""
    return frozenset(
        die_id
        for v in validate(design, layout)
        if v.rule.startswith("wire_")
        for die_id in v.die_ids[:1]
    )


def bond_items(design: Design, layout: Layout, t: ViewTransform) -> list[Item]:
    """Fingers and wires of every stack side (empty when no wire-bonded die has pads)."""
    edges = bond_plan(design, layout.placements)
    if not any(e.wires for e in edges):
        return []
    broken = _broken_dies(design, layout)
    items: list[Item] = []
    for edge in edges:
        tiers = {d: k for k, d in enumerate(edge.dies)}
        fingers = [_finger_box(t, edge, f.x_um, f.y_um, design) for f in edge.fingers]
        wires = [
            Line(
                t.x(w.pad_um[0]),
                t.y(w.pad_um[1]),
                t.x(w.finger_um[0]),
                t.y(w.finger_um[1]),
                _BROKEN
                if w.die_id in broken
                else _TIER_COLOURS[tiers[w.die_id] % len(_TIER_COLOURS)],
                0.35,
                css_class=f"wire die-{w.die_id}",
            )
            for w in edge.wires
        ]
        items.append(
            Group(
                (*fingers, *wires),
                id=f"bonds-{edge.stack}-{edge.side.value}",
                css_class=f"bonds stack-{edge.stack} side-{edge.side.value}",
                data=(
                    ("rows", str(edge.rows)),
                    ("fingers", str(len(edge.fingers))),
                    ("dies", " ".join(edge.dies)),
                ),
                title=f"stack {edge.stack} {edge.side.value}: {len(edge.fingers)} fingers in "
                f"{edge.rows} rows, {len(edge.wires)} wires",
            )
        )
    return [Group(tuple(items), id="bonds", css_class="bonds")]
