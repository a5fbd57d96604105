"""The interactive sweep report: one self-contained HTML page, no server.

``report.html`` holds the Pareto-front plot (Plotly, with plotly.js embedded, so it opens
from a folder, an e-mail or a CI artefact), every solved point with its values on hover, a
side panel that shows the hovered (or clicked) point's values, its top-view drawing and
links to its files, and one filter per sweep axis (tick the values to show). Deterministic:
the same sweep gives the same bytes (points in key order, no dates, fixed div id).

The page opened with ``#selftest`` hovers its first front point by itself, which is how the
browser test checks that hovering shows the values.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_html_report"]

_DIV = "pareto-plot"
_LABELS = {
    "footprint_mm2": "footprint (mm²)",
    "thickness_um": "thickness (µm)",
    "peak_junction_c": "peak junction (°C)",
    "skin_c": "skin (°C)",
}


def _value(v: Any) -> Any:
    """A JSON-ready cell: None for missing, numbers rounded to 4 significant digits."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float | np.floating):
        return float(f"{float(v):.4g}")
    if isinstance(v, np.integer):
        return int(v)
    return str(v) if not isinstance(v, int | bool) else v


def _points(
    df: pd.DataFrame,
    front: pd.Series,
    objectives: Sequence[str],
    axes: Sequence[str],
    drawings: Mapping[str, str],
) -> list[dict[str, Any]]:
    columns = [c for c in (*axes, *_LABELS, "status") if c in df.columns]
    out = []
    for index, row in df.sort_values("key").iterrows():
        if any(row[o] is None or pd.isna(row[o]) for o in objectives[:2]):
            continue  # not solved: nothing to plot
        files = {}
        if row.get("layout_path"):
            files["layout.json"] = f"../{row['layout_path']}"
        if row["key"] in drawings:
            files["top view (svg)"] = drawings[row["key"]]
        out.append(
            {
                "key": str(row["key"]),
                "front": bool(front.loc[index]),
                "values": {c: _value(row[c]) for c in columns},
                "axes": {a: str(row[a]) for a in axes},
                "files": files,
            }
        )
    return out


def _figure(points: list[dict[str, Any]], objectives: Sequence[str]) -> Any:
    import plotly.graph_objects as go

    x, y = objectives[0], objectives[1]
    fig = go.Figure()
    for front, name, colour, size in (
        (False, "feasible", "#9aa5b1", 8),
        (True, "Pareto front", "#c0392b", 11),
    ):
        chosen = [p for p in points if p["front"] is front]
        chosen.sort(key=lambda p: (p["values"][x], p["values"][y], p["key"]))
        hover = [
            "<br>".join(f"{k}: {v}" for k, v in p["values"].items() if v is not None)
            for p in chosen
        ]
        fig.add_trace(
            go.Scatter(
                x=[p["values"][x] for p in chosen],
                y=[p["values"][y] for p in chosen],
                mode="lines+markers" if front else "markers",
                line={"shape": "hv", "width": 1} if front else None,
                marker={"size": size, "color": colour},
                name=name,
                customdata=[p["key"] for p in chosen],
                text=hover,
                hovertemplate="%{text}<extra>%{customdata}</extra>",
            )
        )
    fig.update_layout(
        xaxis_title=_LABELS.get(x, x),
        yaxis_title=_LABELS.get(y, y),
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        height=520,
        legend={"orientation": "h", "y": 1.06},
    )
    return fig


def _filters(points: list[dict[str, Any]], axes: Sequence[str]) -> str:
    """One fieldset of checkboxes per axis, every value ticked."""
    blocks = []
    for axis in axes:
        values = sorted({p["axes"][axis] for p in points})
        boxes = "".join(
            f'<label><input type="checkbox" class="axis-filter" data-axis="{html.escape(axis)}" '
            f'value="{html.escape(v)}" checked> {html.escape(v)}</label> '
            for v in values
        )
        blocks.append(f"<fieldset><legend>{html.escape(axis)}</legend>{boxes}</fieldset>")
    return "\n".join(blocks)


_SCRIPT = """
const POINTS = %(points)s;
const DRAWINGS = %(drawings)s;
const OBJ = %(objectives)s;
const byKey = Object.fromEntries(POINTS.map(p => [p.key, p]));
const plot = document.getElementById("%(div)s");
function init() {
  if (!plot.on || !plot.data) return setTimeout(init, 20);  // plotly.js still drawing

function show(key) {
  const p = byKey[key];
  const rows = Object.entries(p.values).filter(([k, v]) => v !== null)
    .map(([k, v]) => `<tr><th>${k}</th><td class="value" data-column="${k}">${v}</td></tr>`);
  const links = Object.entries(p.files)
    .map(([name, href]) => `<a href="${href}">${name}</a>`).join(" · ");
  document.getElementById("point").innerHTML =
    `<h3>point ${key}${p.front ? " (on the front)" : ""}</h3><table>${rows.join("")}</table>` +
    `<p class="links">${links || "no files"}</p>` +
    (DRAWINGS[key] ? `<div class="drawing">${DRAWINGS[key]}</div>` : "");
}
function applyFilters() {
  const ticked = {};
  document.querySelectorAll(".axis-filter").forEach(box => {
    ticked[box.dataset.axis] = ticked[box.dataset.axis] || new Set();
    if (box.checked) ticked[box.dataset.axis].add(box.value);
  });
  const keep = p => Object.entries(p.axes).every(([a, v]) => ticked[a].has(v));
  [false, true].forEach((front, trace) => {
    const chosen = POINTS.filter(p => p.front === front && keep(p))
      .sort((a, b) => a.values[OBJ[0]] - b.values[OBJ[0]] || a.values[OBJ[1]] - b.values[OBJ[1]]
        || (a.key < b.key ? -1 : 1));
    Plotly.restyle(plot, {x: [chosen.map(p => p.values[OBJ[0]])],
                          y: [chosen.map(p => p.values[OBJ[1]])],
                          customdata: [chosen.map(p => p.key)],
                          text: [chosen.map(p => Object.entries(p.values)
                            .filter(([k, v]) => v !== null).map(([k, v]) => `${k}: ${v}`)
                            .join("<br>"))]}, [trace]);
  });
  document.getElementById("shown").textContent =
    POINTS.filter(keep).length + " of " + POINTS.length + " points shown";
}
plot.on("plotly_hover", ev => show(ev.points[0].customdata));
plot.on("plotly_click", ev => show(ev.points[0].customdata));
document.querySelectorAll(".axis-filter").forEach(b => b.addEventListener("change", applyFilters));
applyFilters();
if (location.hash === "#selftest") {
  // A real mouse move over the first front point, as a person would hover it.
  const front = plot.data[1];
  if (front.x.length) {
    const drag = plot.querySelector(".nsewdrag");
    const box = drag.getBoundingClientRect();
    const layout = plot._fullLayout;
    const at = {clientX: box.left + layout.xaxis.l2p(front.x[0]),
                clientY: box.top + layout.yaxis.l2p(front.y[0]), bubbles: true};
    drag.dispatchEvent(new MouseEvent("mousemove", at));
    setTimeout(() => { document.body.dataset.selftest = "hovered"; }, 200);
  }
}
}
init();
"""

_STYLE = """
body { font-family: DejaVu Sans, Arial, sans-serif; margin: 16px; color: #222; }
#layout { display: flex; gap: 16px; align-items: flex-start; }
#left { flex: 3; min-width: 480px; } #point { flex: 2; min-width: 320px; }
fieldset { display: inline-block; margin: 4px; font-size: 13px; }
#point table { border-collapse: collapse; font-size: 13px; }
#point th { text-align: left; padding-right: 12px; font-weight: normal; color: #555; }
.drawing svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
"""


def _described(objectives: Sequence[str], senses: Sequence[str]) -> str:
    if not senses:
        return f"{', '.join(objectives)} (all minimised)"
    words = {"min": "minimised", "max": "maximised"}
    return ", ".join(f"{o} ({words[s]})" for o, s in zip(objectives, senses, strict=True))


def to_html_report(
    df: pd.DataFrame,
    front: pd.Series,
    objectives: Sequence[str],
    axes: Sequence[str],
    drawings: Mapping[str, str] | None = None,
    drawing_files: Mapping[str, str] | None = None,
    title: str = "Sweep report",
    senses: Sequence[str] = (),
) -> str:
    """The interactive report page of a sweep's results frame (see the module docstring).

    ``drawings`` maps a point key to its top view's SVG text (shown on hover);
    ``drawing_files`` maps it to the drawing's path relative to the page (linked);
    ``senses`` gives each objective's "min" or "max" (default: all minimised).
    """
    import plotly.io as pio

    drawings = dict(drawings or {})
    points = _points(df, front, objectives, axes, dict(drawing_files or {}))
    fig = _figure(points, objectives)
    plot_html = pio.to_html(
        fig,
        include_plotlyjs=True,
        full_html=False,
        div_id=_DIV,
        config={"displaylogo": False, "responsive": True},
    )
    keys = {p["key"] for p in points}
    script = _SCRIPT % {
        "points": json.dumps(points, sort_keys=True),
        "drawings": json.dumps({k: v for k, v in sorted(drawings.items()) if k in keys}),
        "objectives": json.dumps(list(objectives[:2])),
        "div": _DIV,
    }
    front_n = sum(p["front"] for p in points)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f"<p>{len(df)} points, {len(points)} solved, {front_n} on the Pareto front over "
        f"{html.escape(_described(objectives, senses))}. Hover or click a point for its "
        'values, drawing and files. <span id="shown"></span></p>\n'
        f'<div id="filters">{_filters(points, axes)}</div>\n'
        f'<div id="layout"><div id="left">{plot_html}</div>'
        '<div id="point"><p>Hover a point.</p></div></div>\n'
        f"<script>{script}</script>\n</body></html>\n"
    )
