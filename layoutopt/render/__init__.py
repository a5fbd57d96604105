"""Engineering drawings and CAD exports of a layout.

Pure ``to_*`` functions return SVG text or PDF/PNG/DXF bytes; :func:`write_views` writes
them. Top and section views are hand-written SVG (semantic: one ``<g id="die-ID">`` per die)
and byte-identical across runs for the same layout.
"""

from layoutopt.render.dxf import to_dxf
from layoutopt.render.inspect import die_rects_um, geometry_diff
from layoutopt.render.iso import to_svg_iso
from layoutopt.render.section import Cut, default_cut, parse_cut, to_svg_section
from layoutopt.render.sheet import (
    SheetInfo,
    sheet_info,
    to_pdf_sheet,
    to_png_sheet,
    to_svg_sheet,
)
from layoutopt.render.thermal_map import ThermalField, to_svg_thermal
from layoutopt.render.top import to_svg_top
from layoutopt.render.write import FORMATS, VIEWS, render_view, to_png_iso, write_views

__all__ = [
    "FORMATS",
    "VIEWS",
    "Cut",
    "SheetInfo",
    "ThermalField",
    "default_cut",
    "die_rects_um",
    "geometry_diff",
    "parse_cut",
    "render_view",
    "sheet_info",
    "to_dxf",
    "to_pdf_sheet",
    "to_png_iso",
    "to_png_sheet",
    "to_svg_iso",
    "to_svg_section",
    "to_svg_sheet",
    "to_svg_thermal",
    "to_svg_top",
    "write_views",
]
