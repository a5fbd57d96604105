"""Read geometry back out of a rendered top view, for golden tests and debugging.

Golden drawings are compared by *geometry*, not bytes: the die rectangles drawn in the SVG
are mapped back to micrometres with the transform the view records, and compared with the
layout, with a readable diff ("die D3 moved +50 um in x").
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from layoutopt.model import Layout, Rect

__all__ = ["die_rects_um", "geometry_diff"]

_SVG = "{http://www.w3.org/2000/svg}"


def die_rects_um(svg: str) -> dict[str, Rect]:
    """The drawn rectangle of every ``<g id="die-ID">`` in a top view, in µm (rounded)."""
    root = ET.fromstring(svg)
    out: dict[str, Rect] = {}
    for view in root.iter(f"{_SVG}g"):
        if view.get("id") != "top-view":
            continue
        min_x = float(view.get("data-min-x-um", "0"))
        max_y = float(view.get("data-max-y-um", "0"))
        scale = float(view.get("data-px-per-mm", "1")) / 1000.0
        ox = float(view.get("data-origin-x", "0"))
        oy = float(view.get("data-origin-y", "0"))
        for group in view.iter(f"{_SVG}g"):
            gid = group.get("id", "")
            if not gid.startswith("die-") or gid == "die-labels":
                continue
            body = next(r for r in group.iter(f"{_SVG}rect") if "die-body" in r.get("class", ""))
            x, y = float(body.get("x", "0")), float(body.get("y", "0"))
            w, h = float(body.get("width", "0")), float(body.get("height", "0"))
            x_um = min_x + (x - ox) / scale
            y_top_um = max_y - (y - oy) / scale
            out[gid[4:]] = Rect(
                round(x_um), round(y_top_um - h / scale), round(w / scale), round(h / scale)
            )
    return out


def geometry_diff(layout: Layout, drawn: dict[str, Rect], tolerance_um: int = 2) -> list[str]:
    """Differences between the layout's die rectangles and the drawn ones, in words.

    >>> from layoutopt.model import Family, Placement
    >>> lay = Layout("d", Family.SIP, Rect(0, 0, 100, 100), 10,
    ...              (Placement("D3", 0, 0, 10, 10, 0, 0, 1, 0, 0),))
    >>> geometry_diff(lay, {"D3": Rect(50, 0, 10, 10)})
    ['die D3 moved +50 um in x']
    """
    lines: list[str] = []
    expected = {p.die_id: p.rect for p in layout.placements}
    for die_id in sorted(set(expected) | set(drawn)):
        if die_id not in drawn:
            lines.append(f"die {die_id} is missing from the drawing")
            continue
        if die_id not in expected:
            lines.append(f"die {die_id} is drawn but not in the layout")
            continue
        a, b = expected[die_id], drawn[die_id]
        for name, da in (("x", b.x_um - a.x_um), ("y", b.y_um - a.y_um)):
            if abs(da) > tolerance_um:
                lines.append(f"die {die_id} moved {da:+d} um in {name}")
        for name, da in (("width", b.width_um - a.width_um), ("length", b.length_um - a.length_um)):
            if abs(da) > tolerance_um:
                lines.append(f"die {die_id} {name} changed {da:+d} um")
    return lines
