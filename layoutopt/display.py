"""Rich display in notebooks: HTML summaries and pandas tables of results.

The display side registers itself: :func:`register` tells IPython's HTML formatter to show
:class:`~layoutopt.solver.SolveResult`, :class:`~layoutopt.thermal.report.ThermalReport`,
:class:`~layoutopt.layout_io.LayoutRecord` and
:class:`~layoutopt.pipeline.FamilyComparison` through the ``*_html`` functions here, so the
core values know nothing of their presentation (and never import the drawings or pandas).
``import layoutopt`` inside IPython registers them; elsewhere ``%load_ext
layoutopt.display`` does. Every other function is pure: values in, text or a new
DataFrame out.

The HTML is self-contained (inline styles, inline SVG drawings from
:mod:`layoutopt.render`, no scripts), so it survives being saved in a notebook file.

Examples
--------
>>> from layoutopt.thermal.report import DieTemperature, ThermalReport
>>> report = ThermalReport(model="compact", ambient_c=35.0, top_surface_c=41.2,
...     dies=(DieTemperature("DRAM0", max_c=44.0, mean_c=43.5, limit_c=85.0),))
>>> thermal_frame(report)[["die", "max_c", "margin_c", "ok"]]
     die  max_c  margin_c    ok
0  DRAM0   44.0      41.0  True
>>> "41.0" in thermal_html(report)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from layoutopt.model import Design, Layout
from layoutopt.solver.result import SolveResult, SolveStatus
from layoutopt.thermal.report import ThermalReport

if TYPE_CHECKING:  # pandas and the pipeline are imported where they are used
    import pandas as pd

    from layoutopt.layout_io import LayoutRecord
    from layoutopt.pipeline import FamilyComparison

__all__ = [
    "comparison_frame",
    "comparison_html",
    "key_numbers",
    "layout_frame",
    "load_ipython_extension",
    "record_html",
    "register",
    "result_frame",
    "result_html",
    "thermal_frame",
    "thermal_html",
]

# Status colours: green for a layout, amber for a time-limited answer, red for none.
_STATUS_COLOUR = {
    SolveStatus.OPTIMAL: "#1a7f37",
    SolveStatus.FEASIBLE: "#9a6700",
    SolveStatus.INFEASIBLE: "#cf222e",
    SolveStatus.NO_SOLUTION: "#cf222e",
}
_TABLE = 'style="border-collapse:collapse;margin:4px 0;font-size:90%"'
_CELL = 'style="border:1px solid #ccc;padding:2px 8px;text-align:{align}"'
_BAD = "color:#cf222e;font-weight:bold"

# Columns of the per-die tables (also the columns of an empty table).
_LAYOUT_COLUMNS = (
    "die", "part", "kind", "stack", "tier", "on_die", "side", "x_um", "y_um", "width_um",
    "length_um", "rotation_deg", "z_bottom_um", "thickness_um", "z_top_um",
)  # fmt: skip
_THERMAL_COLUMNS = ("die", "max_c", "mean_c", "limit_c", "margin_c", "ok")


# --------------------------------------------------------------------------- tables


def key_numbers(result: SolveResult) -> dict[str, Any]:
    """The numbers people look at first, in named units (``None`` when not known).

    Keys: status, family, process, package_mm, footprint_mm2, thickness_um,
    max_thickness_um, peak_junction_c, top_surface_c, skin_c, max_skin_c, time_s, gap.
    """
    design, layout, thermal = result.design, result.layout, result.thermal
    return {
        "status": result.status.value,
        "family": None if design is None else design.family.value,
        "process": None if design is None else design.rules.name,
        "package_mm": None if layout is None else _package_mm(layout),
        "footprint_mm2": None if layout is None else round(layout.footprint_um2 / 1e6, 3),
        "thickness_um": None if layout is None else layout.thickness_um,
        "max_thickness_um": None if design is None else design.envelope.max_thickness_um,
        "peak_junction_c": None if thermal is None else round(thermal.peak_junction_c, 2),
        "top_surface_c": None if thermal is None else round(thermal.top_surface_c, 2),
        "skin_c": None if thermal is None or thermal.skin_c is None else round(thermal.skin_c, 2),
        "max_skin_c": None if thermal is None else thermal.max_skin_c,
        "time_s": round(result.time_s, 2),
        "gap": result.gap,
    }


def layout_frame(design: Design, layout: Layout) -> pd.DataFrame:
    """One row per placed die: part, kind, stack and tier, position and size (µm)."""
    import pandas as pd

    rows = [
        {
            "die": p.die_id,
            "part": design.die(p.die_id).part,
            "kind": design.die(p.die_id).kind.value,
            "stack": p.stack,
            "tier": p.tier,
            "on_die": p.on_die,
            "side": p.side,
            "x_um": p.x_um,
            "y_um": p.y_um,
            "width_um": p.width_um,
            "length_um": p.length_um,
            "rotation_deg": p.rotation_deg,
            "z_bottom_um": p.z_bottom_um,
            "thickness_um": p.thickness_um,
            "z_top_um": p.z_top_um,
        }
        for p in sorted(layout.placements, key=lambda p: (p.stack, p.tier, p.die_id))
    ]
    return pd.DataFrame(rows, columns=list(_LAYOUT_COLUMNS))


def thermal_frame(report: ThermalReport) -> pd.DataFrame:
    """One row per die: hottest and mean temperature, limit and margin (°C)."""
    import pandas as pd

    rows = [
        {
            "die": d.die_id,
            "max_c": round(d.max_c, 2),
            "mean_c": round(d.mean_c, 2),
            "limit_c": d.limit_c,
            "margin_c": round(d.margin_c, 2),
            "ok": d.max_c <= d.limit_c,
        }
        for d in report.dies
    ]
    return pd.DataFrame(rows, columns=list(_THERMAL_COLUMNS))


def result_frame(result: SolveResult) -> pd.DataFrame:
    """One row per placed die, with its temperatures when the result has a thermal report.

    Empty (with the columns) when the result has no layout, e.g. an infeasible design.
    """
    import pandas as pd

    if result.layout is None or result.design is None:
        return pd.DataFrame(columns=list(_LAYOUT_COLUMNS))
    frame = layout_frame(result.design, result.layout)
    if result.thermal is None:
        return frame
    temps = thermal_frame(result.thermal).drop(columns="ok")
    return frame.merge(temps, on="die", how="left")


def comparison_frame(comparison: FamilyComparison) -> pd.DataFrame:
    """One row per candidate family (the rows of :meth:`FamilyComparison.rows`), by process."""
    import pandas as pd

    rows = comparison.rows()
    frame = pd.DataFrame(rows)
    return frame.set_index("process") if rows else frame


# --------------------------------------------------------------------------- HTML


def result_html(result: SolveResult) -> str:
    """A solve at a glance: status, key numbers, top view and section, or why nothing fits."""
    design, layout = result.design, result.layout
    name = "design" if design is None else design.name
    colour = _STATUS_COLOUR[result.status]
    parts = [
        f'<div class="layoutopt-result"><p><b>{escape(name)}</b>: '
        f'<span style="color:{colour};font-weight:bold">{escape(result.status.value)}</span>'
        f" in {result.time_s:.2f} s</p>"
    ]
    numbers = {k: v for k, v in key_numbers(result).items() if v is not None and k != "status"}
    parts.append(_kv_table(numbers, bad=_broken_limits(numbers)))
    if result.explanation:
        parts.append("<p><b>Why:</b></p>" + _list(result.explanation))
    if result.thermal is not None and result.thermal.violations():
        parts.append("<p><b>Thermal limits broken:</b></p>" + _list(result.thermal.violations()))
    if design is not None and layout is not None:
        parts.append(_drawings(design, layout))
    parts.append("</div>")
    return "".join(parts)


def thermal_html(report: ThermalReport) -> str:
    """Per-die temperatures with margins, the package top and the skin against their limits."""
    head = {
        "model": report.model,
        "ambient_c": report.ambient_c,
        "total_power_w": round(report.total_power_w, 3),
        "top_surface_c": round(report.top_surface_c, 2),
        "max_top_c": report.max_top_c,
        "skin_c": None if report.skin_c is None else round(report.skin_c, 2),
        "max_skin_c": report.max_skin_c,
        "hottest": f"{report.hottest_die_id} {report.hottest_c:.2f} °C"
        if report.hottest_die_id
        else None,
    }
    head = {k: v for k, v in head.items() if v is not None}
    rows = [
        [d.die_id, f"{d.max_c:.2f}", f"{d.mean_c:.2f}", f"{d.limit_c:.1f}", f"{d.margin_c:.1f}"]
        for d in report.dies
    ]
    bad_rows = {k for k, d in enumerate(report.dies) if d.max_c > d.limit_c}
    parts = [
        '<div class="layoutopt-thermal">',
        _kv_table(head, bad=_broken_limits(head)),
        _grid(("die", "max °C", "mean °C", "limit °C", "margin °C"), rows, bad_rows),
    ]
    if report.heat_out:
        parts.append(
            "<p>Heat out: "
            + ", ".join(f"{escape(f.face)} {f.heat_w:.3f} W" for f in report.heat_out)
            + "</p>"
        )
    if report.violations():
        parts.append(_list(report.violations()))
    parts.append("</div>")
    return "".join(parts)


def record_html(record: LayoutRecord) -> str:
    """A layout file's content: its key numbers, drawings and temperatures."""
    solver = record.solver or {}
    status = solver.get("status")
    numbers: dict[str, Any] = {
        "status": status,
        "family": record.design.family.value,
        "process": record.design.rules.name,
        "package_mm": _package_mm(record.layout),
        "footprint_mm2": round(record.layout.footprint_um2 / 1e6, 3),
        "thickness_um": record.layout.thickness_um,
        "max_thickness_um": record.design.envelope.max_thickness_um,
    }
    parts = [
        f'<div class="layoutopt-record"><p><b>{escape(record.design.name)}</b> (layout file)</p>',
        _kv_table({k: v for k, v in numbers.items() if v is not None}, bad=set()),
        _drawings(record.design, record.layout),
    ]
    if record.thermal is not None:
        parts.append(thermal_html(record.thermal))
    parts.append("</div>")
    return "".join(parts)


def comparison_html(comparison: FamilyComparison) -> str:
    """The family comparison table, and each solved family's top view side by side."""
    rows = comparison.rows()
    if not rows:
        return "<p>no candidate families</p>"
    columns = tuple(rows[0])
    best = comparison.best_index
    cells = [["" if v is None else str(v) for v in row.values()] for row in rows]
    parts = ['<div class="layoutopt-comparison">', _grid(columns, cells, set())]
    figures = []
    for k, (design, result) in enumerate(zip(comparison.variants, comparison.results, strict=True)):
        if result.layout is None:
            continue
        label = f"{design.rules.name or design.family.value}{' (best)' if k == best else ''}"
        figures.append(
            '<figure style="display:inline-block;vertical-align:top;margin:4px">'
            f"{_top_svg(design, result.layout, 360.0)}"
            f"<figcaption>{escape(label)}</figcaption></figure>"
        )
    parts.extend(figures)
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------- helpers


def _package_mm(layout: Layout) -> str:
    return f"{layout.package.width_um / 1000:g} x {layout.package.length_um / 1000:g}"


def _broken_limits(numbers: Mapping[str, Any]) -> set[str]:
    """Keys whose value is over its limit (``thickness_um`` vs ``max_thickness_um``, ...)."""
    pairs = (
        ("thickness_um", "max_thickness_um"),
        ("skin_c", "max_skin_c"),
        ("top_surface_c", "max_top_c"),
    )
    return {
        value
        for value, limit in pairs
        if numbers.get(value) is not None
        and numbers.get(limit) is not None
        and numbers[value] > numbers[limit]
    }


def _kv_table(numbers: Mapping[str, Any], bad: set[str]) -> str:
    cell = _CELL.format(align="left")
    rows = "".join(
        f"<tr><th {cell}>{escape(k)}</th>"
        f'<td {cell}><span style="{_BAD if k in bad else ""}">{escape(str(v))}</span></td></tr>'
        for k, v in numbers.items()
    )
    return f"<table {_TABLE}><tbody>{rows}</tbody></table>"


def _grid(columns: Sequence[str], rows: Iterable[Sequence[str]], bad_rows: set[int]) -> str:
    head_cell = _CELL.format(align="left")
    cell = _CELL.format(align="right")
    head = "".join(f"<th {head_cell}>{escape(c)}</th>" for c in columns)
    body = "".join(
        f'<tr style="{_BAD if k in bad_rows else ""}">'
        + "".join(f"<td {cell}>{escape(v)}</td>" for v in row)
        + "</tr>"
        for k, row in enumerate(rows)
    )
    return f"<table {_TABLE}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _list(lines: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def _inline(svg: str) -> str:
    """An SVG document as an HTML fragment (the XML declaration is not allowed inline)."""
    return svg.split("?>", 1)[1].strip() if svg.startswith("<?xml") else svg.strip()


def _top_svg(design: Design, layout: Layout, max_width_px: float) -> str:
    from layoutopt.render import to_svg_top

    return _inline(to_svg_top(design, layout, max_width_px=max_width_px))


def _drawings(design: Design, layout: Layout) -> str:
    from layoutopt.render import to_svg_section

    section = _inline(to_svg_section(design, layout, max_width_px=520.0))
    return (
        '<div style="display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start">'
        f"<div>{_top_svg(design, layout, 460.0)}</div><div>{section}</div></div>"
    )


# --------------------------------------------------------------------------- registration


def register(html_formatter: Any) -> None:
    """Show layoutopt's result values as HTML through ``html_formatter`` (IPython's
    ``shell.display_formatter.formatters["text/html"]``).

    >>> from IPython.core.formatters import HTMLFormatter
    >>> from layoutopt.thermal.report import ThermalReport
    >>> formatter = HTMLFormatter()
    >>> register(formatter)
    >>> "layoutopt-thermal" in formatter(ThermalReport("compact", 25.0, (), 30.0))
    True
    """
    from layoutopt.layout_io import LayoutRecord
    from layoutopt.pipeline import FamilyComparison

    html: tuple[tuple[type[Any], Any], ...] = (
        (SolveResult, result_html),
        (ThermalReport, thermal_html),
        (LayoutRecord, record_html),
        (FamilyComparison, comparison_html),
    )
    for cls, to_html in html:
        html_formatter.for_type(cls, to_html)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext layoutopt.display``: register the HTML formatters with this shell."""
    register(ipython.display_formatter.formatters["text/html"])
