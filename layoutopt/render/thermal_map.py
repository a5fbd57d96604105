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
from layoutopt.render.canvas import (
    Box,
    Drawing,
    Group,
    Item,
    Line,
    Text,
    fmt,
    text_width_px,
    to_svg_document,
)
from layoutopt.render.geometry import ViewTransform, is_bottom, nice_step, stack_box
from layoutopt.render.style import OUTLINE, TEXT_PX, VERTICAL_EXAGGERATION

__all__ = [
    "ThermalField",
    "ThermalViews",
    "build_thermal_views",
    "peak_junction",
    "to_svg_thermal",
]

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
    """The colour scale with ticks; its title sits above it, clear of the top tick."""
    items: list[Item] = [Text(x, y - 8, "°C", TEXT_PX["label"], weight="bold")]
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
    return Group(
        tuple(items),
        id="colour-bar",
        css_class="colour-bar",
        data=(("min-c", f"{t_min:.3f}"), ("max-c", f"{t_max:.3f}")),
    )


@dataclass(frozen=True)
class _Window:
    """The part of the field drawn: the package and a margin of board around it."""

    i0: int  # first and one-past-last cell index along x and y
    i1: int
    j0: int
    j1: int
    x_edges_um: np.ndarray  # the window's cell edges, clipped to the window
    y_edges_um: np.ndarray


def _window(layout: Layout, xe: np.ndarray, ye: np.ndarray) -> _Window:
    """Package plus a margin of max(1 mm, 20 % of its longer side), within the field."""
    pkg = layout.package
    margin = max(1000.0, 0.2 * max(pkg.width_um, pkg.length_um))
    wx0, wx1 = max(xe[0], pkg.x_um - margin), min(xe[-1], pkg.x_max_um + margin)
    wy0, wy1 = max(ye[0], pkg.y_um - margin), min(ye[-1], pkg.y_max_um + margin)
    i0 = int(np.searchsorted(xe, wx0, side="right") - 1)
    i1 = int(np.searchsorted(xe, wx1, side="left"))
    j0 = int(np.searchsorted(ye, wy0, side="right") - 1)
    j1 = int(np.searchsorted(ye, wy1, side="left"))
    return _Window(
        max(i0, 0),
        min(i1, len(xe) - 1),
        max(j0, 0),
        min(j1, len(ye) - 1),
        np.clip(xe[max(i0, 0) : min(i1, len(xe) - 1) + 1], wx0, wx1),
        np.clip(ye[max(j0, 0) : min(j1, len(ye) - 1) + 1], wy0, wy1),
    )


def _z_window(ze: np.ndarray, layout: Layout) -> tuple[int, int]:
    """Cell layers [z0, z1) from 1 mm (or the package's thickness, if more) below the
    seating plane up to the package top.

    >>> _z_window(np.array([-3000.0, -500.0, 0.0, 300.0, 600.0, 2000.0]),
    ...           type("L", (), {"thickness_um": 600})())
    (0, 4)
    """
    bottom = -max(1000.0, float(layout.thickness_um))
    z0 = int(np.searchsorted(ze, bottom, side="right") - 1)
    z1 = int(np.searchsorted(ze, layout.thickness_um - 1e-6, side="right"))
    return max(z0, 0), max(min(z1, len(ze) - 1), max(z0, 0) + 1)


_CELL_PX = 3.0  # the finest map cell drawn (64 colour levels: finer shows nothing more)


def _display_grid(edges_um: np.ndarray, max_cells: float) -> tuple[np.ndarray, np.ndarray]:
    """Edges of at most ``max_cells`` cells over ``edges_um``'s span, and for each the index
    of the field cell under its centre (the field's own edges when they are coarse enough).

    >>> _display_grid(np.array([0.0, 1.0, 3.0]), 10)[1].tolist()
    [0, 1]
    >>> edges, index = _display_grid(np.linspace(0, 10, 11), 2)
    >>> edges.tolist(), index.tolist()
    ([0.0, 5.0, 10.0], [2, 7])
    """
    n = len(edges_um) - 1
    limit = max(1, int(max_cells))
    if n <= limit:
        return edges_um, np.arange(n)
    grid = np.linspace(edges_um[0], edges_um[-1], limit + 1)
    centres = (grid[:-1] + grid[1:]) / 2
    index = np.clip(np.searchsorted(edges_um, centres, side="right") - 1, 0, n - 1)
    return grid, index


def peak_junction(field: ThermalField) -> tuple[float, tuple[int, int, int], str]:
    """The hottest cell inside a die (°C, its index, the die id), as the thermal report
    computes the peak junction; the hottest solid cell when the field names no dies."""
    temp = np.asarray(field.temperature_c, dtype=float)
    solid = np.isfinite(temp)
    # The 3D model's field keeps which die each cell belongs to on its grid.
    owner = field if hasattr(field, "die_index") else getattr(field, "grid", None)
    die_index = None if owner is None else getattr(owner, "die_index", None)
    mask = solid
    if die_index is not None and np.any(np.asarray(die_index) >= 0):
        mask = solid & (np.asarray(die_index) >= 0)
    flat = int(np.argmax(np.where(mask, temp, -np.inf)))
    hot = tuple(int(v) for v in np.unravel_index(flat, temp.shape))
    die_id = ""
    if die_index is not None and int(np.asarray(die_index)[hot]) >= 0:
        die_id = str(owner.die_ids[int(np.asarray(die_index)[hot])])  # type: ignore[union-attr]
    return float(temp[hot]), hot, die_id  # type: ignore[return-value]


def _axis_ticks(
    t: ViewTransform, w: _Window, origin: tuple[int, int], bottom_px: float
) -> list[Item]:
    """mm ticks from the package's lower-left corner (datums B and C) on two sides."""
    items: list[Item] = []
    size = TEXT_PX["small"]
    xs, ys = w.x_edges_um, w.y_edges_um
    left_px, top_px = t.x(xs[0]), t.y(ys[-1])
    items.append(Line(left_px, bottom_px, t.x(xs[-1]), bottom_px, OUTLINE, 0.6))
    items.append(Line(left_px, top_px, left_px, bottom_px, OUTLINE, 0.6))
    for along, lo, hi, o in (("x", xs[0], xs[-1], origin[0]), ("y", ys[0], ys[-1], origin[1])):
        step = nice_step((hi - lo) / 1000, 4) * 1000
        v = np.ceil((lo - o) / step) * step + o
        while v <= hi + 1e-6:
            label = fmt((v - o) / 1000)
            if along == "x":
                x = t.x(v)
                items += [
                    Line(x, bottom_px, x, bottom_px + 3, OUTLINE, 0.6),
                    Text(x, bottom_px + 3 + size, label, size, "middle"),
                ]
            else:
                y = t.y(v)
                items += [
                    Line(left_px - 3, y, left_px, y, OUTLINE, 0.6),
                    Text(left_px - 5, y + size * 0.36, label, size, "end"),
                ]
            v += step
    items.append(Text(t.x(xs[-1]), bottom_px + 5 + 2 * size, "x mm", size, "end"))
    items.append(Text(left_px - 5, top_px - 5, "y mm", size, "end"))
    return [Group(tuple(items), id="thermal-axes", css_class="axes")]


def _die_overlay(layout: Layout, t: ViewTransform) -> list[Item]:
    """Package outline, each top-side stack's outline and its top die's id."""
    pkg = layout.package
    items: list[Item] = [
        Box(
            t.x(pkg.x_um),
            t.y(pkg.y_max_um),
            t.length(pkg.width_um),
            t.length(pkg.length_um),
            stroke="#ffffff",
            stroke_width=1.2,
        )
    ]
    size = TEXT_PX["small"]
    for stack in layout.stacks().values():
        if any(is_bottom(p) for p in stack):
            continue
        b = stack_box(stack)
        x0, y0 = t.x(b.x_um), t.y(b.y_max_um)
        w, h = t.length(b.width_um), t.length(b.length_um)
        items.append(Box(x0, y0, w, h, stroke="#ffffff", stroke_width=0.6, dash=(3.0, 2.0)))
        name = stack[-1].die_id
        tw = text_width_px(name, size)
        if tw + 4 <= w and size + 3 <= h:
            items.append(Box(x0 + 2, y0 + 2, tw + 4, size + 3, fill="#000000", opacity=0.55))
            items.append(Text(x0 + 4, y0 + 2 + size, name, size, fill="#ffffff"))
    return items


def build_thermal_views(
    design: Design, layout: Layout, field: ThermalField, max_width_px: float = 520.0
) -> ThermalViews:
    """Top map (column maximum over z) of the package and a margin of board, with axes in
    mm from datums B and C, the stacks named, and a section through the peak junction."""
    xe = np.asarray(field.x_edges_um, dtype=float)
    ye = np.asarray(field.y_edges_um, dtype=float)
    ze = np.asarray(field.z_edges_um, dtype=float)
    temp = np.asarray(field.temperature_c, dtype=float)
    if temp.shape != (len(xe) - 1, len(ye) - 1, len(ze) - 1):
        raise ValueError(
            f"temperature_c has shape {temp.shape}, expected "
            f"{(len(xe) - 1, len(ye) - 1, len(ze) - 1)} from the edge arrays"
        )
    w = _window(layout, xe, ye)
    # The package and the board under it: not the housing or air above, nor deep layers of
    # a thick board (the model may hold them; the drawing is of the package).
    z0, z1 = _z_window(ze, layout)
    window = temp[w.i0 : w.i1, w.j0 : w.j1, z0:z1]
    solid = np.isfinite(window)  # cells without solid (air beside the mold) are NaN
    peak_c, hot, hot_die = peak_junction(field)
    t_min = float(window[solid].min())
    t_max = max(float(window[solid].max()), peak_c)
    palette = _palette()
    span_x, span_y = w.x_edges_um[-1] - w.x_edges_um[0], w.y_edges_um[-1] - w.y_edges_um[0]
    px_per_mm = min(max_width_px / (span_x / 1000), 360.0 / (span_y / 1000))
    t = ViewTransform(
        int(np.floor(w.x_edges_um[0])), int(np.ceil(w.y_edges_um[-1])), px_per_mm, 44.0, 24.0
    )
    title = "Temperature, max over z (top view)"
    if getattr(field, "total_power_w", None) == 0:  # a uniform map needs its reason
        title = f"No power dissipated: all at {t_max:.1f} °C (ambient), no limit to check"
    items: list[Item] = [Text(44, 14, title, TEXT_PX["label"], weight="bold")]
    column_max = np.where(solid, window, -np.inf).max(axis=2)
    column_max = np.where(np.isfinite(column_max), column_max, np.nan)
    # Cells finer than the screen shows are sampled down to about 3 px (a 3D field has
    # ~100 µm cells, 0.4 px on the sheet): the picture is the same, the file far smaller.
    gx, ix = _display_grid(w.x_edges_um, t.length(span_x) / _CELL_PX)
    gy, iy = _display_grid(w.y_edges_um, t.length(span_y) / _CELL_PX)
    top_levels = _levels(column_max[np.ix_(ix, iy)], t_min, t_max)
    xs = np.array([t.x(v) for v in gx])
    ys = np.array([t.y(v) for v in gy])
    items.append(
        Group(
            tuple(_cells(top_levels, xs, ys, palette)),
            id="thermal-top-cells",
            css_class="thermal-cells",
        )
    )
    hx = float((xe[hot[0]] + xe[hot[0] + 1]) / 2)
    hy = float((ye[hot[1]] + ye[hot[1] + 1]) / 2)
    hz = float((ze[hot[2]] + ze[hot[2] + 1]) / 2)
    mx, my = t.x(hx), t.y(hy)
    where = f" ({hot_die})" if hot_die else ""
    peak_text = f"peak {peak_c:.1f} °C{where}"
    size = TEXT_PX["label"]
    width = text_width_px(peak_text, size, bold=True)
    # The label on the side of the marker with room for it inside the map, on a dark
    # backing so it reads on the hottest (lightest) colours.
    right = mx + 8 + width <= xs[-1]
    lx = mx + 8 if right else mx - 8 - width
    marker = (
        Line(mx - 6, my - 6, mx + 6, my + 6, "#00ffff", 2.0),
        Line(mx - 6, my + 6, mx + 6, my - 6, "#00ffff", 2.0),
        Box(lx - 2, my - 6 - size * 0.85, width + 4, size * 1.15, fill="#000000", opacity=0.6),
        Text(lx, my - 6, peak_text, size, fill="#00ffff", weight="bold"),
    )
    items.append(
        Group(
            (*_die_overlay(layout, t), *marker),
            id="thermal-overlay",
            css_class="overlay",
            data=(
                ("hottest-x-um", fmt(hx)),
                ("hottest-y-um", fmt(hy)),
                ("hottest-z-um", fmt(hz)),
                ("hottest-c", f"{peak_c:.3f}"),
                ("hottest-die", hot_die),
            ),
        )
    )
    top_bottom = float(ys[0])
    pkg = layout.package
    items += _axis_ticks(t, w, (pkg.x_um, pkg.y_um), top_bottom)
    # Section through the peak, along x, z exaggerated like every section of the sheet.
    s_z = px_per_mm / 1000 * VERTICAL_EXAGGERATION
    sec_top = top_bottom + 54
    items.append(
        Text(
            44,
            sec_top - 8,
            f"Section y = {mm_text(round(hy - pkg.y_um))} through the peak "
            f"(vertical ×{VERTICAL_EXAGGERATION})",
            TEXT_PX["label"],
            weight="bold",
        )
    )
    zs = np.array([sec_top + (ze[z1] - v) * s_z for v in ze[z0 : z1 + 1]])
    row = hot[1]
    sec_levels = _levels(temp[w.i0 : w.i1, row, z0:z1][ix, :], t_min, t_max)
    items.append(
        Group(
            tuple(_cells(sec_levels, xs, zs, palette)),
            id="thermal-section-cells",
            css_class="thermal-cells",
        )
    )
    sz = sec_top + (ze[z1] - hz) * s_z
    items.append(
        Group(
            (
                Line(mx - 5, sz - 5, mx + 5, sz + 5, "#00ffff", 1.6),
                Line(mx - 5, sz + 5, mx + 5, sz - 5, "#00ffff", 1.6),
            ),
            id="thermal-section-hottest",
        )
    )
    bar_x = float(max(xs[-1], xs[0])) + 16
    items.append(_colour_bar(bar_x, 34.0, top_bottom - 34.0, t_min, t_max, palette))
    return ThermalViews(
        Group(tuple(items), id="thermal-view", css_class="view thermal-view", data=t.data()),
        float(bar_x + 56),
        float(zs[0] + 16),
        peak_c,
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
            f"THERMAL — {design.name}: peak junction {views.peak_c:.1f} °C",
            TEXT_PX["title"],
            weight="bold",
            css_class="view-title",
        ),
        Group((views.group,), dy=title_h),
    )
    return to_svg_document(
        Drawing(width, views.height + title_h, items, title=f"{design.name} thermal map")
    )
