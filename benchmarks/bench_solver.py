"""Solve the shipped designs (and the 50-part SiP) and print time to proven optimality, the
first legal layout and the gap at the limit; optionally, the placement engine's effect.

    python benchmarks/bench_solver.py [--time-limit 60] [--workers 2] [--repeat 3] [--thermal]
    python benchmarks/bench_solver.py --engine [--time-limit 60] [--engine-only]

Targets (2 cores): the smart-glasses ePOP optimal in < 2 s; every shipped design except the
SiP optimal in < 5 s; a 50-component SiP legal in < 5 s, with its gap at 60 s (objective and bound in um2 of footprint, and
whose bound: CP-SAT's, or the relaxation's of the N largest dies). ``--engine``
solves Bookshelf instances as package designs (fixed 10 % whitespace outline) with and
without the engine's starting layout (``--engine-only``: with it alone, skipping the plain
CP-SAT runs, which find no layout of either in 60 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from layoutopt.design_file import design_from_text, load_design
from layoutopt.solver import SolveOptions, solve

ROOT = Path(__file__).resolve().parents[1]
# The Bookshelf files (as bench_floorplan.py: LAYOUTOPT_BENCH_DIR, else beside the checkout).
BENCH = Path(os.environ.get("LAYOUTOPT_BENCH_DIR", ROOT.parent / "shared" / "benchmarks"))


def _row(label: str, family: str, design, options: SolveOptions, repeat: int) -> str:  # type: ignore[no-untyped-def]
    times, firsts, result = [], [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = solve(design, options)
        times.append(time.perf_counter() - started)
        firsts.append(result.timing_data().get("first_solution_s", float("nan")))
    assert result is not None
    layout = result.layout
    size = (
        "-"
        if layout is None
        else (f"{layout.package.width_um / 1000:g} x {layout.package.length_um / 1000:g}")
    )
    gap = "-" if result.gap is None else f"{100 * result.gap:.1f}%"
    # The first stage's objective and bound (um2 of footprint, or the weighted sum), and
    # whose bound it is: CP-SAT's or the relaxation's (solver/relaxation.py).
    objective = "-" if result.objective is None else f"{result.objective:.0f}"
    bound = "-" if result.best_bound is None else f"{result.best_bound:.0f}"
    whose = str(result.stats.get("bound", "cp_sat" if result.best_bound is not None else "-"))
    whose = whose.replace("relaxation of the ", "relaxation, ").replace(" largest dies alone", "")
    return (
        f"{label:30} {family:18} {len(design.dies):4} {result.status.value:11} "
        f"{statistics.median(times):8.2f} {statistics.median(firsts):8.2f} {gap:>6} "
        f"{size:>13} {'-' if layout is None else layout.thickness_um:>5} "
        f"{objective:>11} {bound:>11} {whose}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--thermal", action="store_true", help="thermal limits in the loop")
    parser.add_argument("--engine", action="store_true", help="engine on/off on Bookshelf")
    parser.add_argument(
        "--engine-only", action="store_true", help="with --engine: skip plain CP-SAT"
    )
    parser.add_argument("--seed", type=int, default=0, help="CP-SAT's and the engine's seed")
    parser.add_argument("designs", nargs="*", type=Path)
    args = parser.parse_args()
    print(
        f"{'design':30} {'family':18} {'dies':>4} {'status':11} {'median s':>8} "
        f"{'first s':>8} {'gap':>6} {'package mm':>13} {'t um':>5} {'objective':>11} "
        f"{'bound':>11} bound by"
    )
    if args.engine:
        from layoutopt.bookshelf import bookshelf_to_design_yaml

        for name in ("n50", "n100"):
            text = bookshelf_to_design_yaml(BENCH / f"{name}.blocks", whitespace=0.10)
            design = design_from_text(text)
            for warm in (True,) if args.engine_only else (False, True):
                options = SolveOptions(
                    time_limit_s=args.time_limit,
                    workers=args.workers,
                    thermal=False,
                    grid_um=1,
                    warm_start=warm,
                    seed=args.seed,
                )
                label = f"{name} ws10 {'engine' if warm else 'plain CP-SAT'}"
                print(_row(label, "sip", design, options, args.repeat), flush=True)
        return
    paths = args.designs or [
        *sorted((ROOT / "designs").glob("*.yaml")),
        ROOT / "benchmarks" / "designs" / "sip_50.yaml",
    ]
    options = SolveOptions(
        time_limit_s=args.time_limit, workers=args.workers, thermal=args.thermal, seed=args.seed
    )
    for path in paths:
        for design in load_design(path).variants():
            print(_row(path.stem, design.rules.name, design, options, args.repeat), flush=True)


if __name__ == "__main__":
    main()
