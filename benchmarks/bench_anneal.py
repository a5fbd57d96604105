"""What the annealing schedule contributes: variants of the B*-tree annealer on one budget.

Deterministic budgets (moves counted), so the figures do not depend on the machine's load;
dead space in percent per seed. Variants:

- ``one``: one chain cooled from t0 to t0 / 1e4;
- ``restartsK``: K runs of budget / K from the shelf tree, the best;
- ``ladderK`` or ``ladderK_L_S``: K replicas at temperatures 10^-L apart (default 4),
  cooled 10^S over the budget (default 2), exchanging states (parallel tempering);
- ``lnsF``: an 8-replica ladder for (1 - F) of the budget, then CP-SAT LNS for F;
- ``pairK``: two independent K-replica ladders of half the budget each (seeds as ``pack``
  gives its two workers), the better: what two workers did before one shared ladder;
- ``seqpairK``: the ``ladderK`` ladder over sequence pairs (:mod:`layoutopt.engine.seqpair`)
  instead of B*-trees, from the same shelves;
- ``spmemeticK_E``: the ``seqpairK`` ladder whose coldest rung is polished every E rounds
  (:mod:`layoutopt.engine.polish`, one pass at most, its decodes counted as moves);
- ``mixedK`` + ``a`` / ``h`` / ``t``: the ``ladderK`` ladder with rungs of both encodings
  (:mod:`layoutopt.engine.mixed`): alternating, the hotter half sequence pairs, or the
  hotter half B*-trees;
- ``packladder``: the ladder ``pack`` runs per worker at this size (its replicas and top
  rung).

``--mode wsW --minimize-area`` gives the package designs' problem (the least area inside a
square of ``(1 + W %)`` times the block area) instead of a free outline.

Usage::

    python benchmarks/bench_anneal.py --budget 4 --variants one restarts4 ladder8 --seeds 8
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import replace
from pathlib import Path

from bench_floorplan import _default_dir, load

from layoutopt.engine.btree import AnnealResult, anneal, compile_kernels, shelf_tree
from layoutopt.engine.clock import Clock
from layoutopt.engine.lns import lns
from layoutopt.engine.mixed import anneal_mixed
from layoutopt.engine.pack import _replicas, _top
from layoutopt.engine.polish import intensifier
from layoutopt.engine.problem import FootprintTable, PackProblem
from layoutopt.engine.seqpair import SEQUENCE_PAIR, compile_pair_kernels, shelf_pair


def _dead(problem: PackProblem, area_um2: int) -> float:
    return 100 * (1 - problem.block_area_um2 / area_um2)


def run_variant(
    problem: PackProblem, variant: str, budget_s: float, seed: int, threads: int = 1
) -> float:
    """Dead space (percent) of one variant on one seed.

    ``threads`` spreads a ladder's rungs over threads: counted moves, so the same figures
    in less wall time.
    """
    table = FootprintTable.of(problem)
    order = sorted(range(len(table)), key=lambda i: (-problem.blocks[i].area_um2, i))
    target = math.isqrt(int(1.15 * problem.block_area_um2))
    start = shelf_tree(table, table.container[0] if table.container else target, order)
    area = {"minimize_area": problem.minimize_area}

    def chain(budget: float, s: int, **options: object) -> AnnealResult:
        return anneal(
            table,
            start,
            seed=s,
            budget_s=budget,
            deterministic=True,
            threads=threads,
            **area,
            **options,
        )  # type: ignore[arg-type]

    n = len(table)
    as_pack = {"replicas": _replicas(n), "top": _top(n)}

    if variant.startswith(("seqpair", "spmemetic")):
        options = {}
        if variant.startswith("spmemetic"):
            k, every = (int(v) for v in variant[len("spmemetic") :].split("_"))
            options = {"intensify": intensifier(table), "intensify_every": every}
        else:
            k = int(variant[len("seqpair") :])
        result = anneal(
            table,
            shelf_pair(table, target, order),
            seed=seed,
            budget_s=budget_s,
            deterministic=True,
            threads=threads,
            replicas=k,
            neighbourhood=SEQUENCE_PAIR,
            **options,  # type: ignore[arg-type]
        )
    elif variant.startswith("mixed"):
        layouts = {"a": "alternate", "h": "hot-pairs", "t": "hot-trees"}
        result = anneal_mixed(
            table,
            start,
            seed=seed,
            budget_s=budget_s,
            deterministic=True,
            threads=threads,
            replicas=int(variant[len("mixed") : -1]),
            layout=layouts[variant[-1]],
        )
    elif variant == "packladder":
        result = chain(budget_s, seed, **as_pack)
    elif variant == "one":
        result = chain(budget_s, seed)
    elif variant.startswith("restarts"):
        k = int(variant[len("restarts") :])
        result = min((chain(budget_s / k, seed * 1000 + j) for j in range(k)), key=lambda r: r.cost)
    elif variant.startswith("ladder"):
        parts = variant[len("ladder") :].split("_")
        options: dict[str, object] = {"replicas": int(parts[0])}
        if len(parts) == 3:
            options.update(ladder=10.0 ** -float(parts[1]), sweep=10.0 ** -float(parts[2]))
        result = chain(budget_s, seed, **options)
    elif variant.startswith("pair"):
        k = int(variant[len("pair") :])
        result = min(
            (chain(budget_s / 2, seed * 1000 + j, replicas=k) for j in range(2)),
            key=lambda r: r.cost,
        )
    elif variant.startswith("lns"):
        share = float(variant[len("lns") :])
        result = chain((1 - share) * budget_s, seed, replicas=8)
        packing = table.to_packing(problem, result.xs, result.ys, result.rots)
        clock = Clock(budget_s, deterministic=True)
        better = lns(problem, packing, share * budget_s, seed, workers=1, clock=clock)
        return _dead(problem, better.area_um2)
    else:
        raise SystemExit(f"unknown variant {variant!r}")
    outline = problem.outline_um
    if outline is not None and (result.width > outline[0] or result.height > outline[1]):
        return float("nan")  # the best packing does not fit the outline
    return _dead(problem, result.width * result.height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=4.0, help="deterministic seconds")
    parser.add_argument("--variants", nargs="*", default=["one", "restarts4", "ladder8"])
    parser.add_argument("--instances", nargs="*", default=["ami33"])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--bench-dir", default=str(_default_dir()))
    parser.add_argument("--threads", type=int, default=1, help="threads per ladder")
    parser.add_argument("--mode", default="min-area", help="min-area, or wsW (a square)")
    parser.add_argument("--minimize-area", action="store_true", help="least area in --mode")
    args = parser.parse_args(argv)
    compile_kernels()
    compile_pair_kernels()
    for name in args.instances:
        problem = load(Path(args.bench_dir), name, args.mode)
        if args.minimize_area:
            problem = replace(problem, minimize_area=True)
        for variant in args.variants:
            started = time.perf_counter()
            values = [
                run_variant(problem, variant, args.budget, s, args.threads)
                for s in range(args.seeds)
            ]
            mean = sum(values) / len(values)
            print(
                f"{name} {variant} {args.budget:g} s: "
                + " ".join(f"{v:.2f}" for v in values)
                + f" (mean {mean:.2f}; wall {time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
