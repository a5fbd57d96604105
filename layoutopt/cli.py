"""The ``layoutopt`` command line: a thin shell over the library.

Exit codes (documented in the README, tested):

==== =====================================================================
0    success (a layout was found: optimal or feasible; a layout is valid)
1    ``sweep``: finished, but some points failed (each error is recorded in the store)
2    usage error (unknown option, missing argument)
3    bad input: a design, layout, space or bookshelf file is invalid
4    infeasible: no layout exists; the reason is printed
5    no solution within the time limit
6    ``validate``: the layout breaks rules; ``thermal``: it breaks a thermal limit
7    ``sweep``: an infrastructure fault (store, disk, folder lock, Dask scheduler or
     workers); the message says what to fix, and a rerun resumes
70   internal error (a bug: please report it with the design file)
130  interrupted (Ctrl-C); nothing half-done is kept
==== =====================================================================
"""

from __future__ import annotations

import json
import sys
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from layoutopt.errors import DesignError, InternalError, LayoutOptError

__all__ = ["ExitCode", "app", "main"]


class ExitCode(IntEnum):
    OK = 0
    POINT_ERRORS = 1
    USAGE = 2
    BAD_INPUT = 3
    INFEASIBLE = 4
    NO_SOLUTION = 5
    VIOLATIONS = 6
    INFRASTRUCTURE = 7
    INTERNAL = 70
    INTERRUPTED = 130


app = typer.Typer(
    name="layoutopt",
    help="Chip-package layout and footprint optimizer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Wide enough for the comparison table when the output is not a terminal (CI logs, files).
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True, highlight=False)


def _fail(error: LayoutOptError) -> typer.Exit:
    code = ExitCode.INTERNAL if isinstance(error, InternalError) else ExitCode.BAD_INPUT
    prefix = "internal error (please report): " if code == ExitCode.INTERNAL else "error: "
    err_console.print(prefix + str(error), markup=False)
    return typer.Exit(int(code))


def _interrupted(out: Path, writing: bool) -> typer.Exit:
    """Ctrl-C: say what was kept, exit 130 (128 + SIGINT, as shells report it)."""
    if writing:
        kept = f"stopped while writing {out}: its files may mix this run and an earlier one"
    else:
        kept = f"stopped before any answer was final: nothing was written to {out}"
    err_console.print(f"interrupted (Ctrl-C): {kept}.", markup=False)
    return typer.Exit(int(ExitCode.INTERRUPTED))


@app.command()
def solve(
    design_path: Annotated[Path, typer.Argument(metavar="DESIGN", help="Design file (YAML).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path("out"),
    time_limit_s: Annotated[float, typer.Option("--time-limit", help="Seconds per solve.")] = 30.0,
    workers: Annotated[int, typer.Option(help="CP-SAT workers (1 + --seed: deterministic).")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    grid_um: Annotated[int, typer.Option("--grid-um", help="Position grid in µm.")] = 10,
    thermal: Annotated[bool, typer.Option(help="Thermal limits in the loop.")] = True,
    thermal_model: Annotated[
        str, typer.Option(help="Model the limits hold on: fv3d or compact.")
    ] = "fv3d",
    drawings: Annotated[bool, typer.Option(help="Write SVG drawings.")] = True,
) -> None:
    """Solve a design: write OUT/layout.json and drawings, print a summary.

    A design with alternatives is solved once per family; the best goes to OUT, each
    family to OUT/families/NAME, and the comparison to OUT/comparison.csv.
    """
    if thermal_model not in ("compact", "fv3d"):
        raise typer.BadParameter("use 'compact' or 'fv3d'", param_hint="--thermal-model")
    writing = False
    try:
        from layoutopt.design_file import load_design
        from layoutopt.pipeline import compare_families, family_dir_name, write_solution
        from layoutopt.solver import SolveOptions

        design = load_design(design_path)
        options = SolveOptions(
            time_limit_s=time_limit_s,
            workers=workers,
            seed=seed,
            grid_um=grid_um,
            thermal=thermal,
            thermal_model=thermal_model,
        )
        comparison = compare_families(design, options)
        writing = True
        best = comparison.best_index
        if len(comparison.variants) > 1:
            for variant, result in zip(comparison.variants, comparison.results, strict=True):
                write_solution(
                    out / "families" / family_dir_name(variant), variant, result, drawings=drawings
                )
            _write_comparison_csv(out / "comparison.csv", comparison.rows())
            _print_comparison(comparison)
        chosen = 0 if best is None else best
        variant, result = comparison.variants[chosen], comparison.results[chosen]
        write_solution(out, variant, result, drawings=drawings)
    except LayoutOptError as error:
        raise _fail(error) from None
    except KeyboardInterrupt:
        raise _interrupted(out, writing) from None
    _print_summary(variant, result, out)
    from layoutopt.solver import SolveStatus

    codes = {
        SolveStatus.OPTIMAL: ExitCode.OK,
        SolveStatus.FEASIBLE: ExitCode.OK,
        SolveStatus.INFEASIBLE: ExitCode.INFEASIBLE,
        SolveStatus.NO_SOLUTION: ExitCode.NO_SOLUTION,
    }
    raise typer.Exit(int(codes[result.status]))


def _write_comparison_csv(path: Path, rows: list[dict[str, object]]) -> None:
    import csv
    import io

    from layoutopt.layout_io import write_atomic

    # Wall-clock times stay out of the results (they are in each family's timing.json).
    rows = [{k: v for k, v in row.items() if k != "time_s"} for row in rows]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(path, buffer.getvalue())


def _print_comparison(comparison) -> None:  # type: ignore[no-untyped-def]
    columns = (
        ("process", "process", str),
        ("status", "status", str),
        ("footprint_mm2", "mm²", str),
        ("package_mm", "package mm", str),
        ("thickness_um", "µm thick", str),
        ("peak_junction_c", "Tj °C", str),
        ("skin_c", "skin °C", str),
        ("warpage_um", "warp µm", str),
        ("package_yield", "yield", lambda v: f"{100 * v:.1f}%"),
        ("cost_usd", "$/good", str),
        ("time_s", "time s", str),
    )
    table = Table(title="Candidate families")
    for _, header, _ in columns:
        table.add_column(header, no_wrap=True)
    table.add_column("best", no_wrap=True)
    for row in comparison.rows():
        cells = ["" if row[key] is None else fmt(row[key]) for key, _, fmt in columns]
        table.add_row(*cells, "<-" if row["best"] else "")
    console.print(table)
    for variant, result in zip(comparison.variants, comparison.results, strict=True):
        for line in result.explanation:
            console.print(f"{variant.rules.name}: {line}", markup=False)


def _print_summary(design, result, out: Path) -> None:  # type: ignore[no-untyped-def]
    process = design.rules.name
    family = design.family.value + ("" if process in ("", design.family.value) else f", {process}")
    console.print(f"design    {design.name} ({family})")
    console.print(
        f"status    {result.status.value} in {result.time_s:.2f} s"
        + ("" if result.gap in (None, 0.0) else f", gap {100 * result.gap:.1f}%")
    )
    layout = result.layout
    if layout is not None:
        pkg = layout.package
        console.print(
            f"package   {pkg.width_um / 1000:g} x {pkg.length_um / 1000:g} mm = "
            f"{layout.footprint_um2 / 1e6:.2f} mm², {layout.thickness_um} µm thick "
            f"(max {design.envelope.max_thickness_um} µm)"
        )
        console.print(f"stacks    {len(layout.stacks())} for {len(layout.placements)} dies")
        if result.thermal is not None:
            t = result.thermal
            skin = "" if t.skin_c is None else f", skin {t.skin_c:.1f} °C"
            console.print(
                f"thermal   peak junction {t.peak_junction_c:.1f} °C, top "
                f"{t.top_surface_c:.1f} °C{skin} ({t.model})"
            )
        _print_assessment(design, layout)
        console.print(f"written   {out / 'layout.json'}")
    for line in result.explanation:
        console.print(f"why       {line}", markup=False)


def _print_assessment(design, layout) -> None:  # type: ignore[no-untyped-def]
    from layoutopt.assess import assess

    checks = assess(design, layout)
    w, c = checks.warpage, checks.cost
    limit = "no limit" if w.max_warpage_um is None else f"limit {w.max_warpage_um:g} µm"
    console.print(
        f"warpage   {w.room.warpage_um:+.0f} µm at {w.room.temperature_c:g} °C, "
        f"{w.peak.warpage_um:+.0f} µm at {w.peak.temperature_c:g} °C ({limit})"
    )
    for line in w.violations():
        console.print(f"warning   {line}", markup=False)
    console.print(
        f"cost      ${c.cost_per_good_usd:.2f} per good package "
        f"(${c.cost_band_usd[0]:.2f}-{c.cost_band_usd[1]:.2f} over the estimates), yield "
        f"{100 * c.package_yield:.1f} % ({100 * c.yield_band[0]:.1f}-{100 * c.yield_band[1]:.1f})"
    )


@app.command()
def validate(
    layout_path: Annotated[Path, typer.Argument(metavar="LAYOUT", help="layout.json")],
) -> None:
    """Check a layout against every rule, independently of the solver."""
    from layoutopt.validate import validate_file

    try:
        _design, _layout, violations = validate_file(layout_path)
    except LayoutOptError as error:
        raise _fail(error) from None
    if not violations:
        console.print(f"{layout_path}: valid (every rule holds)")
        raise typer.Exit(int(ExitCode.OK))
    for v in violations:
        console.print(f"{layout_path}: {v.rule}: {v.message}", markup=False)
    console.print(f"{len(violations)} violation(s)")
    raise typer.Exit(int(ExitCode.VIOLATIONS))


@app.command()
def library(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the built-in parts, materials and processes with their sources."""
    from layoutopt.library import library_table

    rows = library_table()
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table(title="layoutopt built-in library")
    keys = list(rows[0]) if rows else []
    for key in keys:
        table.add_column(key, overflow="fold")
    for row in rows:
        table.add_row(*(str(row.get(k, "")) for k in keys))
    console.print(table)


@app.command()
def schema() -> None:
    """Print the JSON Schema of design files."""
    from layoutopt.design_file import design_json_schema

    sys.stdout.write(json.dumps(design_json_schema(), indent=2, sort_keys=True) + "\n")


@app.command()
def render(
    layout_path: Annotated[Path, typer.Argument(metavar="LAYOUT", help="layout.json")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Output folder.")] = None,
    views: Annotated[
        str, typer.Option(help="Comma list: top,section,thermal,sheet,iso,dxf,step.")
    ] = "top,section",
    formats: Annotated[
        str, typer.Option("--format", help="Comma list: svg,pdf,png,dxf,step.")
    ] = "svg",
    cut: Annotated[str | None, typer.Option(help="Section cut line, e.g. 'y=4.75 mm'.")] = None,
    exaggeration: Annotated[
        float | None, typer.Option(help="Vertical exaggeration of the section.")
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(help="Issue date in the title block (default: SOURCE_DATE_EPOCH, if set)."),
    ] = None,
) -> None:
    """Draw a layout file: views and formats as asked (thermal views run the 3D model).

    The sheet's thermal map is drawn only for a layout that was checked for temperature;
    a layout solved with ``--no-thermal`` gets a note instead.
    """
    import os
    from dataclasses import replace
    from datetime import UTC, datetime

    from layoutopt.layout_io import read_layout
    from layoutopt.render import parse_cut, sheet_info, write_views

    view_names = tuple(v.strip() for v in views.split(",") if v.strip())
    try:
        record = read_layout(layout_path)
        field = None
        asked = "thermal" in view_names or ("sheet" in view_names and record.thermal is not None)
        if asked:
            from layoutopt.thermal import solve_fv3d

            field = solve_fv3d(record.design, record.layout)
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        if date is None and epoch.isdigit():  # the reproducible-builds convention
            date = datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
        info = replace(sheet_info(record.design, record.layout), date=date or "")
        written = write_views(
            out or layout_path.parent,
            record.design,
            record.layout,
            views=view_names,
            formats=tuple(f.strip() for f in formats.split(",") if f.strip()),
            thermal=record.thermal,
            solver=record.solver,
            field=field,
            cut=parse_cut(cut) if cut else None,
            exaggeration=exaggeration,
            warpage=record.warpage,
            info=info,
        )
    except LayoutOptError as error:
        raise _fail(error) from None
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    for path in written:
        console.print(f"written   {path}")


@app.command()
def thermal(
    layout_path: Annotated[Path, typer.Argument(metavar="LAYOUT", help="layout.json")],
    model: Annotated[str, typer.Option(help="compact or fv3d.")] = "fv3d",
    step_um: Annotated[int, typer.Option("--step-um", help="fv3d lateral grid step (µm).")] = 100,
    hotspot: Annotated[
        Path | None, typer.Option(help="Also write the case for HotSpot here.")
    ] = None,
) -> None:
    """Check a layout's temperatures (per die, top, skin) on the compact or 3D model."""
    from layoutopt.layout_io import read_layout
    from layoutopt.thermal import thermal_check, write_hotspot

    if model not in ("compact", "fv3d"):
        raise typer.BadParameter("use 'compact' or 'fv3d'", param_hint="--model")
    try:
        record = read_layout(layout_path)
        options = {"lateral_step_um": step_um} if model == "fv3d" else {}
        report = thermal_check(record.design, record.layout, model=model, **options)
        written = write_hotspot(hotspot, record.design, record.layout) if hotspot else []
    except LayoutOptError as error:
        raise _fail(error) from None
    table = Table(title=f"{record.design.name}: {report.model} model, {report.cells} cells")
    for column in ("die", "max °C", "mean °C", "limit °C", "margin K"):
        table.add_column(column)
    for d in report.dies:
        table.add_row(
            d.die_id, f"{d.max_c:.2f}", f"{d.mean_c:.2f}", f"{d.limit_c:.1f}", f"{d.margin_c:.2f}"
        )
    console.print(table)
    skin = "" if report.skin_c is None else f", skin {report.skin_c:.2f} °C"
    console.print(
        f"top {report.top_surface_c:.2f} °C{skin}; {report.total_power_w:.3f} W in; "
        + ", ".join(f"{h.face} {h.heat_w:.3f} W" for h in report.heat_out)
    )
    for line in report.violations():
        console.print(f"limit     {line}", markup=False)
    for path in written:
        console.print(f"written   {path}")
    raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.VIOLATIONS))


@app.command()
def sweep(
    space_path: Annotated[Path, typer.Argument(metavar="SPACE", help="Space file (YAML).")],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Output folder (store, layouts, report).")
    ],
    workers: Annotated[int, typer.Option("-j", "--workers", help="Local worker processes.")] = 1,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (tcp://host:8786).")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    jsonl: Annotated[
        bool, typer.Option(help="One JSON line per finished point on stdout.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    time_limit_s: Annotated[float, typer.Option("--time-limit", help="Seconds per point.")] = 30.0,
    deterministic: Annotated[bool, typer.Option(help="One CP-SAT worker, no warm starts.")] = False,
    warm_start: Annotated[bool, typer.Option(help="Reuse neighbours' layouts as hints.")] = True,
    report: Annotated[bool, typer.Option(help="Write the Pareto report.")] = True,
    retry_errors: Annotated[
        bool, typer.Option(help="Solve again the points earlier runs stored as errors.")
    ] = False,
) -> None:
    """Solve every point of a design space; resumable.

    Exit codes:
    0 every point finished (feasible or not);
    1 some points failed (each is stored with its error, a dead worker's cause included);
    3 the space file is invalid;
    7 infrastructure fault: damaged store, full or read-only disk, folder locked by another sweep, Dask scheduler lost or unreachable (the message says what to fix; a rerun resumes);
    130 interrupted by Ctrl-C (the points being solved are not stored).
    """
    from layoutopt.sweep.cli import main_sweep

    code = main_sweep(
        space_path,
        out,
        workers=workers,
        scheduler=scheduler,
        quiet=quiet,
        jsonl=jsonl,
        seed=seed,
        time_limit_s=time_limit_s,
        deterministic=deterministic,
        warm_start=warm_start,
        report=report,
        retry_errors=retry_errors,
    )
    raise typer.Exit(code)


@app.command("import-bookshelf")
def import_bookshelf(
    blocks: Annotated[Path, typer.Argument(metavar="FILE.blocks", help="GSRC Bookshelf blocks.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Design file to write.")],
    nets: Annotated[Path | None, typer.Option(help="The .nets file (checked).")] = None,
    pl: Annotated[Path | None, typer.Option(help="The .pl file (checked).")] = None,
    whitespace: Annotated[
        float | None, typer.Option(help="Fixed square outline with this whitespace, e.g. 0.15.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Design name.")] = None,
) -> None:
    """Turn a Bookshelf floorplan into a design: hard blocks as dies, rotation allowed;
    a fixed square outline with --whitespace, else a free outline (minimum area)."""
    from layoutopt.bookshelf import bookshelf_to_design_yaml
    from layoutopt.layout_io import write_atomic

    try:
        text = bookshelf_to_design_yaml(blocks, nets, pl, whitespace=whitespace, name=name)
    except LayoutOptError as error:
        raise _fail(error) from None
    write_atomic(out, text)
    console.print(f"written   {out}")


def main() -> None:
    """Console entry point: run the app, mapping uncaught library errors to exit codes."""
    try:
        app()
    except DesignError as error:  # pragma: no cover - commands catch these themselves
        err_console.print(f"error: {error}", markup=False)
        sys.exit(int(ExitCode.BAD_INPUT))
