"""The drawing sheet: top view, sections A–A and B–B, thermal map, tables and title block.

The sheet is laid out in two columns: views on the left (top view, then the two sections),
tables on the right (thermal map, thickness budget, die placements, notes) with the title
block in the lower right corner. The last step moves any label that would sit on another
(:func:`~layoutopt.render.labels.declutter`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from layoutopt.layout_io import layout_to_data
from layoutopt.model import Design, Layout
from layoutopt.render.annotate import mm_text, table, table_height
from layoutopt.render.canvas import (
    Box,
    Drawing,
    Group,
    Item,
    Line,
    Poly,
    Text,
    arrow_head,
    fmt,
    to_raster,
    to_svg_document,
)
from layoutopt.render.geometry import is_bottom
from layoutopt.render.labels import declutter
from layoutopt.render.section import (
    Cut,
    budget_table,
    build_section_view,
    choose_cuts,
    section_px_per_mm,
)
from layoutopt.render.style import TEXT_PX, VERTICAL_EXAGGERATION
from layoutopt.render.thermal_map import ThermalField, build_thermal_views, peak_junction
from layoutopt.render.top import TopView, build_top_view
from layoutopt.thermal.report import ThermalReport

if TYPE_CHECKING:
    from layoutopt.mechanics.warpage import WarpageReport

__all__ = ["SheetInfo", "build_sheet", "sheet_info", "to_pdf_sheet", "to_png_sheet", "to_svg_sheet"]

_M = 16.0  # sheet margin
_CUT = "#c00000"
_BLOCK_COLUMNS = (78.0, 340.0)  # title block: field, value
PX_PER_MM_AT_96_DPI = 96 / 25.4  # a sheet pixel printed at 96 dpi
# General tolerances: package height ±0.10 mm and standoff ±0.05 mm as a mobile FBGA
# datasheet states them (domain_data.md §1.5 "DDR3 78-ball FBGA", H); outline and
# positions ±0.05 mm (estimate, E).
TOLERANCES = "unless stated: outline, positions ±0.05; A ±0.10; A1 ±0.05 (mm)"


@dataclass(frozen=True)
class SheetInfo:
    """What the title block says about the drawing itself.

    ``number`` names the drawing (default from the design), ``revision`` identifies the
    layout drawn (default: the first 8 hex digits of the SHA-256 of the layout's JSON, so
    the same layout always carries the same revision and a changed one a new one), ``date``
    is the issue date the caller gives (the CLI reads ``--date`` or ``SOURCE_DATE_EPOCH``;
    never the clock, so a drawing is byte-identical when redrawn).
    """

    number: str
    revision: str
    date: str = ""


def sheet_info(design: Design, layout: Layout, date: str = "") -> SheetInfo:
    """The default :class:`SheetInfo` of a layout (deterministic: from the layout only)."""
    import json

    text = json.dumps(layout_to_data(design, layout), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return SheetInfo(f"LO-{design.name.upper()}", digest, date)


def _cut_line(view: TopView, layout: Layout, cut: Cut, letter: str) -> Group:
    """A cutting plane on the top view: thick ends with arrows in the direction of sight
    (A–A looks north, B–B looks west, so each section reads with its axis to the right), a
    thin chain line across that leaves the die labels clear, and the letters."""
    t, pkg = view.transform, layout.package
    if cut.axis == "y":
        a, b = t.x(pkg.x_um) - 14, t.x(pkg.x_max_um) + 14
        fixed = t.y(cut.position_um)
        sight = (0.0, -1.0)

        def point(u: float) -> tuple[float, float]:
            return (u, fixed)
    else:
        a, b = t.y(pkg.y_max_um) - 14, t.y(pkg.y_um) + 14
        fixed = t.x(cut.position_um)
        sight = (-1.0, 0.0)

        def point(u: float) -> tuple[float, float]:
            return (fixed, u)

    # The thin chain, broken where it would strike a label.
    gaps = sorted(
        (bx[0] - 2, bx[2] + 2) if cut.axis == "y" else (bx[1] - 2, bx[3] + 2)
        for bx in view.label_boxes
        if (bx[1] - 2 <= fixed <= bx[3] + 2 if cut.axis == "y" else bx[0] - 2 <= fixed <= bx[2] + 2)
    )
    items: list[Item] = []
    start = a + 10
    for g0, g1 in [*gaps, (b - 10, b - 10)]:
        if g0 > start:
            items.append(
                Line(*point(start), *point(min(g0, b - 10)), _CUT, 0.6, dash=(12.0, 3.0, 2.0, 3.0))
            )
        start = max(start, g1)
    size = TEXT_PX["label"]
    for end, inner in ((a, a + 10), (b, b - 10)):
        p0, p1 = point(end), point(inner)
        items.append(Line(*p0, *p1, _CUT, 2.2))
        tip = (p0[0] + sight[0] * 12, p0[1] + sight[1] * 12)
        items.append(Line(*p0, *tip, _CUT, 0.9))
        items.append(arrow_head(tip, p0, size=6.0, colour=_CUT))
        lx = tip[0] + sight[0] * 4 - (size * 0.35 if cut.axis == "y" else size * 0.7)
        ly = tip[1] + sight[1] * 4 + (0 if cut.axis == "y" else size * 0.36)
        items.append(Text(lx, ly, letter, size, fill=_CUT, weight="bold"))
    return Group(
        tuple(items),
        id=f"cut-line-{letter}",
        css_class="cut-line",
        data=(("axis", cut.axis), ("position-um", str(cut.position_um))),
    )


def _projection_symbol(x: float, y: float) -> Group:
    """Third-angle projection symbol (the convention of JEDEC package outlines)."""
    return Group(
        (
            Poly(
                ((x, y + 3), (x + 14, y), (x + 14, y + 12), (x, y + 9)),
                stroke="#000000",
                stroke_width=0.7,
            ),
            Line(x - 2, y + 6, x + 16, y + 6, "#000000", 0.4, dash=(3.0, 1.0, 1.0, 1.0)),
            Box(x + 20, y, 12, 12, stroke="none"),
            Poly(
                tuple((x + 26 + 6 * c, y + 6 + 6 * s) for c, s in _CIRCLE),
                stroke="#000000",
                stroke_width=0.7,
            ),
            Poly(
                tuple((x + 26 + 3 * c, y + 6 + 3 * s) for c, s in _CIRCLE),
                stroke="#000000",
                stroke_width=0.7,
            ),
        ),
        id="projection-symbol",
        css_class="projection third-angle",
        title="third-angle projection",
    )


_CIRCLE = tuple(
    (round(math.cos(k * math.pi / 12), 4), round(math.sin(k * math.pi / 12), 4)) for k in range(24)
)


def _peak_rows(thermal: ThermalReport | None, field: ThermalField | None) -> list[list[str]]:
    """Peak junction and skin rows: from the map when there is one (one number for both)."""
    if thermal is None:
        return [["peak junction", "not checked (solved without thermal)"], ["skin", "—"]]
    if thermal.total_power_w <= 0:
        return [
            ["peak junction", f"no power: all at the ambient {thermal.ambient_c:g} °C"],
            ["thermal limits", "none to check (0 W)"],
        ]
    rows = []
    if field is not None:
        peak_c, _, die_id = peak_junction(field)
        rows.append(["peak junction", f"{peak_c:.1f} °C in {die_id or 'the package'} (map, fv3d)"])
        if thermal.model != "fv3d" or f"{thermal.peak_junction_c:.1f}" != f"{peak_c:.1f}":
            rows.append(["solve check", f"{thermal.peak_junction_c:.1f} °C ({thermal.model})"])
    else:
        rows.append(["peak junction", f"{thermal.peak_junction_c:.1f} °C ({thermal.model})"])
    skin = "—"
    if thermal.skin_c is not None:
        skin = f"{thermal.skin_c:.1f} °C"
        if thermal.max_skin_c is not None:
            skin += f" (limit {thermal.max_skin_c:.1f})"
    rows.append(["skin", skin])
    return rows


def _title_block(
    x: float,
    y: float,
    design: Design,
    layout: Layout,
    thermal: ThermalReport | None,
    solver: dict[str, Any] | None,
    field: ThermalField | None,
    info: SheetInfo,
    scale: str,
) -> tuple[Group, float]:
    pkg = layout.package
    status = "—"
    if solver:
        status = str(solver.get("status", "—"))
        if solver.get("gap"):
            status += f", gap {float(solver['gap']):.1%}"
        if solver.get("time_s") is not None:
            status += f", {float(solver['time_s']):.2f} s"
    rows = [
        ["drawing no.", info.number],
        ["revision", info.revision],
        ["date", info.date or "not issued"],
        ["scale", scale],
        ["projection", "third angle"],
        ["design", design.name],
        ["family", f"{design.family.value} ({design.rules.name or 'rules'})"],
        [
            "footprint",
            f"{mm_text(pkg.width_um)} x {mm_text(pkg.length_um)} = {pkg.area_um2 / 1e6:.2f} mm²",
        ],
        [
            "thickness",
            f"{mm_text(layout.thickness_um)} (limit {mm_text(design.envelope.max_thickness_um)})",
        ],
        ["dies", f"{len(layout.placements)} in {len(layout.stacks())} stacks"],
        *_peak_rows(thermal, field),
        ["solver", status],
        ["tolerances", TOLERANCES],
        ["units", "mm; µm in tables; datum A seating plane, B west edge, C south edge"],
    ]
    group = table(x, y, ("title block", ""), rows, _BLOCK_COLUMNS, id="title-block")
    projection_row = 4
    row_h = TEXT_PX["small"] + 6
    symbol = _projection_symbol(x + sum(_BLOCK_COLUMNS) - 44, y + row_h * (projection_row + 1) + 1)
    return Group((group, symbol)), table_height(len(rows), title=False)


def die_table_rows(design: Design, layout: Layout) -> list[list[str]]:
    """Every part's position from datums B and C, size, rotation, side, tier and z (mm, µm)."""
    pkg = layout.package
    rows = []
    for p in sorted(layout.placements, key=lambda p: (is_bottom(p), p.stack, p.tier, p.die_id)):
        die = design.die(p.die_id)
        rows.append(
            [
                p.die_id,
                die.part,
                fmt((p.x_um - pkg.x_um) / 1000),
                fmt((p.y_um - pkg.y_um) / 1000),
                f"{fmt(p.width_um / 1000)} x {fmt(p.length_um / 1000)}",
                str(p.rotation_deg),
                ("bot" if is_bottom(p) else f"{p.stack}/{p.tier}"),
                str(p.z_bottom_um),
                str(p.thickness_um),
            ]
        )
    return rows


def _die_table(design: Design, layout: Layout, x: float, y: float) -> tuple[Group, float, float]:
    rows = die_table_rows(design, layout)
    widths = (44.0, 104.0, 38.0, 38.0, 70.0, 26.0, 36.0, 34.0, 26.0)
    group = table(
        x,
        y,
        ("id", "part", "x", "y", "W x L", "rot", "stk/t", "z µm", "t µm"),
        rows,
        widths,
        id="die-table",
        title="Die placements (mm from datums B, C; lower-left corner)",
        align=("start", "start", "end", "end", "end", "end", "end", "end", "end"),
    )
    return group, sum(widths), table_height(len(rows))


def _thermal_panel(
    design: Design,
    layout: Layout,
    thermal: ThermalReport | None,
    field: ThermalField | None,
    x: float,
    y: float,
) -> tuple[list[Item], float, float]:
    """The thermal map, or a note saying why there is none (never a map nobody asked for)."""
    if thermal is not None and field is not None:
        views = build_thermal_views(design, layout, field, max_width_px=300.0)
        return [Group((views.group,), dx=x, dy=y)], views.width, views.height
    reason = (
        "Thermal: not checked — the layout was solved without thermal limits."
        if thermal is None
        else f"Thermal: no map drawn (peak junction {thermal.peak_junction_c:.1f} °C, "
        f"{thermal.model}); `layoutopt render --views sheet` draws one."
    )
    text = Text(x + 6, y + 16, reason, TEXT_PX["small"], css_class="thermal-note")
    box = Box(x, y, 380, 26, stroke="#999999", stroke_width=0.6, dash=(3.0, 2.0))
    return [Group((box, text), id="thermal-note")], 380.0, 26.0


def build_sheet(
    design: Design,
    layout: Layout,
    thermal: ThermalReport | None = None,
    solver: dict[str, Any] | None = None,
    field: ThermalField | None = None,
    cut: Cut | None = None,
    warpage: WarpageReport | None = None,
    info: SheetInfo | None = None,
) -> Drawing:
    """The sheet as a drawing (shared by the SVG, PDF and PNG outputs).

    ``cut`` replaces section A–A's cut (B–B is always chosen, see
    :func:`~layoutopt.render.section.choose_cuts`); ``field`` adds the thermal map when the
    layout has a thermal report (a layout solved without thermal gets a note, not a map).
    """
    info = info or sheet_info(design, layout)
    cut_a, cut_b = choose_cuts(design, layout)
    cut_a = cut or cut_a
    top = build_top_view(design, layout, max_width_px=560.0, max_height_px=460.0)
    # Both sections at one scale: the larger of the two spans fills the column.
    px = min(section_px_per_mm(layout, c, 560.0) for c in (cut_a, cut_b))
    sections = [
        (letter, c, build_section_view(design, layout, c, None, px_per_mm=px))
        for letter, c in (("A", cut_a), ("B", cut_b))
    ]
    scale = top.transform.px_per_mm / PX_PER_MM_AT_96_DPI
    scale_text = f"{scale:.1f}:1 at 96 dpi; sections z ×{VERTICAL_EXAGGERATION}"
    items: list[Item] = [Text(_M, 26, f"{design.name} — package drawing", 18.0, weight="bold")]
    y = 40.0
    items.append(
        Text(_M, y + 12, f"TOP VIEW (scale {scale:.1f}:1)", TEXT_PX["label"], weight="bold")
    )
    cut_lines = [_cut_line(top, layout, c, letter) for letter, c, _ in sections]
    items.append(Group((top.group, *cut_lines), dx=_M, dy=y + 14))
    sec_y = y + 14 + top.height + 6
    left_w = top.width
    for letter, c, view in sections:
        title = f"SECTION {letter}–{letter} ({c.label}, vertical ×{fmt(view.exaggeration)})"
        items.append(Text(_M, sec_y + 12, title, TEXT_PX["label"], weight="bold"))
        items.append(Group((view.group,), dx=_M, dy=sec_y + 10))
        sec_y += 10 + view.height
        left_w = max(left_w, view.width)
    right_x = _M + left_w + 16
    right_y = y
    panel, panel_w, panel_h = _thermal_panel(design, layout, thermal, field, right_x, right_y)
    items += panel
    right_y += panel_h + 14
    budget, budget_w, budget_h = budget_table(design, layout, right_x, right_y)
    items.append(budget)
    right_y += budget_h + 14
    if warpage is not None:
        from layoutopt.render.warpage_plot import build_warpage_plot

        plot = build_warpage_plot(warpage)
        items.append(Group((plot.group,), dx=right_x, dy=right_y))
        right_y += plot.height + 14
    if thermal is not None:
        from layoutopt.render.transient_plot import build_transient_plot

        for run in thermal.transients:  # temperatures over each workload
            curve = build_transient_plot(run)
            items.append(Group((curve.group,), dx=right_x, dy=right_y))
            right_y += curve.height + 14
    dies, dies_w, dies_h = _die_table(design, layout, right_x, right_y)
    items.append(dies)
    right_y += dies_h + 14
    right_w = max(panel_w, budget_w, dies_w, sum(_BLOCK_COLUMNS))
    block, block_h = _title_block(0, 0, design, layout, thermal, solver, field, info, scale_text)
    width = right_x + right_w + _M
    height = max(sec_y, right_y + block_h) + _M
    items.append(
        Group((block,), dx=width - _M - sum(_BLOCK_COLUMNS), dy=height - _M - block_h, id="title")
    )
    frame = (
        Box(0, 0, width, height, fill="#ffffff"),
        Box(6, 6, width - 12, height - 12, stroke="#000000", stroke_width=1.5),
    )
    return Drawing(
        width,
        height,
        (*frame, *declutter(items, bounds=(8.0, 8.0, width - 8, height - 8))),
        title=f"{design.name} drawing sheet",
        description="layoutopt drawing sheet",
    )


def to_svg_sheet(
    design: Design,
    layout: Layout,
    thermal: ThermalReport | None = None,
    solver: dict[str, Any] | None = None,
    field: ThermalField | None = None,
    cut: Cut | None = None,
    warpage: WarpageReport | None = None,
    info: SheetInfo | None = None,
) -> str:
    """One SVG page: top view with the cutting planes, sections A–A and B–B, the thermal
    map when ``field`` is given, thickness budget, die placements, and a title block
    (drawing number, revision, date, scale, projection, tolerances, design, footprint,
    thickness, peak junction and skin temperature, solver status)."""
    return to_svg_document(build_sheet(design, layout, thermal, solver, field, cut, warpage, info))


def to_pdf_sheet(
    design: Design,
    layout: Layout,
    thermal: ThermalReport | None = None,
    solver: dict[str, Any] | None = None,
    field: ThermalField | None = None,
    cut: Cut | None = None,
    warpage: WarpageReport | None = None,
    info: SheetInfo | None = None,
) -> bytes:
    """The sheet of :func:`to_svg_sheet` as PDF bytes (drawn with matplotlib)."""
    return to_raster(
        build_sheet(design, layout, thermal, solver, field, cut, warpage, info), "pdf", 96.0
    )


def to_png_sheet(
    design: Design,
    layout: Layout,
    thermal: ThermalReport | None = None,
    solver: dict[str, Any] | None = None,
    field: ThermalField | None = None,
    cut: Cut | None = None,
    dpi: float = 150.0,
    warpage: WarpageReport | None = None,
    info: SheetInfo | None = None,
) -> bytes:
    """The sheet of :func:`to_svg_sheet` as PNG bytes (drawn with matplotlib)."""
    return to_raster(
        build_sheet(design, layout, thermal, solver, field, cut, warpage, info), "png", dpi
    )
