"""The greedy stage alone, from 200 blocks in a free outline: the starts LNS gets.

Runs what :func:`layoutopt.engine.pack.pack` runs before LNS (the constructive tries, then
``_greedy_restarts`` up to its share of the budget) on a clock of ``--time-limit`` and
prints, per instance and seed, the best packing's dead space and that of the LNS starts
(the best and the smallest packings of other widths), in percent. ``--wall`` counts the
budget on the wall clock (what ``workers=2`` does), otherwise in counted work. The code
measured is whatever ``layoutopt`` imports: put another checkout first on ``PYTHONPATH``
to measure it. ``--calibrate`` times the scored skyline's search instead (its work units
per second, ``scored_skyline.SCANS_PER_S``).

Usage::

    python benchmarks/bench_starts.py --bench-dir /tmp/benches --instances n200 n300 \\
        --seeds 0 1 2 --time-limit 60 --wall
"""

from __future__ import annotations

import argparse
import importlib
import math
import random
import time
from pathlib import Path

from bench_floorplan import _default_dir, load

from layoutopt.engine.btree import compile_kernels
from layoutopt.engine.check import packing_violations
from layoutopt.engine.clock import Clock
from layoutopt.engine.problem import FootprintTable, PackProblem

pack_module = importlib.import_module("layoutopt.engine.pack")


def _dead(problem: PackProblem, area_um2: int) -> float:
    return 100 * (1 - problem.block_area_um2 / area_um2)


def greedy_stage(problem: PackProblem, seed: int, time_limit_s: float, wall: bool) -> list[float]:
    """Dead space (percent) of the LNS starts the greedy stage leaves, the best first."""
    clock = Clock(time_limit_s, deterministic=not wall)
    search = pack_module._Search(problem, clock, None)
    n = search.n
    tries = max(1, int(pack_module._GREEDY_SHARE * time_limit_s / pack_module._skyline_s(n)))
    search.offer(pack_module.constructive(problem, seed, max_tries=tries), "constructive")
    clock.spend_seconds(min(tries, 60) * pack_module._skyline_s(n))
    pack_module._greedy_restarts(search, time_limit_s, random.Random(seed))
    starts = pack_module._lns_starts(search.best, search.starts)
    for start in starts:
        bad = packing_violations(problem, start)
        if bad:
            raise SystemExit(f"illegal start: {bad[:3]}")
    return [_dead(problem, p.area_um2) for p in starts]


def calibrate(problem: PackProblem) -> None:
    scored = importlib.import_module("layoutopt.engine.scored_skyline")
    table = FootprintTable.of(problem)
    order = sorted(range(len(table)), key=lambda i: (-problem.blocks[i].area_um2, i))
    width = math.isqrt(problem.block_area_um2)
    scored.search_sequence(table, width, order, 10, 0)  # compiled
    start = time.perf_counter()
    found = scored.search_sequence(table, width, order, 1000, 0)
    wall_s = time.perf_counter() - start
    print(f"{found.work} units in {wall_s:.3f} s: {found.work / wall_s:.3g} units/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=_default_dir())
    parser.add_argument("--instances", nargs="+", default=["n200", "n300"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--wall", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()
    compile_kernels()
    for name in args.instances:
        problem = load(args.bench_dir, name, "min-area")
        if args.calibrate:
            calibrate(problem)
            continue
        for seed in args.seeds:
            start = time.perf_counter()
            starts = greedy_stage(problem, seed, args.time_limit, args.wall)
            wall_s = time.perf_counter() - start
            shown = " ".join(f"{d:.2f}" for d in starts)
            print(f"{name} seed {seed}: best {starts[0]:.2f} %, starts {shown} ({wall_s:.1f} s)")


if __name__ == "__main__":
    main()
