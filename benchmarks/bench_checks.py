"""What the warpage and cost checks add to a shipped design's solve: the median time of a
solve (thermal limits in the loop, 3D model, as `layoutopt solve` runs it) and of
``layoutopt.assess.assess`` (warpage at every temperature of the curve, yield and cost with
the band) on its answer, and their ratio. Target: the checks add under 10 %.

    python benchmarks/bench_checks.py [--repeat 3] [--time-limit 30] [--plate] [designs...]

It also prints each answer's warpage at room temperature and reflow peak against its limit;
``--plate`` adds the plate finite-element model's warpage and time on the same answer.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from layoutopt.assess import assess
from layoutopt.design_file import load_design
from layoutopt.mechanics.plate_fe import plate_warpage_um
from layoutopt.solver import SolveOptions, solve

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--plate", action="store_true", help="also the plate FE model")
    parser.add_argument("designs", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.designs or sorted((ROOT / "designs").glob("*.yaml"))
    options = SolveOptions(time_limit_s=args.time_limit)
    print(
        f"{'design':26} {'solve s':>8} {'checks ms':>9} {'added':>6}   "
        f"{'w 25 °C':>8} {'w 260 °C':>8} {'limit':>6}  yield   $/good"
    )
    for path in paths:
        design = load_design(path)
        solves, checks = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = solve(design, options)
            solves.append(time.perf_counter() - started)
        if result.layout is None:
            print(f"{path.stem:26} {statistics.median(solves):8.2f}  ({result.status.value})")
            continue
        for _ in range(args.repeat):
            started = time.perf_counter()
            found = assess(design, result.layout)
            checks.append(time.perf_counter() - started)
        solve_s, check_s = statistics.median(solves), statistics.median(checks)
        w, c = found.warpage, found.cost
        limit = "-" if w.max_warpage_um is None else f"{w.max_warpage_um:g}"
        print(
            f"{path.stem:26} {solve_s:8.2f} {1000 * check_s:9.1f} {check_s / solve_s:6.1%}   "
            f"{w.room.warpage_um:+8.1f} {w.peak.warpage_um:+8.1f} {limit:>6}  "
            f"{c.package_yield:.3f} {c.cost_per_good_usd:8.2f}"
        )
        if args.plate:
            started = time.perf_counter()
            plate = plate_warpage_um(
                design, result.layout, (25.0, 260.0), stress_free_c=design.warpage.stress_free_c
            )
            print(
                f"{'  plate FE':26} {'':8} {1000 * (time.perf_counter() - started):9.1f} {'':6}   "
                f"{plate.warpage_um[0]:+8.1f} {plate.warpage_um[1]:+8.1f}"
            )


if __name__ == "__main__":
    main()
