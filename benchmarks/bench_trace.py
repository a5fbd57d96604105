"""When a ladder run's outcome is decided: the best dead space over the run, per seed.

The sequence-pair ladder as ``pack`` runs it from 20 to 36 blocks with two workers (16
rungs, the coldest polished every ``pack._POLISH_EVERY`` rounds, from the same shelves),
counted moves (deterministic, so the load does not enter). For each seed it prints the
best dead space at each of ``--phases`` equal parts of the budget, then, for each cut,
how well the best at the cut predicts the final result (of each pair of seeds, how often
the one better at the cut ends better or equal).

Usage::

    python benchmarks/bench_trace.py --instance ami33 --budget 32 --seeds 0 1 2 3
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from bench_floorplan import _default_dir, load

from layoutopt.engine import btree
from layoutopt.engine.pack import _POLISH_EVERY
from layoutopt.engine.polish import intensifier
from layoutopt.engine.problem import FootprintTable, PackProblem
from layoutopt.engine.seqpair import SEQUENCE_PAIR, compile_pair_kernels, shelf_pair


def _dead(problem: PackProblem, cost: float) -> float:
    """Dead space (percent) of a min-area cost (area over the blocks' area)."""
    return 100 * (1 - 1 / cost) if cost > 0 else float("nan")


def trace(problem: PackProblem, budget_s: float, seed: int) -> list[tuple[int, float]]:
    """(moves, best cost) at every improvement of one ladder run, and its end."""
    table = FootprintTable.of(problem)
    n = len(table)
    order = sorted(range(n), key=lambda i: (-problem.blocks[i].area_um2, i))
    start = shelf_pair(table, math.isqrt(int(1.15 * problem.block_area_um2)), order)
    points: list[tuple[int, float]] = []
    btree.REPORT_EVERY_S = 0.0  # every improvement, so the trace is exact
    result = btree.anneal(
        table,
        start,
        seed=seed,
        budget_s=budget_s,
        deterministic=True,
        threads=2,
        replicas=16,
        neighbourhood=SEQUENCE_PAIR,
        intensify=intensifier(table),
        intensify_every=_POLISH_EVERY,
        report=lambda r: points.append((r.moves, r.cost)),
    )
    points.append((result.moves, result.cost))
    return points


def at(points: list[tuple[int, float]], moves: float) -> float:
    """The best cost after ``moves`` moves."""
    best = points[0][1]
    for m, c in points:
        if m <= moves:
            best = min(best, c)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", default="ami33")
    parser.add_argument("--budget", type=float, default=32.0, help="deterministic seconds")
    parser.add_argument("--phases", type=int, default=8)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3])
    parser.add_argument("--bench-dir", default=str(_default_dir()))
    args = parser.parse_args(argv)
    btree.compile_kernels()
    compile_pair_kernels()
    problem = load(Path(args.bench_dir), args.instance, "min-area")
    traces = {}
    for seed in args.seeds:
        started = time.perf_counter()
        points = trace(problem, args.budget, seed)
        traces[seed] = points
        total = points[-1][0]
        row = [
            _dead(problem, at(points, total * (p + 1) / args.phases)) for p in range(args.phases)
        ]
        print(
            f"seed {seed}: "
            + " ".join(f"{v:.2f}" for v in row)
            + f" ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    finals = [_dead(problem, t[-1][1]) for t in traces.values()]
    print(
        f"{args.instance} {args.budget:g} s: "
        + " ".join(f"{v:.2f}" for v in finals)
        + f" (mean {sum(finals) / len(finals):.2f}, worst {max(finals):.2f})",
        flush=True,
    )
    seeds = list(traces)
    for p in range(1, args.phases):
        agree = pairs = 0
        for i, a in enumerate(seeds):
            for b in seeds[i + 1 :]:
                ta, tb = traces[a], traces[b]
                ca = at(ta, ta[-1][0] * p / args.phases)
                cb = at(tb, tb[-1][0] * p / args.phases)
                if ca == cb:
                    continue
                pairs += 1
                first, second = (ta, tb) if ca < cb else (tb, ta)
                agree += first[-1][1] <= second[-1][1]
        print(f"cut {p}/{args.phases}: the better at the cut ends no worse in {agree} of {pairs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
