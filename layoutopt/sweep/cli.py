"""The ``layoutopt sweep`` command, as a function the CLI (typer) and ``python -m`` call.

Exit codes: 0 every point finished (feasible or not); 1 some points failed with an error
(they are in the table with their message); 2 the space file is invalid (nothing solved).

Test hooks (read here, at the command-line boundary only): ``LAYOUTOPT_SWEEP_SOLVE`` and
``LAYOUTOPT_SWEEP_LOAD`` name ``module:function`` replacements for the solver and the
design loader, e.g. ``layoutopt.sweep.testing:fake_solve``.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from layoutopt.errors import LayoutOptError
from layoutopt.solver.result import SolveOptions
from layoutopt.sweep.progress import JsonLines, ProgressGroup, RichProgress
from layoutopt.sweep.runner import run_sweep

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_POINT_ERRORS", "main_sweep"]

EXIT_OK = 0
EXIT_POINT_ERRORS = 1
EXIT_INVALID = 3  # bad input, as every layoutopt command (see layoutopt.cli)


def _hook(variable: str) -> Any:
    spec = os.environ.get(variable)
    if not spec:
        return None
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def main_sweep(
    space_path: str | Path,
    outdir: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    quiet: bool = False,
    jsonl: bool = False,
    seed: int = 0,
    time_limit_s: float = 30.0,
    deterministic: bool = False,
    warm_start: bool = True,
    report: bool = True,
) -> int:
    """Run (or resume) the sweep of ``space_path`` into ``outdir``; return the exit code.

    ``deterministic`` solves each point with one CP-SAT worker and no warm start, so the
    table does not depend on timing (a binding ``time_limit_s`` can still cut a search).
    """
    err = Console(stderr=True, quiet=quiet)
    options = SolveOptions(time_limit_s=time_limit_s, workers=1, seed=seed)
    if deterministic:
        options = dataclasses.replace(options, workers=1)
        warm_start = False
    reporters: list[Any] = []
    if not quiet:
        reporters.append(RichProgress(err, description=Path(space_path).stem))
    if jsonl:
        reporters.append(JsonLines(sys.stdout))
    try:
        summary = run_sweep(
            space_path,
            outdir,
            workers=workers,
            scheduler=scheduler,
            options=options,
            progress=ProgressGroup(*reporters) if reporters else None,
            solve_fn=_hook("LAYOUTOPT_SWEEP_SOLVE"),
            load_fn=_hook("LAYOUTOPT_SWEEP_LOAD"),
            warm_start=warm_start,
        )
    except LayoutOptError as error:
        Console(stderr=True).print(f"[red]error:[/red] {error}", highlight=False, markup=True)
        return EXIT_INVALID
    err.print(
        f"{summary.total} points: {summary.skipped} already done, {summary.solved} solved now "
        f"({summary.hinted} warm-started), "
        + ", ".join(f"{n} {s}" for s, n in summary.statuses.items())
        + f"; {summary.elapsed_s:.1f} s",
        highlight=False,
    )
    if report:
        from layoutopt.sweep.report import write_report

        written = write_report(outdir)
        err.print(f"report: {written.summary}", highlight=False)
    return EXIT_POINT_ERRORS if summary.errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """``python -m layoutopt.sweep SPACE -o DIR [...]`` (the typer CLI wraps main_sweep)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m layoutopt.sweep", description=__doc__)
    parser.add_argument("space")
    parser.add_argument("-o", "--outdir", required=True)
    parser.add_argument("-j", "--workers", type=int, default=1)
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--jsonl", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit-s", type=float, default=30.0)
    parser.add_argument("--deterministic", action="store_true")
    parser.add_argument("--no-warm-start", action="store_true")
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)
    return main_sweep(
        args.space,
        args.outdir,
        workers=args.workers,
        scheduler=args.scheduler,
        quiet=args.quiet,
        jsonl=args.jsonl,
        seed=args.seed,
        time_limit_s=args.time_limit_s,
        deterministic=args.deterministic,
        warm_start=not args.no_warm_start,
        report=not args.no_report,
    )
