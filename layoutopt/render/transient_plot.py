"""Temperatures over a workload, as a small plot for the drawing sheet.

Self-contained: it draws from one :class:`~layoutopt.thermal.report.TransientReport`
alone (the skin, the package top and the hottest die against time, the phases as bands,
the time-based skin limits as dashed lines), in the canvas primitives of the other views,
so it lands in the SVG, PDF and PNG sheets alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from layoutopt.render.canvas import Box, Group, Item, Line, Poly, Text, fmt
from layoutopt.render.style import DIM, TEXT_PX
from layoutopt.render.warpage_plot import _ticks  # the same axis ticks as the warpage plot
from layoutopt.thermal.report import TransientReport

__all__ = ["TransientPlot", "build_transient_plot"]

_COLOURS = {"skin": "#d55e00", "top": "#0072b2", "die": "#555555"}
_LIMIT = "#d62728"


@dataclass(frozen=True)
class TransientPlot:
    group: Group
    width: float
    height: float


def _time_unit(end_s: float) -> tuple[float, str]:
    return (60.0, "min") if end_s > 300 else (1.0, "s")


def build_transient_plot(
    run: TransientReport, width_px: float = 300.0, height_px: float = 170.0
) -> TransientPlot:
    """Skin, top and the hottest die (°C) against time over ``run``, with its phases and
    the skin limits (the answer the limits give is in the layout file and the CLI)."""
    left, right, top, bottom = 40.0, 8.0, 22.0, 28.0
    pw, ph = width_px - left - right, height_px - top - bottom
    times = run.times_s
    dies = [s for s in run.series if s.name not in ("top", "skin")]
    hottest = max(dies, key=lambda s: s.peak_c) if dies else None
    shown = [s for s in run.series if s.name in ("skin", "top")] + ([hottest] if hottest else [])
    limits = sorted({c.max_c for c in run.limits if c.what == "skin"})
    values = [v for s in shown for v in s.values_c] + limits
    lo, hi = min(values), max(values)
    lo, hi = lo - 0.05 * (hi - lo + 1.0), hi + 0.05 * (hi - lo + 1.0)
    scale, unit = _time_unit(times[-1])
    t_end = times[-1] / scale or 1.0

    def x(t_s: float) -> float:
        return left + t_s / scale / t_end * pw

    def y(c: float) -> float:
        return top + (hi - c) / (hi - lo) * ph

    held = "" if run.checked else " (answered, not held)"
    items: list[Item] = [
        Text(0, 12, f"WORKLOAD {run.workload.upper()}{held}", TEXT_PX["label"], weight="bold"),
        Box(left, top, pw, ph, stroke=DIM, stroke_width=0.6),
    ]
    for k, span in enumerate(run.phases):
        if k % 2:
            items.append(
                Box(
                    x(span.start_s),
                    top,
                    x(span.end_s) - x(span.start_s),
                    ph,
                    fill="#000000",
                    opacity=0.05,
                )
            )
        items.append(Text(x(span.start_s) + 2, top + 9, span.name, TEXT_PX["small"]))
    for c in limits:
        items.append(Line(left, y(c), left + pw, y(c), _LIMIT, 0.8, dash=(4.0, 2.0)))
        items.append(Text(left + pw - 2, y(c) - 2, f"{fmt(c)} °C", TEXT_PX["small"], "end", _LIMIT))
    for c in _ticks(lo, hi):
        items.append(Text(left - 3, y(c) + 3, fmt(round(c, 1)), TEXT_PX["small"], "end"))
    for t in _ticks(0.0, t_end):
        items.append(
            Text(x(t * scale), top + ph + 11, fmt(round(t, 1)), TEXT_PX["small"], "middle")
        )
    items.append(Text(left + pw / 2, height_px - 3, unit, TEXT_PX["small"], "middle"))
    items.append(Text(4, top + ph / 2, "°C", TEXT_PX["small"], "middle", rotate_deg=90.0))
    for s in shown:
        colour = _COLOURS.get(s.name, _COLOURS["die"])
        points = tuple((x(t), y(v)) for t, v in zip(times, s.values_c, strict=True))
        items.append(Poly(points, closed=False, stroke=colour, stroke_width=1.2))
        items.append(
            Text(points[-1][0] - 2, points[-1][1] - 3, s.name, TEXT_PX["small"], "end", colour)
        )
    return TransientPlot(Group(tuple(items), id=f"transient-{run.workload}"), width_px, height_px)
