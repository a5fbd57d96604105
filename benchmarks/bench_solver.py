"""Solve every shipped design and print time to proven optimality (or the gap at the limit).

    python benchmarks/bench_solver.py [--time-limit 60] [--workers 2] [--repeat 3]

Targets (issues 2 and 3, 2 cores): the smart-glasses ePOP optimal in < 2 s; every shipped
design except the SiP optimal in < 5 s; a 50-component SiP legal in < 5 s with its gap at 60 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from layoutopt.design_file import load_design
from layoutopt.solver import SolveOptions, solve

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--thermal", action="store_true", help="thermal check in the loop")
    parser.add_argument("designs", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.designs or sorted((ROOT / "designs").glob("*.yaml"))
    print(
        f"{'design':34} {'family':18} {'dies':>4} {'status':9} {'median s':>9} {'gap':>6} "
        f"{'package mm':>13} {'t um':>5}"
    )
    for path in paths:
        for design in load_design(path).variants():
            times, result = [], None
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = solve(
                    design,
                    SolveOptions(
                        time_limit_s=args.time_limit, workers=args.workers, thermal=args.thermal
                    ),
                )
                times.append(time.perf_counter() - started)
            assert result is not None
            layout = result.layout
            size = (
                "-"
                if layout is None
                else (f"{layout.package.width_um / 1000:g} x {layout.package.length_um / 1000:g}")
            )
            gap = "-" if result.gap is None else f"{100 * result.gap:.1f}%"
            print(
                f"{path.stem:34} {design.rules.name:18} {len(design.dies):4} "
                f"{result.status.value:9} {statistics.median(times):9.2f} {gap:>6} {size:>13} "
                f"{'-' if layout is None else layout.thickness_um:>5}"
            )


if __name__ == "__main__":
    main()
