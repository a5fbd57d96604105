"""The ball map, bond fingers and wires in the DXF export, each on its own layer.

Layers: ``BALLS`` (board balls, circles at their diameter), ``BALLS_INTERFACE`` (a PoP's
ring to the top package), ``FINGERS`` (closed polylines at the substrate), ``WIRES`` (3D
polylines: pad, loop top, start of the descent, finger; :mod:`layoutopt.bonding`). All in
millimetres, in the layout's top-view coordinates.
"""

from __future__ import annotations

from typing import Any

from layoutopt.bonding import EdgeBonds, bond_plan, radial_um
from layoutopt.model import BallRole, Design, Edge, Layout

__all__ = ["BALLOUT_LAYERS", "add_ballout"]

# Layer name -> AutoCAD colour index.
BALLOUT_LAYERS: dict[str, int] = {"BALLS": 8, "BALLS_INTERFACE": 9, "FINGERS": 42, "WIRES": 40}


def _mm(um: float) -> float:
    return round(um / 1000.0, 6)


def _wire_points(edge: EdgeBonds, wire: Any) -> list[tuple[float, float, float]]:
    (px, py, pz), (fx, fy, fz) = wire.pad_um, wire.finger_um
    span = radial_um(edge.box, edge.side, fx, fy) - radial_um(edge.box, edge.side, px, py)
    f = wire.run_um / span if span > 0 else 0.0
    kx, ky = px + f * (fx - px), py + f * (fy - py)
    top = wire.loop_top_um
    return [
        (_mm(px), _mm(py), _mm(pz)),
        (_mm(px), _mm(py), _mm(top)),
        (_mm(kx), _mm(ky), _mm(top)),
        (_mm(fx), _mm(fy), _mm(fz)),
    ]


def add_ballout(msp: Any, design: Design, layout: Layout) -> None:
    """Add balls, fingers and wires to an ezdxf modelspace (layers of BALLOUT_LAYERS)."""
    if layout.ball_map is not None:
        for array in layout.ball_map.arrays:
            layer = "BALLS" if array.role is BallRole.BOARD else "BALLS_INTERFACE"
            for site in array.balls():
                x, y = array.centre_um(*site)
                msp.add_circle(
                    (_mm(x), _mm(y)), _mm(array.diameter_um / 2), dxfattribs={"layer": layer}
                )
    half_along = max(design.rules.finger_pitch_um * 0.3, 10)
    half_across = max(design.rules.finger_row_pitch_um, 60) * 0.35
    for edge in bond_plan(design, layout.placements):
        vertical = edge.side in (Edge.WEST, Edge.EAST)
        hx, hy = (half_across, half_along) if vertical else (half_along, half_across)
        for f in edge.fingers:
            corners = [
                (f.x_um - hx, f.y_um - hy),
                (f.x_um + hx, f.y_um - hy),
                (f.x_um + hx, f.y_um + hy),
                (f.x_um - hx, f.y_um + hy),
            ]
            msp.add_lwpolyline(
                [(_mm(x), _mm(y)) for x, y in corners], close=True, dxfattribs={"layer": "FINGERS"}
            )
        for w in edge.wires:
            msp.add_polyline3d(_wire_points(edge, w), dxfattribs={"layer": "WIRES"})
