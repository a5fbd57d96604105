"""Warpage against temperature, as a small plot for the drawing sheet.

Self-contained: it draws from a :class:`~layoutopt.mechanics.warpage.WarpageReport` alone
(curve, room and peak points, the limit as a band), in the canvas primitives of the other
views, so it lands in the SVG, PDF and PNG sheets alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from layoutopt.mechanics.warpage import WarpageReport
from layoutopt.render.canvas import Box, Ellipse, Group, Item, Line, Poly, Text, fmt
from layoutopt.render.geometry import nice_floor
from layoutopt.render.style import DIM, TEXT_PX

__all__ = ["WarpagePlot", "build_warpage_plot"]

_CURVE = "#0072b2"
_LIMIT = "#d62728"


@dataclass(frozen=True)
class WarpagePlot:
    group: Group
    width: float
    height: float


def _ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    step = nice_floor((hi - lo) / count) or 1.0
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step + 1e-9) + 1)]


def build_warpage_plot(
    report: WarpageReport, width_px: float = 300.0, height_px: float = 170.0
) -> WarpagePlot:
    """Warpage (µm, + corners up) against temperature (°C), with the limit as a band."""
    left, right, top, bottom = 40.0, 8.0, 22.0, 28.0
    pw, ph = width_px - left - right, height_px - top - bottom
    temps = [p.temperature_c for p in report.curve]
    values = [p.warpage_um for p in report.curve]
    limit = report.max_warpage_um
    span = max([abs(v) for v in values] + ([limit] if limit else []) + [1.0]) * 1.15
    t0, t1 = min(temps), max(temps)

    def x(t: float) -> float:
        return left + (t - t0) / (t1 - t0) * pw

    def y(w: float) -> float:
        return top + (span - w) / (2 * span) * ph

    items: list[Item] = [
        Text(0, 12, "WARPAGE vs TEMPERATURE", TEXT_PX["label"], weight="bold"),
        Box(left, top, pw, ph, stroke=DIM, stroke_width=0.6),
    ]
    if limit:
        items.append(Box(left, y(limit), pw, y(-limit) - y(limit), fill="#2ca02c", opacity=0.08))
        for w in (limit, -limit):
            items.append(Line(left, y(w), left + pw, y(w), _LIMIT, 0.8, dash=(4.0, 2.0)))
        items.append(
            Text(left + pw - 2, y(limit) - 2, f"±{fmt(limit)} µm", TEXT_PX["small"], "end", _LIMIT)
        )
    items.append(Line(left, y(0.0), left + pw, y(0.0), DIM, 0.4))
    for w in _ticks(-span, span):
        items.append(Text(left - 3, y(w) + 3, fmt(round(w)), TEXT_PX["small"], "end"))
    for t in _ticks(t0, t1):
        items.append(Text(x(t), top + ph + 11, fmt(round(t)), TEXT_PX["small"], "middle"))
    items.append(Text(left + pw / 2, height_px - 3, "°C", TEXT_PX["small"], "middle"))
    items.append(Text(4, top + ph / 2, "µm", TEXT_PX["small"], "middle", rotate_deg=90.0))
    points = tuple((x(t), y(w)) for t, w in zip(temps, values, strict=True))
    items.append(Poly(points, closed=False, stroke=_CURVE, stroke_width=1.4))
    for p in (report.room, report.peak):
        items.append(Ellipse(x(p.temperature_c), y(p.warpage_um), 2.5, 2.5, fill=_CURVE))
        items.append(
            Text(
                x(p.temperature_c) + (6 if p is report.room else -6),
                y(p.warpage_um) - 5,
                f"{p.warpage_um:+.0f} µm",
                TEXT_PX["small"],
                "start" if p is report.room else "end",
            )
        )
    return WarpagePlot(Group(tuple(items), id="warpage-plot"), width_px, height_px)
