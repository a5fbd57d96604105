"""The ``layoutopt sweep`` command, as a function the CLI (typer) and ``python -m`` call.

Exit codes: 0 every point finished (feasible or not); 1 some points failed with an error
(they are in the table with their message, a dead worker's cause included); 3 the space
file is invalid (nothing solved); 7 an infrastructure fault: the store is damaged, the
disk is full or read-only, another sweep holds the folder, the Dask scheduler is lost or
unreachable, workers cannot start (the message says what to fix; finished points are
kept and a rerun resumes); 130 interrupted by Ctrl-C, 143 terminated by SIGTERM (the
points being solved are not stored; a rerun resumes).

With one worker (``-j 1``) the points still run in a worker process of their own, one at a
time and in order (the same answers as in this process): a point that crashes it
(a segfault in native code, the out-of-memory killer) is then recorded as failed with the
cause, as with ``-j N``, instead of ending the whole sweep.

Test hooks (read here, at the command-line boundary only): ``LAYOUTOPT_SWEEP_SOLVE`` and
``LAYOUTOPT_SWEEP_LOAD`` name ``module:function`` replacements for the solver and the
design loader, e.g. ``sweep_fakes:fake_solve`` from the test suite.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from enum import Enum
from pathlib import Path
from typing import Any

from rich.console import Console

from layoutopt.errors import InfrastructureError, LayoutOptError
from layoutopt.options import SECONDS, SEED, WORKERS, OptionValueError, scheduler_address
from layoutopt.solver.result import SolveOptions
from layoutopt.stopping import how_stopped, stop_on_sigterm
from layoutopt.sweep.progress import JsonLines, ProgressGroup, RichProgress
from layoutopt.sweep.runner import SweepInterrupted, SweepSummary, plan_sweep, run_sweep
from layoutopt.sweep.store import ResultStore

__all__ = [
    "EXIT_INFRASTRUCTURE",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_POINT_ERRORS",
    "EXIT_TERMINATED",
    "main_sweep",
]

# The same numbers as layoutopt.cli.ExitCode (a test keeps them so); not imported from
# there, which would make the two command modules import each other.
EXIT_OK = 0
EXIT_POINT_ERRORS = 1
EXIT_INVALID = 3  # bad input, as every layoutopt command (see layoutopt.cli)
EXIT_INFRASTRUCTURE = 7
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


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
    retry_errors: bool = False,
) -> int:
    """Run (or resume) the sweep of ``space_path`` into ``outdir``; return the exit code.

    ``deterministic`` solves each point with one CP-SAT worker and no warm start, so the
    table does not depend on timing (a binding ``time_limit_s`` can still cut a search).
    """
    err = Console(stderr=True, quiet=quiet)
    loud = Console(stderr=True)  # errors and interruptions are printed even with --quiet
    options = SolveOptions(time_limit_s=time_limit_s, workers=1, seed=seed)
    if deterministic:
        options = dataclasses.replace(options, workers=1)
        warm_start = False
    reporters: list[Any] = []
    if not quiet:
        reporters.append(RichProgress(err, description=Path(space_path).stem))
    if jsonl:
        reporters.append(JsonLines(sys.stdout))
    stage = _Stage.LOADING
    stack = ExitStack()
    try:
        if scheduler is not None:  # this message says what failed; Dask's log would repeat it
            stack.enter_context(_quiet_logger("distributed"))
        plan = plan_sweep(space_path, options, _hook("LAYOUTOPT_SWEEP_LOAD"))
        stage = _Stage.SOLVING
        with ResultStore(outdir) as store:  # the folder stays locked until the report is out
            summary = run_sweep(
                plan,
                store,
                workers=workers,
                scheduler=scheduler,
                progress=ProgressGroup(*reporters) if reporters else None,
                solve_fn=_hook("LAYOUTOPT_SWEEP_SOLVE"),
                warm_start=warm_start,
                retry_errors=retry_errors,
                isolate=True,  # a crash in a point is the point's failure, even with -j 1
            )
            err.print(_summary_line(summary), highlight=False, soft_wrap=True)
            if report:
                from layoutopt.sweep.report import write_report

                stage = _Stage.REPORTING
                written = write_report(outdir, plan.space.pareto)
                err.print(f"report: {written.summary}", highlight=False, soft_wrap=True)
    except SweepInterrupted as stop:
        loud.print(_interrupted_line(stop), highlight=False, markup=False, soft_wrap=True)
        return how_stopped(stop.cause)[1]
    except InfrastructureError as error:
        loud.print(f"error: {error}", highlight=False, markup=False, soft_wrap=True)
        return EXIT_INFRASTRUCTURE
    except LayoutOptError as error:
        loud.print(f"error: {error}", highlight=False, markup=False, soft_wrap=True)
        return EXIT_INVALID
    except KeyboardInterrupt as stop:  # outside the solving loop, or a second Ctrl-C
        words, code = how_stopped(stop)
        loud.print(f"{words} {stage.value}", highlight=False, markup=False, soft_wrap=True)
        return code
    finally:
        stack.close()
    return EXIT_POINT_ERRORS if summary.errors else EXIT_OK


@contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Drop all but critical records at the handlers of logger ``name`` (its own and its
    children's records, which each have their own level) while the block runs."""
    importlib.import_module(name)  # its handlers exist once it is imported
    handlers = logging.getLogger(name).handlers

    def critical_only(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.CRITICAL

    for handler in handlers:
        handler.addFilter(critical_only)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(critical_only)


class _Stage(Enum):
    """Where a Ctrl-C outside the solving loop came, as what it leaves behind."""

    LOADING = "while loading the space: nothing was solved or written."
    SOLVING = (
        "while the sweep stopped: the points finished before are stored. Run the same "
        "command again to resume."
    )
    REPORTING = (
        "while writing the report: every point is stored. Run the same command again to "
        "write the report."
    )


def _summary_line(summary: SweepSummary) -> str:
    return (
        f"{summary.total} points: {summary.skipped} already done, {summary.solved} solved now "
        f"({summary.hinted} warm-started), "
        + ", ".join(f"{n} {s}" for s, n in summary.statuses.items())
        + f"; {summary.elapsed_s:.1f} s"
    )


def _interrupted_line(stop: SweepInterrupted) -> str:
    s = stop.summary
    stored = s.skipped + s.solved
    return (
        f"{how_stopped(stop.cause)[0]}: {stored} of {s.total} points are stored in {s.db_path} "
        f"({s.solved} solved in this run); the {stop.dropped} being solved were not stored. "
        "Run the same command again to resume."
    )


def _checked(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a shared check of :mod:`layoutopt.options` (the typer command
    line uses the same ones): a value out of range is a usage error (exit 2) in its words."""
    import argparse

    def parsed(text: str) -> Any:
        try:
            return parse(text)
        except OptionValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    return parsed


def main(argv: list[str] | None = None) -> int:
    """``python -m layoutopt.sweep SPACE -o DIR [...]`` (the typer CLI wraps main_sweep)."""
    import argparse

    stop_on_sigterm()
    parser = argparse.ArgumentParser(prog="python -m layoutopt.sweep", description=__doc__)
    parser.add_argument("space")
    parser.add_argument("-o", "--outdir", required=True)
    parser.add_argument("-j", "--workers", type=_checked(WORKERS), default=1)
    parser.add_argument(
        "--scheduler", type=_checked(scheduler_address), default=None, help="Dask scheduler"
    )
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--jsonl", action="store_true")
    parser.add_argument("--seed", type=_checked(SEED), default=0)
    parser.add_argument("--time-limit-s", type=_checked(SECONDS), default=30.0)
    parser.add_argument("--deterministic", action="store_true")
    parser.add_argument("--no-warm-start", action="store_true")
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--retry-errors", action="store_true")
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
        retry_errors=args.retry_errors,
    )
