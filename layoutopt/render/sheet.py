"""The drawing sheet: top view, section, thickness budget, thermal map and title block."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from layoutopt.model import Design, Layout
from layoutopt.render.annotate import mm_text, table
from layoutopt.render.canvas import (
    Box,
    Drawing,
    Group,
    Item,
    Line,
    Text,
    paint_matplotlib,
    to_svg_document,
)
from layoutopt.render.section import Cut, budget_table, build_section_view, default_cut
from layoutopt.render.style import TEXT_PX
from layoutopt.render.thermal_map import ThermalField, build_thermal_views
from layoutopt.render.top import build_top_view
from layoutopt.thermal.report import ThermalReport

if TYPE_CHECKING:
    from layoutopt.mechanics.warpage import WarpageReport

__all__ = ["build_sheet", "to_pdf_sheet", "to_png_sheet", "to_svg_sheet"]

_M = 16.0  # sheet margin


def _cut_line(view_t: Any, layout: Layout, cut: Cut) -> Group:
    """The section line A–A on the top view."""
    pkg = layout.package
    if cut.axis == "y":
        x1, x2 = view_t.x(pkg.x_um) - 12, view_t.x(pkg.x_max_um) + 12
        y1 = y2 = view_t.y(cut.position_um)
        t1, t2 = (x1 - 10, y1 + 4), (x2 + 2, y2 + 4)
    else:
        y1, y2 = view_t.y(pkg.y_max_um) - 12, view_t.y(pkg.y_um) + 12
        x1 = x2 = view_t.x(cut.position_um)
        t1, t2 = (x1 - 4, y1 - 4), (x2 - 4, y2 + 12)
    return Group(
        (
            Line(x1, y1, x2, y2, "#c00000", 1.2, dash=(12.0, 3.0, 2.0, 3.0)),
            Text(*t1, "A", TEXT_PX["label"], fill="#c00000", weight="bold"),
            Text(*t2, "A", TEXT_PX["label"], fill="#c00000", weight="bold"),
        ),
        id="cut-line",
        css_class="cut-line",
    )


def _title_block(
    x: float,
    y: float,
    design: Design,
    layout: Layout,
    thermal: ThermalReport | None,
    solver: dict[str, Any] | None,
) -> Group:
    pkg = layout.package
    peak = "—" if thermal is None else f"{thermal.peak_junction_c:.1f} °C ({thermal.model})"
    skin = "—"
    if thermal is not None and thermal.skin_c is not None:
        skin = f"{thermal.skin_c:.1f} °C"
        if thermal.max_skin_c is not None:
            skin += f" (limit {thermal.max_skin_c:.1f})"
    status = "—"
    if solver:
        status = str(solver.get("status", "—"))
        if solver.get("gap"):
            status += f", gap {float(solver['gap']):.1%}"
        if solver.get("time_s") is not None:
            status += f", {float(solver['time_s']):.2f} s"
    rows = [
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
        ["peak junction", peak],
        ["skin", skin],
        ["solver", status],
        ["units", "mm unless stated; µm in tables"],
    ]
    return table(x, y, ("title block", ""), rows, (90.0, 240.0), id="title-block")


def build_sheet(
    design: Design,
    layout: Layout,
    thermal: ThermalReport | None = None,
    solver: dict[str, Any] | None = None,
    field: ThermalField | None = None,
    cut: Cut | None = None,
    warpage: WarpageReport | None = None,
) -> Drawing:
    """The sheet as a drawing (shared by the SVG, PDF and PNG outputs)."""
    cut = cut or default_cut(layout)
    top = build_top_view(design, layout, max_width_px=560.0, max_height_px=480.0)
    section = build_section_view(design, layout, cut, None, max_width_px=560.0)
    items: list[Item] = []
    y = 40.0
    items.append(Text(_M, 26, f"{design.name} — package drawing", 18.0, weight="bold"))
    items.append(Text(_M, y + 12, "TOP VIEW", TEXT_PX["label"], weight="bold"))
    top_group = Group((top.group, _cut_line(top.transform, layout, cut)), dx=_M, dy=y + 14)
    items.append(top_group)
    sec_y = y + 14 + top.height + 10
    items.append(
        Text(
            _M,
            sec_y + 12,
            f"SECTION A–A ({cut.label}, vertical ×{section.exaggeration:g})",
            TEXT_PX["label"],
            weight="bold",
        )
    )
    items.append(Group((section.group,), dx=_M, dy=sec_y + 14))
    left_w = max(top.width, section.width) + _M
    right_x = left_w + 20
    right_w = 340.0
    right_y = y
    if field is not None:
        views = build_thermal_views(design, layout, field, max_width_px=260.0)
        items.append(Group((views.group,), dx=right_x, dy=right_y))
        right_y += views.height + 10
        right_w = max(right_w, views.width)
    tab, tab_w, tab_h = budget_table(design, layout, right_x, right_y)
    items.append(tab)
    right_y += tab_h + 16
    right_w = max(right_w, tab_w)
    if warpage is not None:
        from layoutopt.render.warpage_plot import build_warpage_plot

        plot = build_warpage_plot(warpage)
        items.append(Group((plot.group,), dx=right_x, dy=right_y))
        right_y += plot.height + 16
    height = max(sec_y + 14 + section.height, right_y + 200) + _M
    width = right_x + right_w + _M
    items.append(
        _title_block(width - _M - 330.0, height - _M - 162.0, design, layout, thermal, solver)
    )
    frame = (
        Box(0, 0, width, height, fill="#ffffff"),
        Box(6, 6, width - 12, height - 12, stroke="#000000", stroke_width=1.5),
    )
    return Drawing(
        width,
        height,
        (*frame, *items),
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
) -> str:
    """One SVG page: top view with the section line, section A–A, thickness budget, the
    thermal map when ``field`` is given, and a title block (design, family, footprint,
    thickness, peak junction and skin temperature, solver status)."""
    return to_svg_document(build_sheet(design, layout, thermal, solver, field, cut, warpage))


def _raster(drawing: Drawing, fmt: str, dpi: float) -> bytes:
    fig = paint_matplotlib(drawing)
    buffer = io.BytesIO()
    # No dates or versions in the file: the same layout gives the same bytes.
    metadata: dict[str, Any] = (
        {"CreationDate": None, "Producer": None, "Creator": None}
        if fmt == "pdf"
        else {"Software": None}
    )
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def to_pdf_sheet(
    design: Design,
    layout: Layout,
    thermal: ThermalReport | None = None,
    solver: dict[str, Any] | None = None,
    field: ThermalField | None = None,
    cut: Cut | None = None,
    warpage: WarpageReport | None = None,
) -> bytes:
    """The sheet of :func:`to_svg_sheet` as PDF bytes (drawn with matplotlib)."""
    return _raster(build_sheet(design, layout, thermal, solver, field, cut, warpage), "pdf", 96.0)


def to_png_sheet(
    design: Design,
    layout: Layout,
    thermal: ThermalReport | None = None,
    solver: dict[str, Any] | None = None,
    field: ThermalField | None = None,
    cut: Cut | None = None,
    dpi: float = 150.0,
    warpage: WarpageReport | None = None,
) -> bytes:
    """The sheet of :func:`to_svg_sheet` as PNG bytes (drawn with matplotlib)."""
    return _raster(build_sheet(design, layout, thermal, solver, field, cut, warpage), "png", dpi)
