"""The ``layoutopt`` command line: a thin shell over the library.

Exit codes (documented in the README, listed in every command's help, tested):

==== =====================================================================
0    success (a layout was found: optimal or feasible; a layout is valid)
1    ``sweep``: finished, but some points failed (each error is recorded in the store)
2    usage error (unknown option, missing argument, an option value out of range)
3    bad input: a design, layout, space or Bookshelf file is invalid, or ``-o`` cannot
     be written
4    infeasible: no layout exists; the reason is printed
5    no solution: none found in time, or every stacking cut for temperature (reason printed)
6    ``validate``: the layout breaks rules; ``thermal``: it breaks a thermal limit;
     ``warpage``: it breaks the warpage limit
7    ``sweep``: an infrastructure fault (store, disk, folder lock, Dask scheduler or
     workers); the message says what to fix, and a rerun resumes
70   internal error (a bug): a report with the traceback is saved and its path printed
130  interrupted (Ctrl-C); nothing half-done is kept
143  terminated (SIGTERM): stopped as by Ctrl-C
==== =====================================================================

Option values are checked by their parameter types before a command runs (exit 2, with
the option, the value and the allowed range); input files are read and ``-o`` is checked
before any solve (exit 3). Any other exception is a bug: :class:`_GuardedGroup` turns it
into one paragraph and a saved report (exit 70), never a traceback on the terminal.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic_core import PydanticCustomError
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from layoutopt import options as option_checks
from layoutopt.errors import DesignError, InternalError, LayoutOptError
from layoutopt.options import OptionValueError
from layoutopt.stopping import how_stopped, stop_on_sigterm

__all__ = ["EXIT_MEANINGS", "ExitCode", "app", "main"]


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
    TERMINATED = 143


#: What each exit code means, in the words of the README table (a test keeps them equal).
#: A new code is one member above and one line here.
EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.POINT_ERRORS: "a sweep finished but some points failed (recorded)",
    ExitCode.USAGE: "usage error (an option or argument is missing, unknown or out of range)",
    ExitCode.BAD_INPUT: "bad input (a file or -o; the message names the file, field, value "
    "and fix)",
    ExitCode.INFEASIBLE: "infeasible (the reason is printed, in numbers)",
    ExitCode.NO_SOLUTION: "no solution: none found within the time limit, or every stacking "
    "cut by the thermal loop (no proof either way; the reason is printed)",
    ExitCode.VIOLATIONS: "the layout breaks rules (validate), a thermal limit (thermal) or the "
    "warpage limit (warpage)",
    ExitCode.INFRASTRUCTURE: "a sweep's infrastructure failed (its store is damaged, the disk "
    "is full or read-only, another sweep holds the folder, the Dask scheduler is lost or "
    "unreachable, workers cannot start): the message says what to fix, and a rerun resumes",
    ExitCode.INTERNAL: "internal error (a bug: a report is saved and its path printed)",
    ExitCode.INTERRUPTED: "interrupted by Ctrl-C (nothing half-done is kept)",
    ExitCode.TERMINATED: "terminated by SIGTERM (stopped as by Ctrl-C: nothing half-done is kept)",
}


def _exit_help(*codes: ExitCode, **wording: str) -> str:
    """The help epilog listing the exit codes a command can return (usage, bad input,
    internal error and Ctrl-C apply to every command); ``wording`` (``OK="..."``, by
    member name) says what a code means for this command, where it says more."""
    every = sorted(
        {
            *codes,
            ExitCode.USAGE,
            ExitCode.BAD_INPUT,
            ExitCode.INTERNAL,
            ExitCode.INTERRUPTED,
            ExitCode.TERMINATED,
        }
    )
    text = (f"{int(c)} {wording.get(c.name, EXIT_MEANINGS[c])}" for c in every)
    return "Exit codes: " + "; ".join(text) + "."


# --- crashes become a report ----------------------------------------------------------


class _GuardedGroup(TyperGroup):
    """The command group: an exception no command handles is a bug, reported in one
    paragraph with the path of a saved report (exit 70), never as a bare traceback."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta["layoutopt.argv"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # exits, usage errors and their messages: typer's own
        except KeyboardInterrupt as stop:
            # A command without its own Ctrl-C handling (render, thermal, validate, ...):
            # one line and 130 (143 for SIGTERM), not click's "Aborted!" and exit 1.
            words, code = how_stopped(stop)
            name = ctx.invoked_subcommand or "the command"
            err_console.print(
                f"{words}: layoutopt {name} stopped; a file it was writing is left as it was "
                "(files are replaced whole, never half-written).",
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(code) from None
        except Exception as error:
            argv = ctx.meta.get("layoutopt.argv", [])
            raise typer.Exit(_report_internal_error(error, argv)) from None


def _report_internal_error(error: BaseException, argv: Sequence[str]) -> int:
    from layoutopt.crash import save_crash_report

    try:
        path = save_crash_report(error, argv)
        where = f"the traceback, the command and its input files are saved in {path}"
    except OSError as err:
        where = f"the report could not be saved ({err.strerror or err})"
    what = f"{type(error).__name__}: {error}".strip().rstrip(":")
    err_console.print(
        f"internal error: {what}. This is a bug in layoutopt, not a problem with your input; "
        f"{where}. Please report it with that file.",
        markup=False,
        soft_wrap=True,  # the terminal wraps; no newline inside the report's path
    )
    return int(ExitCode.INTERNAL)


def _version(value: bool) -> None:
    if value:
        from layoutopt import __version__

        console.print(f"layoutopt {__version__}")
        raise typer.Exit(int(ExitCode.OK))


app = typer.Typer(
    name="layoutopt",
    help="Chip-package layout and footprint optimizer.",
    cls=_GuardedGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Chip-package layout and footprint optimizer."""


# Wide enough for the comparison table when the output is not a terminal (CI logs, files).
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True, highlight=False)


def _interrupted(out: Path, writing: bool, stop: KeyboardInterrupt) -> typer.Exit:
    """Ctrl-C or SIGTERM: say what was kept, exit 130 or 143 (128 + the signal number, as
    shells report it)."""
    if writing:
        kept = f"stopped while writing {out}: its files may mix this run and an earlier one"
    else:
        kept = f"stopped before any answer was final: nothing was written to {out}"
    words, code = how_stopped(stop)
    err_console.print(f"{words}: {kept}.", markup=False)
    return typer.Exit(code)


def _fail(error: LayoutOptError) -> typer.Exit:
    if isinstance(error, InternalError):
        raise error  # a bug: _GuardedGroup reports it with the command line
    err_console.print("error: " + str(error), markup=False, soft_wrap=True)
    return typer.Exit(int(ExitCode.BAD_INPUT))


# --- option types: parsed and range-checked before the command runs (exit 2) ---------


def _bad(text: str, message: str) -> PydanticCustomError:
    # typer reports a ValueError from a parser as a usage error naming the option; a
    # PydanticCustomError (a ValueError) keeps the message free of pydantic's prefix.
    return PydanticCustomError("option", "{message}", {"message": f"{text!r} {message}"})


def _option(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A typer parser from a shared check of :mod:`layoutopt.options`."""

    def parsed(text: str) -> Any:
        try:
            return parse(text)
        except OptionValueError as err:
            raise _bad(err.text, err.message) from None

    return parsed


def _number(
    kind: type[int] | type[float], low: float, high: float, *, low_open: bool = False
) -> Callable[[str], Any]:
    """A parser for a finite number in ``[low, high]`` (``(low, high]`` if ``low_open``)."""
    return _option(option_checks.number(kind, low, high, low_open=low_open))


def _names(choices: Callable[[], Sequence[str]], what: str) -> Callable[[str], str]:
    """A parser for a comma list of ``choices()`` (at least one), returned normalised.
    ``choices`` is called when parsing, so the module that defines them loads only then."""

    def parse(text: str) -> str:
        names = [n.strip() for n in text.split(",") if n.strip()]
        allowed = choices()
        known = ", ".join(allowed)
        if not names:
            raise _bad(text, f"names no {what}; give a comma list of {known}")
        for name in names:
            if name not in allowed:
                raise _bad(text, f"has an unknown {what} {name!r}; choose from {known}")
        return ",".join(dict.fromkeys(names))

    return parse


def _cut(text: str) -> Any:
    from layoutopt.render import parse_cut
    from layoutopt.units import UnitError

    try:
        return parse_cut(text)
    except UnitError as err:  # the position
        raise _bad(text, f"is not a cut line ({err}); write e.g. 'y=4.75 mm'") from None
    except ValueError:  # the axis or the '='
        raise _bad(text, "is not a cut line; write e.g. 'y=4.75 mm' or 'x=3000 um'") from None


_SECONDS = _option(option_checks.SECONDS)  # at most a week
_WORKERS = _option(option_checks.WORKERS)
_SEED = _option(option_checks.SEED)
_scheduler = _option(option_checks.scheduler_address)

TimeLimit = Annotated[
    float,
    typer.Option(
        "--time-limit",
        parser=_SECONDS,
        metavar="SECONDS",
        help="Seconds per solve, in (0, 604800].",
    ),
]
Seed = Annotated[int, typer.Option(parser=_SEED, metavar="INT", help="Random seed, 0 to 2**31-1.")]


class ThermalModel(StrEnum):
    FV3D = "fv3d"
    COMPACT = "compact"


class WarpageModelOption(StrEnum):
    DESIGN = "design"  # what the layout's design asks for
    LAMINATE = "laminate"
    PLATE = "plate"


# --- commands ---------------------------------------------------------------------------


@app.command(
    epilog=_exit_help(ExitCode.OK, ExitCode.INFEASIBLE, ExitCode.NO_SOLUTION),
)
def solve(
    design_path: Annotated[Path, typer.Argument(metavar="DESIGN", help="Design file (YAML).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path("out"),
    time_limit_s: TimeLimit = 30.0,
    workers: Annotated[
        int,
        typer.Option(
            parser=_WORKERS,
            metavar="N",
            help="CP-SAT workers, 1 to 256 (1 + --seed: deterministic).",
        ),
    ] = 2,
    seed: Seed = 0,
    grid_um: Annotated[
        int,
        typer.Option(
            "--grid-um",
            parser=_number(int, 1, 10_000),
            metavar="UM",
            help="Position grid, 1 to 10000 µm.",
        ),
    ] = 10,
    thermal: Annotated[bool, typer.Option(help="Thermal limits in the loop.")] = True,
    warpage: Annotated[bool, typer.Option(help="The warpage limit in the loop.")] = True,
    thermal_model: Annotated[
        ThermalModel, typer.Option(help="Model the limits hold on.")
    ] = ThermalModel.FV3D,
    drawings: Annotated[bool, typer.Option(help="Write SVG drawings.")] = True,
    max_dies: Annotated[
        int,
        typer.Option(
            parser=_number(int, 1, 1_000_000),
            metavar="N",
            help="Most dies the design may have (docs/limits.md).",
        ),
    ] = 5_000,
) -> None:
    """Solve a design: write OUT/layout.json and drawings, print a summary.

    A design with alternatives is solved once per family; the best goes to OUT, each
    family to OUT/families/NAME, and the comparison to OUT/comparison.csv.
    """

    command = _command_deadline(time_limit_s)  # the whole command keeps to the limit
    writing = False
    try:
        from layoutopt.design_file import load_design
        from layoutopt.files import prepare_output_dir
        from layoutopt.limits import DesignLimits
        from layoutopt.pipeline import compare_families, family_dir_name, write_solution
        from layoutopt.solver import SolveOptions

        design = load_design(design_path, limits=DesignLimits(max_dies=max_dies))
        prepare_output_dir(out)
        budget, skipped = _drawing_budget(design, command, time_limit_s, drawings, workers)
        drawings = drawings and skipped is None
        options = SolveOptions(
            time_limit_s=time_limit_s,
            workers=workers,
            seed=seed,
            grid_um=grid_um,
            thermal=thermal,
            warpage=warpage,
            thermal_model=thermal_model.value,
        )
        comparison = compare_families(design, options, deadline=budget)
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
        result = _with_warpage(variant, result)  # once, for layout.json and the summary
        checks = None if result.layout is None else _assessment(variant, result)
        write_solution(out, variant, result, drawings=drawings, assessment=checks)
    except LayoutOptError as error:
        raise _fail(error) from None
    except KeyboardInterrupt as stop:
        raise _interrupted(out, writing, stop) from None
    _print_summary(variant, result, out, checks)
    if skipped is not None and result.layout is not None:  # else there is nothing to draw
        console.print(f"drawings  {skipped}", markup=False)
    _print_overrun(result, command, time_limit_s, workers)
    from layoutopt.solver import SolveStatus

    codes = {
        SolveStatus.OPTIMAL: ExitCode.OK,
        SolveStatus.FEASIBLE: ExitCode.OK,
        SolveStatus.INFEASIBLE: ExitCode.INFEASIBLE,
        SolveStatus.NO_SOLUTION: ExitCode.NO_SOLUTION,
    }
    raise typer.Exit(int(codes[result.status]))


# When this process started, on the deadline's clock: set by main (the command line), so
# that a command's --time-limit counts the interpreter's start and the imports before the
# command ran (0.5-1.6 s at load 5), as the user's clock does. None where commands run
# inside a longer process (tests, notebooks): there the limit counts from the command.
_process_started_s: float | None = None


def _command_deadline(time_limit_s: float):  # type: ignore[no-untyped-def]
    """The whole command's budget: from the process's start when it is the command line
    (once: a later command in the same process counts from its own start)."""
    global _process_started_s
    from layoutopt.deadline import Deadline

    started_s, _process_started_s = _process_started_s, None
    if started_s is None:
        return Deadline.after(time_limit_s)
    return Deadline(started_s, started_s + time_limit_s)


def _process_age_s() -> float:
    """Seconds since this process started (psutil: the OS's start time, to 10 ms)."""
    import psutil

    return max(0.0, time.time() - psutil.Process().create_time())


# The share of --time-limit a solve keeps whatever came before it (imports, loading).
SOLVE_FLOOR = 0.3
# A command may overrun its limit by 10 % plus this much (interpreter start, imports,
# reading the design) before it says where the time went.
OVERRUN_SLACK_S = 3.0


def _drawing_budget(  # type: ignore[no-untyped-def]
    design, command, time_limit_s: float, drawings: bool, workers: int
):
    """(the solve's deadline, why the drawings are skipped or None).

    Writing the results takes its estimated time (:func:`layoutopt.pipeline.
    writing_time_s`, at most a third of the limit) off the end of the limit. Drawings take
    theirs (:func:`layoutopt.pipeline.drawing_time_s`) too when it is at most a fifth of
    it; past that they are skipped, with the reason and the command that draws them. With one
    worker the solve's budget counts work (:func:`layoutopt.solver.run.solve_budget`), so
    the time the imports took is not taken off it: the answer must not depend on it."""
    from layoutopt.deadline import Deadline
    from layoutopt.pipeline import drawing_time_s, writing_time_s
    from layoutopt.solver.run import solve_budget

    families = len(design.variants())
    written = 1 if families == 1 else families + 1
    need_s = drawing_time_s(design) * written
    why = None
    end_s = command.end_s - min(writing_time_s(design) * written, time_limit_s / 3)
    if drawings and need_s <= 0.2 * time_limit_s:
        end_s -= need_s
    elif drawings:
        why = (
            f"skipped: {len(design.dies)} dies take about {need_s:.0f} s to draw, more than "
            f"a fifth of the {time_limit_s:g} s limit; `layoutopt render LAYOUT` draws them, "
            "or give a longer --time-limit"
        )
    # Imports and reading the design come first, inside the limit; on a loaded machine
    # they took 6-8 s of a 10 s limit (load 12), which left no time to solve a 10-die
    # design. The solve keeps at least SOLVE_FLOOR of the limit, and the command says so
    # when that makes it overrun. The floor is time to find an answer, not to improve
    # one: a search that holds one stops at the limit's own end (Deadline.aim_s).
    if workers == 1:
        return solve_budget(time_limit_s - (command.end_s - end_s), workers), why
    floor_s = time.perf_counter() + SOLVE_FLOOR * time_limit_s
    if floor_s <= end_s:
        return Deadline(command.start_s, end_s), why
    return Deadline(command.start_s, floor_s, aim_s=end_s), why


def _with_warpage(design, result):  # type: ignore[no-untyped-def]
    """``result`` with its warpage report, computed here when the loop did not check it
    (``--no-warpage``, or not run for want of time): layout.json and the summary both
    report it, computed once (1.4 s for 1,000 dies, load 4)."""
    from layoutopt.solver.checks import with_warpage_report

    return with_warpage_report(design, result)


def _print_overrun(result, command, time_limit_s: float, workers: int) -> None:  # type: ignore[no-untyped-def]
    """Say where the time went when the command ran past its limit (10 % + a constant):
    the steps that cannot stop part-way and do not fit in it run to their end."""
    elapsed_s = command.elapsed_s()
    if elapsed_s <= 1.1 * time_limit_s + OVERRUN_SLACK_S:
        return
    if workers == 1:
        console.print(
            f"time      {elapsed_s:.1f} s for a {time_limit_s:g} s work budget: with one "
            "worker the limit counts the searches' work, not seconds, so that the answer "
            'does not depend on the machine\'s load (README, "deterministic"); use more '
            "workers for a wall-clock limit",
            markup=False,
        )
        return
    names = {
        "build": "model build",
        "cp_sat": "CP-SAT",
        "engine": "placement engine",
        "thermal": "thermal check",
        "warpage": "warpage check",
        "validate": "validation",
        "explain": "explanation",
    }
    phases = result.stats.get("timing", {}).get("phases_s", {})
    solved_s = result.time_s
    spent = {names.get(k, k): v for k, v in phases.items()}
    spent["writing and drawings"] = max(0.0, elapsed_s - solved_s)
    top = sorted(spent.items(), key=lambda kv: -kv[1])[:4]
    where = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in top if seconds >= 0.05)
    console.print(
        f"time      {elapsed_s:.1f} s, past the {time_limit_s:g} s limit: {where}. Reading "
        "the design, building the model, validating a layout and writing it cannot stop "
        "part-way (the checks start only when they fit); a longer --time-limit keeps a "
        "design this size within it",
        markup=False,
    )


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


def _no_power_line(report) -> str | None:  # type: ignore[no-untyped-def]
    """What to say instead of temperatures when nothing dissipates power."""
    if report.total_power_w > 0:
        return None
    return (
        f"no power dissipated (every die has 0 W): all at the ambient {report.ambient_c:g} °C, "
        "no thermal limit to check"
    )


def _assessment(design, result):  # type: ignore[no-untyped-def]
    """The layout's warpage (the loop's report) and cost, once for layout.json and the
    summary."""
    from layoutopt.assess import assess

    return assess(design, result.layout, warpage=result.warpage)


def _print_summary(design, result, out: Path, checks) -> None:  # type: ignore[no-untyped-def]
    process = design.rules.name
    family = design.family.value + ("" if process in ("", design.family.value) else f", {process}")
    console.print(f"design    {design.name} ({family})", markup=False)
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
        _print_ballout(design, layout)
        if result.thermal is not None:
            t = result.thermal
            skin = "" if t.skin_c is None else f", skin {t.skin_c:.1f} °C"
            console.print(
                "thermal   "
                + (
                    _no_power_line(t)
                    or f"peak junction {t.peak_junction_c:.1f} °C, top "
                    f"{t.top_surface_c:.1f} °C{skin} ({t.model})"
                )
            )
            for line in _workload_lines(t):
                console.print(f"workload  {line}", markup=False)
        _print_assessment(checks)
        console.print(f"written   {out / 'layout.json'}", markup=False)
    for line in result.explanation:
        console.print(f"why       {line}", markup=False)


def _print_ballout(design, layout) -> None:  # type: ignore[no-untyped-def]
    from layoutopt.bonding import wire_summary

    if layout.ball_map is not None:
        for array in layout.ball_map.arrays:
            console.print(
                f"balls     {sum(1 for _ in array.balls())} {array.role.value} balls at "
                f"{array.pitch_um / 1000:g} mm pitch, {array.columns} x {array.rows} sites"
                + ("" if array.perimeter_rows <= 0 else f", {array.perimeter_rows} perimeter rows"),
                markup=False,
            )
    wires = wire_summary(design, layout.placements)
    if wires is not None:
        console.print(f"wires     {wires.line()}", markup=False)


def _workload_lines(report) -> list[str]:  # type: ignore[no-untyped-def]
    """Per workload: each time-based skin limit, and how long each phase that reaches one
    runs before it (``video can run 32 s before the skin reaches 48.0 °C``)."""
    lines = []
    for t in report.transients:
        held = "held by the solver" if t.checked else "answered, not held"
        lines += [f"{t.workload} ({held}): {c.sentence()}" for c in t.limits if c.what == "skin"]
        lines += [
            f"{t.workload}: {p.sentence()}"
            for p in t.phase_limits
            if p.what == "skin" and p.time_to_limit_s is not None
        ]
    return lines


def _usd(value: float) -> str:
    """Dollars to the cent; past a million, three significant digits ($2.87e+25 per good
    package where the yield rounds to 0 %, as 5,000 dies in one package give)."""
    return f"${value:.2f}" if abs(value) < 1e6 else f"${value:.3g}"


def _usd_range(low: float, high: float) -> str:
    """'$6.70-11.41': a band of dollars, the sign once."""
    return f"{_usd(low)}-{_usd(high).removeprefix('$')}"


def _print_assessment(checks) -> None:  # type: ignore[no-untyped-def]
    w, c = checks.warpage, checks.cost
    limit = "no limit" if w.max_warpage_um is None else f"limit {w.max_warpage_um:g} µm"
    console.print(
        f"warpage   {w.room.warpage_um:+.0f} µm at {w.room.temperature_c:g} °C, "
        f"{w.peak.warpage_um:+.0f} µm at {w.peak.temperature_c:g} °C ({limit})"
    )
    for line in w.violations():
        console.print(f"warning   {line}", markup=False)
    console.print(
        f"cost      {_usd(c.cost_per_good_usd)} per good package "
        f"({_usd_range(*c.cost_band_usd)} over the estimates), yield "
        f"{100 * c.package_yield:.1f} % ({100 * c.yield_band[0]:.1f}-{100 * c.yield_band[1]:.1f})"
    )


@app.command(epilog=_exit_help(ExitCode.OK, ExitCode.VIOLATIONS))
def validate(
    layout_path: Annotated[Path, typer.Argument(metavar="LAYOUT", help="layout.json")],
) -> None:
    """Check a layout against every rule, independently of the solver."""
    from layoutopt.layout_io import read_layout
    from layoutopt.validate import validate as validate_layout

    try:
        record = read_layout(layout_path)
    except LayoutOptError as error:
        raise _fail(error) from None
    violations = validate_layout(record.design, record.layout)
    if not violations:
        console.print(f"{layout_path}: valid (every rule holds)", markup=False)
        raise typer.Exit(int(ExitCode.OK))
    for v in violations:
        console.print(f"{layout_path}: {v.rule}: {v.message}", markup=False)
    console.print(f"{len(violations)} violation(s)")
    raise typer.Exit(int(ExitCode.VIOLATIONS))


@app.command(epilog=_exit_help(ExitCode.OK))
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


@app.command(epilog=_exit_help(ExitCode.OK))
def schema() -> None:
    """Print the JSON Schema of design files."""
    from layoutopt.design_file import design_json_schema

    sys.stdout.write(json.dumps(design_json_schema(), indent=2, sort_keys=True) + "\n")


def _views() -> Sequence[str]:
    from layoutopt.render.write import VIEWS

    return VIEWS


def _formats() -> Sequence[str]:
    from layoutopt.render.write import FORMATS

    return FORMATS


def _check_cut(cut: Any, layout: Any) -> None:
    pkg = layout.package
    low, high = (pkg.x_um, pkg.x_max_um) if cut.axis == "x" else (pkg.y_um, pkg.y_max_um)
    if not low <= cut.position_um <= high:
        raise typer.BadParameter(
            f"{cut.axis}={cut.position_um} um is outside the package, which spans "
            f"{cut.axis} = {low} to {high} um; give a cut inside it",
            param_hint="'--cut'",
        )


@app.command(epilog=_exit_help(ExitCode.OK))
def render(
    layout_path: Annotated[Path, typer.Argument(metavar="LAYOUT", help="layout.json")],
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Output folder (default: the layout's).")
    ] = None,
    views: Annotated[
        str,
        typer.Option(
            parser=_names(_views, "view"),
            metavar="LIST",
            help="Comma list: top,section,thermal,sheet,iso,dxf,step,bottom,balls (csv).",
        ),
    ] = "top,section",
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            parser=_names(_formats, "format"),
            metavar="LIST",
            help="Comma list: svg,pdf,png,dxf,step,csv.",
        ),
    ] = "svg",
    cut: Annotated[
        Any,
        typer.Option(
            parser=_cut,
            metavar="CUT",
            help="Section cut line inside the package, e.g. 'y=4.75 mm'.",
        ),
    ] = None,
    exaggeration: Annotated[
        float | None,
        typer.Option(
            parser=_number(float, 0, 1000, low_open=True),
            metavar="X",
            help="Vertical exaggeration of the section, in (0, 1000].",
        ),
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

    from layoutopt.files import prepare_output_dir
    from layoutopt.layout_io import read_layout
    from layoutopt.render import sheet_info, write_views

    view_names = tuple(views.split(","))
    try:
        record = read_layout(layout_path)
        if cut is not None:
            _check_cut(cut, record.layout)
        folder = prepare_output_dir(out or layout_path.parent)
        field = None
        asked = "thermal" in view_names or ("sheet" in view_names and record.thermal is not None)
        excess = _thermal_grid_excess(record, 100) if asked else None
        if excess:  # the map is drawn at the 3D model's default 100 um step
            why, fits = excess
            raise DesignError(
                f"too large for the thermal map: {why}",
                file=str(layout_path),
                fix="draw the other views, or check temperatures with 'layoutopt thermal "
                + (f"--step-um {fits}'" if fits is not None else "--model compact'"),
            )
        if asked:
            from layoutopt.thermal import solve_fv3d

            field = solve_fv3d(record.design, record.layout)
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        if date is None and epoch.isdigit():  # the reproducible-builds convention
            date = datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
        info = replace(sheet_info(record.design, record.layout), date=date or "")
        written = write_views(
            folder,
            record.design,
            record.layout,
            views=view_names,
            formats=tuple(formats.split(",")),
            thermal=record.thermal,
            solver=record.solver,
            field=field,
            cut=cut,
            exaggeration=exaggeration,
            warpage=record.warpage,
            info=info,
        )
    except LayoutOptError as error:
        raise _fail(error) from None
    for path in written:
        console.print(f"written   {path}", markup=False)


def _thermal_grid_excess(record: Any, step_um: int) -> tuple[str, int | None] | None:
    """Why the 3D grid at ``step_um`` would not fit in memory, and the finest step that
    fits (None when no step does: the die edges alone make too many cells, as at 1,000
    dies); None when it fits."""
    from layoutopt.limits import MAX_FV3D_CELLS
    from layoutopt.thermal.fv3d import grid_shape

    def cells(step: float) -> tuple[int, int, int]:
        return grid_shape(record.design, record.layout, lateral_step_um=step)

    nx, ny, nz = cells(step_um)
    if nx * ny * nz <= MAX_FV3D_CELLS:
        return None
    why = (
        f"a {step_um} um step gives a grid of {nx:,} x {ny:,} x {nz} = {nx * ny * nz:,} cells "
        f"on this layout; the limit is {MAX_FV3D_CELLS:,} cells (docs/limits.md)"
    )
    pkg = record.layout.package
    widest_um = max(pkg.width_um, pkg.length_um)
    fits = step_um
    while math.prod(cells(fits)) > MAX_FV3D_CELLS:
        if fits >= widest_um:  # every die edge is a grid line: a coarser step cannot help
            return why, None
        fits = math.ceil(fits * 1.25)
    return why, fits


def _check_thermal_grid(record: Any, step_um: int) -> None:
    """Refuse a ``--step-um`` whose grid would not fit in memory (exit 2)."""
    excess = _thermal_grid_excess(record, step_um)
    if excess:
        why, fits = excess
        if fits is None:
            fix = (
                "no step fits: every die edge is a grid line, and this layout's edges alone "
                "exceed it; use --model compact"
            )
        else:
            fix = f"use --step-um {fits} or more"
        raise typer.BadParameter(f"{why}; {fix}", param_hint="'--step-um'")


@app.command(epilog=_exit_help(ExitCode.OK, ExitCode.VIOLATIONS))
def thermal(
    layout_path: Annotated[Path, typer.Argument(metavar="LAYOUT", help="layout.json")],
    model: Annotated[ThermalModel, typer.Option(help="Thermal model.")] = ThermalModel.FV3D,
    step_um: Annotated[
        int,
        typer.Option(
            "--step-um",
            parser=_number(int, 1, 100_000),
            metavar="UM",
            help="fv3d lateral grid step, µm (the grid may have at most 4 M cells).",
        ),
    ] = 100,
    vertical_step_um: Annotated[
        int,
        typer.Option(
            "--vertical-step-um",
            parser=_number(int, 1, 100_000),
            metavar="UM",
            help="fv3d vertical grid step of package layers, µm.",
        ),
    ] = 100,
    workloads: Annotated[
        bool, typer.Option(help="Also run the design's workloads (transient, fv3d).")
    ] = True,
    time_step_s: Annotated[
        float,
        typer.Option(
            "--time-step-s",
            parser=_number(float, 0.001, 3600.0),
            metavar="S",
            help="Time step of the workloads, s.",
        ),
    ] = 2.0,
    transient_step_um: Annotated[
        int,
        typer.Option(
            "--transient-step-um",
            parser=_number(int, 1, 100_000),
            metavar="UM",
            help="Lateral grid step of the workloads, µm.",
        ),
    ] = 200,
    write: Annotated[
        bool, typer.Option(help="Store the report (with the workloads) in LAYOUT.")
    ] = False,
    hotspot: Annotated[
        Path | None, typer.Option(help="Also write the case for HotSpot in this folder.")
    ] = None,
) -> None:
    """Check a layout's temperatures (per die, top, skin) on the compact or 3D model, and
    over the design's workloads (time to each skin limit)."""
    from dataclasses import replace

    from layoutopt.files import prepare_output_dir
    from layoutopt.layout_io import read_layout, write_layout
    from layoutopt.thermal import GridOptions, thermal_check, with_workloads, write_hotspot

    try:
        record = read_layout(layout_path)
        if model is ThermalModel.FV3D:
            _check_thermal_grid(record, step_um)
        if hotspot is not None:
            prepare_output_dir(hotspot)
        options = (
            {"lateral_step_um": step_um, "vertical_step_um": vertical_step_um, "around": True}
            if model is ThermalModel.FV3D
            else {}
        )
        report = thermal_check(record.design, record.layout, model=model.value, **options)
        if workloads:
            grid = GridOptions(lateral_step_um=transient_step_um, vertical_step_um=vertical_step_um)
            report = with_workloads(
                report, record.design, record.layout, grid=grid, step_s=time_step_s
            )
        written = write_hotspot(hotspot, record.design, record.layout) if hotspot else []
        if write:
            written.append(write_layout(layout_path, replace(record, thermal=report)))
    except LayoutOptError as error:
        raise _fail(error) from None
    _print_thermal(record.design.name, report)
    for path in written:
        console.print(f"written   {path}", markup=False)
    raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.VIOLATIONS))


def _print_thermal(name: str, report) -> None:  # type: ignore[no-untyped-def]
    table = Table(title=f"{name}: {report.model} model, {report.cells} cells")
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
    for line in report.around_sentences():
        console.print(f"around    {line}", markup=False)
    for t in report.transients:
        table = Table(
            title=f"workload {t.workload}: {t.steps} steps of up to {t.step_s:g} s, {t.cells} cells"
        )
        table.add_column("phase")
        table.add_column("end s")
        for s in t.series:
            table.add_column(f"{s.name} °C")
        times = list(t.times_s)
        for span in t.phases:
            i = min(range(len(times)), key=lambda k: abs(times[k] - span.end_s))
            table.add_row(span.name, f"{span.end_s:g}", *(f"{s.values_c[i]:.2f}" for s in t.series))
        table.add_row("peak", "", *(f"{s.peak_c:.2f}" for s in t.series))
        console.print(table)
        for line in t.answers():
            console.print(f"  {line}", markup=False)
    no_power = _no_power_line(report)
    if no_power:
        console.print(f"note      {no_power}", markup=False)
    for line in report.violations():
        console.print(f"limit     {line}", markup=False)


@app.command(epilog=_exit_help(ExitCode.OK, ExitCode.VIOLATIONS))
def warpage(
    layout_path: Annotated[Path, typer.Argument(metavar="LAYOUT", help="layout.json")],
    model: Annotated[
        WarpageModelOption,
        typer.Option(help="Closed form, plate finite elements, or the design's."),
    ] = WarpageModelOption.DESIGN,
) -> None:
    """Check a layout's warpage at room temperature and reflow peak against its limit."""
    from dataclasses import replace

    from layoutopt.layout_io import read_layout
    from layoutopt.mechanics import warpage_report
    from layoutopt.model import WarpageModel

    try:
        record = read_layout(layout_path)
        design = record.design
        if model is not WarpageModelOption.DESIGN:
            spec = replace(design.warpage, model=WarpageModel(model.value))
            design = replace(design, warpage=spec)
        report = warpage_report(design, record.layout)
    except LayoutOptError as error:
        raise _fail(error) from None
    table = Table(title=f"{design.name}: columns ({report.model} model)")
    for column in ("column", "mm²", "µm thick", "κ 25 °C 1/m", "κ 260 °C 1/m"):
        table.add_column(column)
    for c in report.columns:
        table.add_row(
            c.label,
            f"{c.area_mm2:.2f}",
            str(c.thickness_um),
            f"{c.curvature_room_per_m:+.3f}",
            f"{c.curvature_peak_per_m:+.3f}",
        )
    console.print(table)
    limit = "no limit" if report.max_warpage_um is None else f"{report.max_warpage_um:g} µm"
    worst = report.worst
    console.print(
        f"warpage   {report.room.warpage_um:+.1f} µm at {report.room.temperature_c:g} °C, "
        f"{report.peak.warpage_um:+.1f} µm at {report.peak.temperature_c:g} °C, largest "
        f"{worst.warpage_um:+.1f} µm at {worst.temperature_c:g} °C (+: corners up; "
        f"stress-free at {report.stress_free_c:g} °C, diagonal {report.diagonal_mm:.2f} mm)"
    )
    console.print(f"limit     {limit}: {report.limit_source}", markup=False)
    for line in report.violations():
        console.print(f"broken    {line}", markup=False)
    raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.VIOLATIONS))


@app.command(epilog=_exit_help(ExitCode.OK))
def cost(
    layout_path: Annotated[Path, typer.Argument(metavar="LAYOUT", help="layout.json")],
    inputs: Annotated[bool, typer.Option(help="Also list every input with its source.")] = False,
) -> None:
    """Yield and cost per good package of a layout, each line and the band of the estimates."""
    from layoutopt.economics import cost_report
    from layoutopt.layout_io import read_layout

    try:
        record = read_layout(layout_path)
        report = cost_report(record.design, record.layout)
    except LayoutOptError as error:
        raise _fail(error) from None
    table = Table(title=f"{record.design.name}: cost per package started")
    table.add_column("item")
    table.add_column("$", justify="right")
    for row in report.lines():
        table.add_row(row["item"], f"{row['usd']:.3f}")
    console.print(table)
    low, high = report.yield_band
    best, worst = report.cost_band_usd
    console.print(
        f"yield     package {100 * report.package_yield:.1f} % ({100 * low:.1f}-{100 * high:.1f} "
        f"over the estimates), assembly {100 * report.assembly_yield:.1f} %"
    )
    console.print(
        f"cost      {_usd(report.cost_started_usd)} per package started, "
        f"{_usd(report.cost_per_good_usd)} per good package ({_usd_range(best, worst)})"
    )
    if inputs:
        listing = Table(title="inputs")
        for column in ("input", "value", "conf", "source"):
            listing.add_column(column, overflow="fold")
        for item in report.inputs:
            listing.add_row(item.key, f"{item.value:g}", item.confidence, item.source)
        console.print(listing)
    raise typer.Exit(int(ExitCode.OK))


@app.command(
    epilog=_exit_help(
        ExitCode.OK,
        ExitCode.POINT_ERRORS,
        ExitCode.INFRASTRUCTURE,
        OK="every point finished (feasible or not)",
        POINT_ERRORS="some points failed (each is stored with its error, a dead worker's "
        "cause included)",
        BAD_INPUT="the space file is invalid, or -o cannot be written",
        INFRASTRUCTURE="infrastructure fault: damaged store, full or read-only disk, folder "
        "locked by another sweep, Dask scheduler lost or unreachable (the message says what "
        "to fix; a rerun resumes)",
        INTERRUPTED="interrupted by Ctrl-C (the points being solved are not stored)",
    )
)
def sweep(
    space_path: Annotated[Path, typer.Argument(metavar="SPACE", help="Space file (YAML).")],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Output folder (store, layouts, report).")
    ],
    workers: Annotated[
        int,
        typer.Option(
            "-j",
            "--workers",
            parser=_WORKERS,
            metavar="N",
            help="Local worker processes, 1 to 256.",
        ),
    ] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            parser=_scheduler, metavar="ADDRESS", help="Dask scheduler address (tcp://host:8786)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    jsonl: Annotated[
        bool, typer.Option(help="One JSON line per finished point on stdout.")
    ] = False,
    seed: Seed = 0,
    time_limit_s: TimeLimit = 30.0,
    deterministic: Annotated[bool, typer.Option(help="One CP-SAT worker, no warm starts.")] = False,
    warm_start: Annotated[bool, typer.Option(help="Reuse neighbours' layouts as hints.")] = True,
    report: Annotated[bool, typer.Option(help="Write the Pareto report.")] = True,
    retry_errors: Annotated[
        bool, typer.Option(help="Solve again the points earlier runs stored as errors.")
    ] = False,
) -> None:
    """Solve every point of a design space; resumable; exit 1 if some points failed."""
    from layoutopt.files import prepare_output_dir
    from layoutopt.sweep.cli import main_sweep

    try:
        prepare_output_dir(out)
    except LayoutOptError as error:
        raise _fail(error) from None
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


@app.command("import-bookshelf", epilog=_exit_help(ExitCode.OK))
def import_bookshelf(
    blocks: Annotated[Path, typer.Argument(metavar="FILE.blocks", help="GSRC Bookshelf blocks.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Design file to write.")],
    nets: Annotated[Path | None, typer.Option(help="The .nets file (checked).")] = None,
    pl: Annotated[Path | None, typer.Option(help="The .pl file (checked).")] = None,
    whitespace: Annotated[
        float | None,
        typer.Option(
            parser=_number(float, 0, 10),
            metavar="FRACTION",
            help="Fixed square outline with this whitespace, 0 to 10 (e.g. 0.15).",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Design name.")] = None,
) -> None:
    """Turn a Bookshelf floorplan into a design: hard blocks as dies, rotation allowed;
    a fixed square outline with --whitespace, else a free outline (minimum area)."""
    from layoutopt.bookshelf import bookshelf_to_design_yaml
    from layoutopt.files import prepare_output_file
    from layoutopt.layout_io import write_atomic

    try:
        prepare_output_file(out)
        text = bookshelf_to_design_yaml(blocks, nets, pl, whitespace=whitespace, name=name)
    except LayoutOptError as error:
        raise _fail(error) from None
    write_atomic(out, text)
    console.print(f"written   {out}", markup=False)


# The collector's first threshold in a command-line process (Python's default is 700). Reading
# a 5,000-die design builds some 130,000 YAML nodes and writing its layout some 1.2 million
# JSON values, all kept alive: at 700 the collector kept rescanning the growing heap (the
# YAML 1.9 -> 1.1 s, the whole `solve` of 5,000 dies about 2 s shorter at load 3).
_GC_FIRST_THRESHOLD = 100_000


def main() -> None:
    """Console entry point (``layoutopt``): exit codes as in the module docstring."""
    import gc

    global _process_started_s
    _process_started_s = time.perf_counter() - _process_age_s()
    stop_on_sigterm()
    gc.set_threshold(_GC_FIRST_THRESHOLD, *gc.get_threshold()[1:])
    try:
        app(prog_name="layoutopt")
    finally:
        # Python's exit collects the whole heap again as it tears the modules down: 1.1 s
        # once numba's kernels are loaded, for no purpose at exit. Frozen objects are
        # left to the OS (their memory is the process's), and nothing is lost: every file
        # was written and closed before this point, and atexit handlers still run.
        gc.freeze()
