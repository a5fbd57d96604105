"""Write drawings to disk: the only module of the package that does I/O."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layoutopt.files import safe_name
from layoutopt.layout_io import write_atomic
from layoutopt.model import Design, Layout
from layoutopt.render.ballcsv import to_ball_csv
from layoutopt.render.bottom import build_bottom_view, to_svg_bottom
from layoutopt.render.canvas import to_raster, to_svg_document
from layoutopt.render.dxf import to_dxf
from layoutopt.render.iso import build_iso_drawing
from layoutopt.render.section import Cut, to_svg_section
from layoutopt.render.sheet import (
    SheetInfo,
    build_sheet,
    to_pdf_sheet,
    to_png_sheet,
    to_svg_sheet,
)
from layoutopt.render.thermal_map import ThermalField, to_svg_thermal
from layoutopt.render.top import to_svg_top
from layoutopt.thermal.report import ThermalReport

if TYPE_CHECKING:
    from layoutopt.mechanics.warpage import WarpageReport

__all__ = ["FORMATS", "VIEWS", "render_view", "to_png_iso", "write_views"]

VIEWS = ("top", "section", "thermal", "sheet", "iso", "dxf", "step", "bottom", "balls")
FORMATS = ("svg", "pdf", "png", "dxf", "step", "csv")


def to_png_iso(design: Design, layout: Layout, dpi: float = 150.0) -> bytes:
    """The exploded isometric view as PNG bytes (matplotlib)."""
    return to_raster(build_iso_drawing(design, layout), "png", dpi)


def render_view(
    view: str,
    fmt: str,
    design: Design,
    layout: Layout,
    *,
    thermal: ThermalReport | None = None,
    solver: dict[str, Any] | None = None,
    field: ThermalField | None = None,
    cut: Cut | None = None,
    exaggeration: float | None = None,
    warpage: WarpageReport | None = None,
    info: SheetInfo | None = None,
) -> str | bytes | None:
    """One view in one format, or None when that pair does not exist (e.g. top as dxf is
    the ``dxf`` view; thermal without a field)."""
    if fmt == "step" or view == "step":  # the 3D model: one file, in its own format
        from layoutopt.render.step import to_step

        return to_step(design, layout) if (view, fmt) == ("step", "step") else None
    if fmt == "csv" or view == "balls":  # the ball map as a table
        return to_ball_csv(layout) if (view, fmt) == ("balls", "csv") else None
    if fmt == "dxf" or view == "dxf":
        return to_dxf(design, layout) if (view, fmt) in (("dxf", "dxf"), ("top", "dxf")) else None
    if view == "thermal" and field is None:
        return None
    if fmt == "svg":
        return {
            "top": lambda: to_svg_top(design, layout),
            "section": lambda: to_svg_section(design, layout, cut, exaggeration),
            "thermal": lambda: to_svg_thermal(design, layout, field),  # type: ignore[arg-type]
            "sheet": lambda: to_svg_sheet(
                design, layout, thermal, solver, field, cut, warpage, info
            ),
            "iso": lambda: to_svg_document(build_iso_drawing(design, layout)),
            "bottom": lambda: to_svg_bottom(design, layout),
        }[view]()
    if view == "sheet":
        if fmt == "pdf":
            return to_pdf_sheet(design, layout, thermal, solver, field, cut, warpage, info)
        return to_png_sheet(design, layout, thermal, solver, field, cut, warpage=warpage, info=info)
    if view == "iso" and fmt == "png":
        return to_png_iso(design, layout)
    # Other views in PDF/PNG: the sheet painter draws any single view as well.
    return _single_view_raster(view, fmt, design, layout, field, cut, exaggeration)


def _single_view_raster(
    view: str,
    fmt: str,
    design: Design,
    layout: Layout,
    field: ThermalField | None,
    cut: Cut | None,
    exaggeration: float | None,
) -> bytes:

    from layoutopt.render.canvas import Box, Drawing
    from layoutopt.render.section import build_section_view
    from layoutopt.render.thermal_map import build_thermal_views
    from layoutopt.render.top import build_top_view

    if view == "top":
        v = build_top_view(design, layout)
        drawing = Drawing(
            v.width, v.height, (Box(0, 0, v.width, v.height, fill="#ffffff"), v.group)
        )
    elif view == "section":
        s = build_section_view(design, layout, cut, exaggeration)
        drawing = Drawing(
            s.width, s.height, (Box(0, 0, s.width, s.height, fill="#ffffff"), s.group)
        )
    elif view == "thermal":
        t = build_thermal_views(design, layout, field)  # type: ignore[arg-type]
        drawing = Drawing(
            t.width, t.height, (Box(0, 0, t.width, t.height, fill="#ffffff"), t.group)
        )
    elif view == "iso":
        drawing = build_iso_drawing(design, layout)
    elif view == "bottom":
        drawing = build_bottom_view(design, layout)
    else:
        drawing = build_sheet(design, layout, field=field, cut=cut)
    return to_raster(drawing, fmt, 150.0 if fmt == "png" else 96.0)


def write_views(
    outdir: str | os.PathLike[str],
    design: Design,
    layout: Layout,
    views: Sequence[str] = ("top", "section", "sheet"),
    formats: Sequence[str] = ("svg",),
    *,
    thermal: ThermalReport | None = None,
    solver: dict[str, Any] | None = None,
    field: ThermalField | None = None,
    cut: Cut | None = None,
    exaggeration: float | None = None,
    stem: str | None = None,
    warpage: WarpageReport | None = None,
    info: SheetInfo | None = None,
) -> list[Path]:
    """Write each view in each format as ``OUTDIR/STEM-VIEW.FMT`` (atomically).

    ``STEM`` is ``stem`` or the design's name, made safe as a file name
    (:func:`layoutopt.files.safe_name`): a name such as ``../x`` or ``/abs/x`` (from any
    layout file) never writes outside ``outdir``. Pairs that do not exist are skipped
    (``thermal`` without a ``field``; ``dxf`` is only the top view). Returns the written
    paths in view-then-format order.

    Raises
    ------
    ValueError
        For an unknown view or format, naming the known ones.
    """
    for view in views:
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; choose from {', '.join(VIEWS)}")
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    stem = safe_name(stem or design.name)
    written: list[Path] = []
    for view in views:
        for fmt in formats:
            data = render_view(
                view,
                fmt,
                design,
                layout,
                thermal=thermal,
                solver=solver,
                field=field,
                cut=cut,
                exaggeration=exaggeration,
                warpage=warpage,
                info=info,
            )
            if data is None:
                continue
            name = f"{stem}-{view}.{fmt}"
            if fmt in ("dxf", "step") or view in ("dxf", "step"):
                name = f"{stem}.{fmt}"
            path = Path(outdir) / name
            if path in written:
                continue
            written.append(write_atomic(path, data))
    return written
