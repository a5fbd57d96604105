"""The sweep report: front CSV, plots, drawings of the front points, one-page summary.md.

``write_report`` reads the sweep directory and writes into ``<outdir>/report/``:

- ``front.csv``: the Pareto-front points with their axis values and objectives;
- ``pareto.png`` / ``.svg``: the first two objectives, every feasible point, front highlighted
  (the objectives and their senses come from the space file's ``pareto:``);
- ``<objective>_vs_<axis>.png`` / ``.svg``: each objective against each axis;
- ``drawings/<key>.svg``: top views of the front points (when :mod:`layoutopt.render` is there);
- ``report.html``: one self-contained interactive page (:mod:`layoutopt.sweep.html_report`);
- ``summary.md``: counts, the front table and links to all of the above.

SVG output is deterministic (fixed hash salt, no date), so reruns diff cleanly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from layoutopt.files import safe_name
from layoutopt.layout_io import read_layout, write_atomic
from layoutopt.sweep.analysis import OBJECTIVES, as_objectives, pareto_front, results_frame
from layoutopt.sweep.filters import comparable
from layoutopt.sweep.objectives import DEFAULT_PARETO, ParetoObjective, Sense, label

__all__ = ["Report", "write_report"]


@dataclass(frozen=True)
class Report:
    """Where the report's files went (paths relative to the report directory in ``files``)."""

    directory: Path
    summary: Path
    front_csv: Path
    front_size: int
    files: tuple[str, ...] = ()
    drawings: dict[str, str] = field(default_factory=dict)  # key -> relative path


def _save(fig: Any, directory: Path, stem: str, formats: Sequence[str]) -> list[str]:
    names = []
    for fmt in formats:
        name = f"{stem}.{fmt}"
        metadata = {"Date": None} if fmt == "svg" else {"Software": None} if fmt == "png" else {}
        with matplotlib.rc_context({"svg.hashsalt": "layoutopt", "svg.fonttype": "none"}):
            fig.savefig(directory / name, format=fmt, metadata=metadata, dpi=110)
        names.append(name)
    plt.close(fig)
    return names


def _axis_numbers(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """Numbers to plot an axis on: lengths in mm, numbers as they are, else categories."""
    keys = [comparable(v) for v in values]
    kinds = {k for k, _ in keys}
    if kinds == {"length"}:
        return np.array([v / 1000 for _, v in keys]), None
    if kinds == {"number"}:
        return np.array([v for _, v in keys], dtype=float), None
    categories = sorted({str(v) for v in values})
    return np.array([categories.index(str(v)) for v in values], dtype=float), categories


def _pareto_plot(
    df: pd.DataFrame,
    front: pd.Series,
    objectives: Sequence[ParetoObjective],
    directory: Path,
    formats: Sequence[str],
) -> list[str]:
    x, y = objectives[0].column, objectives[1].column
    ok = df[[x, y]].notna().all(axis=1)
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    fig.subplots_adjust(left=0.14, right=0.97, bottom=0.13, top=0.92)
    ax.scatter(
        df.loc[ok & ~front, x], df.loc[ok & ~front, y], s=14, color="#9aa5b1", label="feasible"
    )
    pts = df.loc[front].sort_values([x, y])
    ax.step(pts[x], pts[y], where="post", color="#c0392b", linewidth=1.0)
    ax.scatter(pts[x], pts[y], s=28, color="#c0392b", label="Pareto front", zorder=3)
    ax.set_xlabel(f"{label(x)}, {objectives[0].sense.value}")
    ax.set_ylabel(f"{label(y)}, {objectives[1].sense.value}")
    ax.set_title("Pareto front")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return _save(fig, directory, "pareto", formats)


def _axis_plots(
    df: pd.DataFrame,
    front: pd.Series,
    objectives: Sequence[str],
    axes: Sequence[str],
    directory: Path,
    formats: Sequence[str],
) -> list[str]:
    names: list[str] = []
    for axis in axes:
        xs, categories = _axis_numbers(df[axis])
        for objective in objectives:
            ok = df[objective].notna().to_numpy()
            if not ok.any():
                continue
            fig, ax = plt.subplots(figsize=(5.0, 3.6))
            fig.subplots_adjust(left=0.15, right=0.97, bottom=0.2, top=0.95)
            ax.scatter(
                xs[ok & ~front.to_numpy()],
                df.loc[ok & ~front.to_numpy(), objective],
                s=14,
                color="#9aa5b1",
            )
            ax.scatter(
                xs[front.to_numpy()], df.loc[front, objective], s=24, color="#c0392b", label="front"
            )
            if categories is not None:
                ax.set_xticks(range(len(categories)), categories, rotation=20)
            ax.set_xlabel(
                axis
                + (
                    " (mm)"
                    if categories is None and comparable(df[axis].iloc[0])[0] == "length"
                    else ""
                )
            )
            ax.set_ylabel(label(objective))
            ax.grid(alpha=0.3)
            names += _save(fig, directory, f"{objective}_vs_{axis}", formats)
    return names


def _drawing(layout_file: Path) -> str | None:
    """An SVG top view of a layout file, when the renderer is available and works."""
    try:
        from layoutopt.render.top import to_svg_top
    except ImportError:
        return None
    record = read_layout(layout_file)
    try:
        return str(to_svg_top(record.design, record.layout))
    except Exception:  # drawings are a courtesy of the report; a renderer bug must not fail it
        return None


def write_report(
    sweep_dir: str | Path,
    objectives: Sequence[str | ParetoObjective] = DEFAULT_PARETO,
    *,
    formats: Sequence[str] = ("png", "svg"),
    drawings: bool = True,
) -> Report:
    """Write the report of the sweep in ``sweep_dir`` into ``sweep_dir/report``.

    ``objectives`` are the front's columns and senses (a bare name is minimised); the sweep
    command passes the space file's ``pareto:``.
    """
    goals = as_objectives(objectives)
    sweep_dir = Path(sweep_dir)
    directory = sweep_dir / "report"
    directory.mkdir(parents=True, exist_ok=True)
    df = results_frame(sweep_dir)
    for column in OBJECTIVES:  # a table from before a column existed: empty column
        if column not in df:
            df[column] = np.nan
    axes: list[str] = df.attrs.get("axes", [])
    names = [o.column for o in goals]
    front = pareto_front(df, goals)
    files: list[str] = []
    columns = ["key", *axes, *OBJECTIVES, "status", "layout_path"]
    front_df = df.loc[front, columns].sort_values(
        names, ascending=[o.sense is Sense.MIN for o in goals]
    )
    front_csv = directory / "front.csv"
    write_atomic(front_csv, front_df.to_csv(index=False))
    files.append("front.csv")
    feasible = df[names].notna().all(axis=1)
    if feasible.any() and len(goals) >= 2:
        files += _pareto_plot(df, front, goals, directory, formats)
    if feasible.any():
        files += _axis_plots(df, front, names, axes, directory, formats)
    drawn: dict[str, str] = {}
    svgs: dict[str, str] = {}
    if drawings:
        for _, row in front_df.iterrows():
            if not row["layout_path"]:
                continue
            layout_file = (sweep_dir / row["layout_path"]).resolve()
            if not layout_file.is_relative_to(sweep_dir.resolve()):
                continue  # a store row pointing outside the sweep is not ours to read
            svg = _drawing(layout_file)
            if svg is not None:
                # The key names a file: made safe, so a crafted store cannot write elsewhere.
                name = f"drawings/{safe_name(str(row['key'])[:16], default='point')}.svg"
                write_atomic(directory / name, svg)
                drawn[row["key"]] = name
                svgs[row["key"]] = svg
    if feasible.any() and len(goals) >= 2:
        from layoutopt.sweep.html_report import to_html_report

        page = to_html_report(
            df,
            front,
            names,
            axes,
            svgs,
            drawn,
            f"Sweep {sweep_dir.name}",
            senses=[o.sense.value for o in goals],
        )
        write_atomic(directory / "report.html", page)
        files.append("report.html")
    summary = directory / "summary.md"
    write_atomic(summary, _summary_md(df, front_df, goals, axes, files, drawn))
    return Report(
        directory=directory,
        summary=summary,
        front_csv=front_csv,
        front_size=int(front.sum()),
        files=tuple(files),
        drawings=drawn,
    )


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _summary_md(
    df: pd.DataFrame,
    front_df: pd.DataFrame,
    objectives: Sequence[ParetoObjective],
    axes: Sequence[str],
    files: Sequence[str],
    drawn: dict[str, str],
) -> str:
    counts = df["status"].value_counts().sort_index()
    lines = [
        "# Sweep summary",
        "",
        f"{len(df)} points: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + ".",
        f"Pareto front over {', '.join(str(o) for o in objectives)}: {len(front_df)} points "
        f"([front.csv](front.csv)).",
        "",
    ]
    if "report.html" in files:
        lines += ["Interactive: [report.html](report.html) (front, values on hover, filters).", ""]
    if "pareto.png" in files:
        lines += ["![Pareto front](pareto.png)", ""]
    shown = [c for c in OBJECTIVES if front_df[c].notna().any()]
    header = [*axes, *[label(c) for c in shown], "layout", "drawing"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for _, row in front_df.iterrows():
        layout = f"[layout](../{row['layout_path']})" if row["layout_path"] else "–"
        drawing = f"[svg]({drawn[row['key']]})" if row["key"] in drawn else "–"
        cells = [_fmt(row[a]) for a in axes] + [_fmt(row[c]) for c in shown] + [layout, drawing]
        lines.append("| " + " | ".join(cells) + " |")
    errors = df[df["status"] == "error"]
    if len(errors):
        lines += ["", f"## Errors ({len(errors)})", ""]
        for _, row in errors.head(10).iterrows():
            lines.append(f"- point {row['point_index']}: {row['error']}")
    plots = [f for f in files if f.endswith(".png") and f != "pareto.png"]
    if plots:
        lines += ["", "## Objectives against each axis", ""]
        lines += [f"- [{Path(f).stem.replace('_vs_', ' vs ')}]({f})" for f in plots]
    return "\n".join(lines) + "\n"
