"""The annealing ladder's own knobs, and what its rungs do: exchange rates per rung pair.

The same loop as :func:`layoutopt.engine.btree.anneal` with one thread and counted moves
(with the defaults it gives the figures of ``bench_anneal.py --variants ladderK``, seed for
seed), with the knobs ``anneal`` keeps fixed exposed:

- ``--exchange-moves``: moves of each replica between two exchanges (``anneal``: 4,096,
  or 200,000 block placements over the instance's blocks when fewer);
- ``--top``: the hottest rung's temperature as a share of t0 (``anneal``: 1), the coldest
  staying at ``t0 * ladder``;
- ``--ladder`` and ``--sweep``: the span of the rungs and the cooling over the budget;
- ``--mode wsW --minimize-area``: the package designs' problem instead of a free outline (a
  fixed square of ``(1 + W %)`` times the block area, the least area inside it: what
  ``solver/warmstart.engine_plan`` asks of the engine for ``bench_solver.py --engine``);
  ``--overflow-t0`` sets t0 there as ``anneal`` did before it took the area alone.

``--phases P`` prints, for each of P equal parts of the budget, the share of accepted
exchanges per neighbour pair (hottest first), each replica's current dead space and the
best so far: where a ladder wastes rungs, and whether states travel down it.
``--checkpoints P`` prints one line per seed instead: the best dead space so far at the end
of each of P equal parts of the budget (is a run's outcome decided early?).

Usage::

    python benchmarks/bench_ladder.py --instance ami33 --budget 32 --replicas 16 \\
        --exchange-moves 256 --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import replace
from pathlib import Path

from bench_floorplan import _default_dir, load

from layoutopt.engine import btree
from layoutopt.engine.problem import FootprintTable, PackProblem


def _dead(problem: PackProblem, value: float) -> float:
    """Dead space (percent) of a min-area cost (area over the blocks' area)."""
    return 100 * (1 - 1 / value) if value > 0 else float("nan")


def run(problem: PackProblem, args: argparse.Namespace, seed: int) -> float:
    """One ladder run; prints its phases when asked; returns its dead space (percent)."""
    table = FootprintTable.of(problem)
    n = len(table)
    order = sorted(range(n), key=lambda i: (-problem.blocks[i].area_um2, i))
    # Shelves as wide as the outline when there is one (as ``pack._start_tree``).
    shelf_um = (
        table.container[0] if table.container else math.isqrt(int(1.15 * problem.block_area_um2))
    )
    start = btree.shelf_tree(table, shelf_um, order)
    kernel = btree._Kernel.of(table, None, 0.0, args.minimize_area)
    k = args.replicas
    chains = btree._replicas(start, kernel, seed, k)
    t_kernel, t_cost = kernel, chains[0].costs[0]
    if not args.overflow_t0:  # as anneal: t0 from the area alone (btree._temperature_kernel)
        t_kernel = btree._temperature_kernel(table, kernel, None, 0.0, args.minimize_area)
        t_cost = btree._evaluate(start, *t_kernel.cost_args())[0]
    t0 = btree._initial_temperature(start, t_cost, t_kernel, chains[0].state, 0.5)
    top, cold = args.top, args.ladder
    rungs = [t0 * top * (cold / top) ** (j / (k - 1)) for j in range(k)]
    total = max(10 * n, int(args.budget * btree.KERNEL_PLACEMENTS_PER_S / n))
    every = args.exchange_moves or min(btree._CHUNK_MOVES, btree._CHUNK_PLACEMENTS // n)
    rng = random.Random(seed)
    done = rounds = phase = 0
    tries = [[0, 0] for _ in range(k - 1)]
    marks: list[float] = []
    while done < total:
        progress = done / total
        temps = [t * args.sweep**progress for t in rungs]
        chunk = max(1, min(every, (total - done) // k))
        made, _ = btree._round(chains, temps, chunk, False, kernel)
        done += made
        rounds += 1
        for j in range(rounds % 2, k - 1, 2):  # btree._exchange, counted
            a, b = chains[j], chains[j + 1]
            delta = (a.costs[0] - b.costs[0]) * (1.0 / temps[j] - 1.0 / temps[j + 1])
            tries[j][1] += 1
            if delta >= 0 or rng.random() < math.exp(delta):
                tries[j][0] += 1
                a.cur, b.cur = b.cur, a.cur
                a.costs[0], b.costs[0] = b.costs[0], a.costs[0]
        while args.checkpoints and done >= total * (len(marks) + 1) / args.checkpoints:
            marks.append(_best_dead(problem, chains))
        if args.phases and (int(done / total * args.phases) > phase or done >= total):
            rates = " ".join(f"{y and x / y:.2f}" for x, y in tries)
            now = " ".join(f"{_dead(problem, c.costs[0]):.1f}" for c in chains)
            best = min(c.costs[1] for c in chains)
            print(
                f"  phase {phase}: exchanges {rates} | now {now} | best {_dead(problem, best):.2f}"
            )
            phase = int(done / total * args.phases)
            tries = [[0, 0] for _ in range(k - 1)]
    if args.checkpoints:
        print(f"  seed {seed} checkpoints: " + " ".join(f"{v:.2f}" for v in marks), flush=True)
    return _best_dead(problem, chains)


def _best_dead(problem: PackProblem, chains: list[btree._Replica]) -> float:
    """Dead space (percent) of the best packing any replica has seen (its bounding box);
    NaN while it does not fit the outline."""
    top_chain = min(chains, key=lambda r: r.costs[1])
    w, h = int(top_chain.best_xy[2, 0]), int(top_chain.best_xy[2, 1])
    outline = problem.outline_um
    if outline is not None and (w > outline[0] or h > outline[1]):
        return float("nan")
    return 100 * (1 - problem.block_area_um2 / (w * h))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", default="ami33")
    parser.add_argument("--budget", type=float, default=8.0, help="deterministic seconds")
    parser.add_argument("--replicas", type=int, default=16)
    parser.add_argument("--exchange-moves", type=int, default=0, help="0: as anneal")
    parser.add_argument("--top", type=float, default=1.0)
    parser.add_argument("--ladder", type=float, default=1e-4)
    parser.add_argument("--sweep", type=float, default=1e-2)
    parser.add_argument("--phases", type=int, default=0)
    parser.add_argument("--checkpoints", type=int, default=0, help="best so far per part")
    parser.add_argument("--mode", default="min-area", help="min-area, or wsW (a square)")
    parser.add_argument("--minimize-area", action="store_true", help="least area in --mode")
    parser.add_argument(
        "--overflow-t0", action="store_true", help="t0 with the overflow term (before 2026-12-02)"
    )
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--bench-dir", default=str(_default_dir()))
    args = parser.parse_args(argv)
    btree.compile_kernels()
    problem = load(Path(args.bench_dir), args.instance, args.mode)
    if args.minimize_area:
        problem = replace(problem, minimize_area=True)
    values = []
    for seed in args.seeds:
        started = time.perf_counter()
        values.append(run(problem, args, seed))
        print(
            f"seed {seed}: {values[-1]:.2f} % ({time.perf_counter() - started:.0f} s)", flush=True
        )
    print(
        f"{args.instance} {args.replicas} replicas, exchange every "
        f"{args.exchange_moves or 'default'}, top {args.top:g}, ladder {args.ladder:g}, "
        f"sweep {args.sweep:g}, {args.budget:g} s: "
        + " ".join(f"{v:.2f}" for v in values)
        + f" (mean {sum(values) / len(values):.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
