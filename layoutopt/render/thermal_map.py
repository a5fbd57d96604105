"""Temperature maps over the top view and along a section, from a thermal field.

The field is duck-typed so this module does not depend on the thermal engine: any object
with ``x_edges_um``, ``y_edges_um``, ``z_edges_um`` (cell edges, layout coordinates) and
``temperature_c`` of shape (nx, ny, nz) will do. Cells are drawn as rectangles (adjacent
cells of one colour merged), so the SVG stays semantic and deterministic without
matplotlib's SVG backend; matplotlib only lends its colour map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from layoutopt.model import Design, Layout
from layoutopt.render.annotate import mm_text
from layoutopt.render.canvas import Box, Drawing, Group, Item, Line, Text, fmt, to_svg_document
from layoutopt.render.geometry import ViewTransform, nice_step, ordered_placements
from layoutopt.render.section import auto_exaggeration
from layoutopt.render.style import OUTLINE, TEXT_PX

__all__ = ["ThermalField", "ThermalViews", "build_thermal_views", "to_svg_thermal"]

COLOUR_LEVELS = 64  # colours in the map; finer steps are invisible and bloat the file
COLORMAP = "inferno"


class ThermalField(Protocol):
    x_edges_um: Any
    y_edges_um: Any
    z_edges_um: Any
    temperature_c: Any


@dataclass(frozen=True)
class ThermalViews:
    group: Group
    width: float
    height: float
    peak_c: float


def _palette() -> list[str]:
    from matplotlib import colormaps

    cmap = colormaps[COLORMAP]
    out = []
    for i in range(COLOUR_LEVELS):
        r, g, b, _ = cmap(0.08 + 0.84 * i / (COLOUR_LEVELS - 1))  # skip near-black and white
        out.append(f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}")
    return out


def _levels(values: np.ndarray, t_min: float, t_max: float) -> np.ndarray:
    """Colour level of each value; -1 where the model has no solid (NaN: drawn empty)."""
    span = max(t_max - t_min, 1e-9)
    solid = np.isfinite(values)
    scaled = np.where(solid, (np.where(solid, values, t_min) - t_min) / span, 0.0)
    levels = np.clip((scaled * (COLOUR_LEVELS - 1)).round(), 0, COLOUR_LEVELS - 1).astype(int)
    return np.where(solid, levels, -1)


def _cells(
    levels: np.ndarray, u_px: np.ndarray, v_px: np.ndarray, palette: list[str]
) -> list[Item]:
    """Rectangles for a 2D grid of levels (rows along axis 1), merging equal runs along u."""
    items: list[Item] = []
    nu, nv = levels.shape
    for j in range(nv):
        i = 0
        while i < nu:
            k = i
            while k + 1 < nu and levels[k + 1, j] == levels[i, j]:
                k += 1
            if levels[i, j] < 0:  # no solid here (e.g. air beside the mold)
                i = k + 1
                continue
            x0, x1 = u_px[i], u_px[k + 1]
            y0, y1 = sorted((v_px[j], v_px[j + 1]))
            # A hair of overlap hides anti-aliasing seams between cells.
            items.append(
                Box(
                    float(x0),
                    float(y0),
                    float(x1 - x0) + 0.3,
                    float(y1 - y0) + 0.3,
                    fill=palette[levels[i, j]],
                )
            )
            i = k + 1
    return items


def _colour_bar(
    x: float, y: float, height: float, t_min: float, t_max: float, palette: list[str]
) -> Group:
    items: list[Item] = []
    step_h = height / COLOUR_LEVELS
    for i, colour in enumerate(palette):
        items.append(Box(x, y + height - (i + 1) * step_h, 14, step_h + 0.3, fill=colour))
    items.append(Box(x, y, 14, height, stroke=OUTLINE, stroke_width=0.6))
    span = max(t_max - t_min, 1e-9)
    step = nice_step(span, 5)
    tick = np.ceil(t_min / step) * step
    while tick <= t_max + 1e-9:
        ty = y + height - (tick - t_min) / span * height
        items.append(Line(x + 14, ty, x + 18, ty, OUTLINE, 0.6))
        items.append(Text(x + 20, ty + 3, f"{tick:.4g}", TEXT_PX["small"]))
        tick += step
    items.append(Text(x + 20, y + 4, "°C", TEXT_PX["label"], weight="bold"))
    return Group(
        tuple(items),
        id="colour-bar",
        css_class="colour-bar",
        data=(("min-c", f"{t_min:.3f}"), ("max-c", f"{t_max:.3f}")),
    )


def build_thermal_views(
    design: Design, layout: Layout, field: ThermalField, max_width_px: float = 520.0
) -> ThermalViews:
    """Top map (column maximum over z) and section through the hottest cell."""
    xe = np.asarray(field.x_edges_um, dtype=float)
    ye = np.asarray(field.y_edges_um, dtype=float)
    ze = np.asarray(field.z_edges_um, dtype=float)
    temp = np.asarray(field.temperature_c, dtype=float)
    if temp.shape != (len(xe) - 1, len(ye) - 1, len(ze) - 1):
        raise ValueError(
            f"temperature_c has shape {temp.shape}, expected "
            f"{(len(xe) - 1, len(ye) - 1, len(ze) - 1)} from the edge arrays"
        )
    # Cells without solid (air above a lower stack, beside the mold) are NaN in the field.
    solid = np.isfinite(temp)
    t_min, t_max = float(temp[solid].min()), float(temp[solid].max())
    hot = np.unravel_index(int(np.argmax(np.where(solid, temp, -np.inf))), temp.shape)
    palette = _palette()
    span_x, span_y = xe[-1] - xe[0], ye[-1] - ye[0]
    px_per_mm = min(max_width_px / (span_x / 1000), 420.0 / (span_y / 1000))
    t = ViewTransform(int(np.floor(xe[0])), int(np.ceil(ye[-1])), px_per_mm, 40.0, 24.0)
    items: list[Item] = [
        Text(40, 16, "Temperature, max over z (top view)", TEXT_PX["label"], weight="bold")
    ]
    column_max = np.where(solid, temp, -np.inf).max(axis=2)
    top_levels = _levels(np.where(np.isfinite(column_max), column_max, np.nan), t_min, t_max)
    xs = np.array([t.x(v) for v in xe])
    ys = np.array([t.y(v) for v in ye])
    items.append(
        Group(
            tuple(_cells(top_levels, xs, ys, palette)),
            id="thermal-top-cells",
            css_class="thermal-cells",
        )
    )
    pkg = layout.package
    outlines: list[Item] = [
        Box(
            t.x(pkg.x_um),
            t.y(pkg.y_max_um),
            t.length(pkg.width_um),
            t.length(pkg.length_um),
            stroke="#ffffff",
            stroke_width=1.2,
        )
    ]
    for p in ordered_placements(layout):
        if p.side == "top" and p.tier == 0:
            outlines.append(
                Box(
                    t.x(p.x_um),
                    t.y(p.y_um + p.length_um),
                    t.length(p.width_um),
                    t.length(p.length_um),
                    stroke="#ffffff",
                    stroke_width=0.6,
                    dash=(3.0, 2.0),
                )
            )
    hx = float((xe[hot[0]] + xe[hot[0] + 1]) / 2)
    hy = float((ye[hot[1]] + ye[hot[1] + 1]) / 2)
    hz = float((ze[hot[2]] + ze[hot[2] + 1]) / 2)
    mx, my = t.x(hx), t.y(hy)
    marker = (
        Line(mx - 6, my - 6, mx + 6, my + 6, "#00ffff", 2.0),
        Line(mx - 6, my + 6, mx + 6, my - 6, "#00ffff", 2.0),
        Text(
            mx + 8, my - 6, f"max {t_max:.1f} °C", TEXT_PX["label"], fill="#00ffff", weight="bold"
        ),
    )
    items.append(
        Group(
            (*outlines, *marker),
            id="thermal-overlay",
            css_class="overlay",
            data=(
                ("hottest-x-um", fmt(hx)),
                ("hottest-y-um", fmt(hy)),
                ("hottest-z-um", fmt(hz)),
                ("hottest-c", f"{t_max:.3f}"),
            ),
        )
    )
    top_bottom = t.y(ye[0])
    # Section through the hottest cell, along x, z exaggerated like the section drawing.
    ex = auto_exaggeration(int(span_x), int(ze[-1] - ze[0]), aspect=0.3)
    s_z = px_per_mm / 1000 * ex
    sec_top = top_bottom + 40
    items.append(
        Text(
            40,
            sec_top - 8,
            f"Section y = {mm_text(round(hy))} at the hottest cell (vertical ×{ex})",
            TEXT_PX["label"],
            weight="bold",
        )
    )
    zs = np.array([sec_top + (ze[-1] - v) * s_z for v in ze])
    sec_levels = _levels(temp[:, hot[1], :], t_min, t_max)
    items.append(
        Group(
            tuple(_cells(sec_levels, xs, zs, palette)),
            id="thermal-section-cells",
            css_class="thermal-cells",
        )
    )
    sz = sec_top + (ze[-1] - hz) * s_z
    items.append(
        Group(
            (
                Line(mx - 5, sz - 5, mx + 5, sz + 5, "#00ffff", 1.6),
                Line(mx - 5, sz + 5, mx + 5, sz - 5, "#00ffff", 1.6),
            ),
            id="thermal-section-hottest",
        )
    )
    bar_x = max(xs[-1], xs[0]) + 16
    items.append(_colour_bar(bar_x, 24.0, top_bottom - 24.0, t_min, t_max, palette))
    width = bar_x + 60
    height = zs[0] + 16
    return ThermalViews(
        Group(tuple(items), id="thermal-view", css_class="view thermal-view", data=t.data()),
        float(width),
        float(height),
        t_max,
    )


def to_svg_thermal(design: Design, layout: Layout, field: ThermalField) -> str:
    """Temperature map over the top view and a section, with a °C colour bar, as SVG.

    The hottest cell is marked in both views. ``field`` is any object with cell edges
    ``x_edges_um, y_edges_um, z_edges_um`` and ``temperature_c`` of shape (nx, ny, nz).
    """
    views = build_thermal_views(design, layout, field)
    title_h = 28.0
    width = max(views.width, 360.0)
    items: tuple[Item, ...] = (
        Box(0, 0, width, views.height + title_h, fill="#ffffff"),
        Text(
            10,
            18,
            f"THERMAL — {design.name}: peak {views.peak_c:.1f} °C",
            TEXT_PX["title"],
            weight="bold",
            css_class="view-title",
        ),
        Group((views.group,), dy=title_h),
    )
    return to_svg_document(
        Drawing(width, views.height + title_h, items, title=f"{design.name} thermal map")
    )
