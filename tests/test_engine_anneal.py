"""The compiled B*-tree annealer: legal packings, the cost it reports, determinism, quality.

The annealer's decoder and wirelength are compiled code written apart from the checker, so
every answer here goes through ``packing_violations`` and the Python ``NetIndex.hpwl_um``.
"""

from __future__ import annotations

import math
import random

import pytest
from test_engine_pack import guillotine

from layoutopt.engine import Block, PackProblem, packing_violations
from layoutopt.engine.btree import anneal, anneal_chains, shelf_tree
from layoutopt.engine.netlist import NetIndex
from layoutopt.engine.problem import FootprintTable
from layoutopt.model import Rect


def _random_problem(seed: int, outline: bool) -> PackProblem:
    rng = random.Random(seed)
    blocks = tuple(
        Block(
            f"B{i}",
            rng.randint(5, 60),
            rng.randint(5, 60),
            rotatable=rng.random() < 0.8,
            halo_um=tuple(rng.choice((0, 0, 2, 5)) for _ in range(4)),  # type: ignore[arg-type]
        )
        for i in range(rng.randint(2, 25))
    )
    spacing = rng.choice((0, 3))
    side = None
    if outline:
        area = sum((b.width_um + 10 + spacing) * (b.length_um + 10 + spacing) for b in blocks)
        big = max(max(b.width_um, b.length_um) + 10 + spacing for b in blocks)
        side = max(big, math.isqrt(int(1.6 * area)))
    return PackProblem(blocks, outline_um=(side, side) if side else None, spacing_um=spacing)


def _with_obstacles(problem: PackProblem, seed: int) -> PackProblem:
    """The problem with one to three random keep-outs inside its outline."""
    rng = random.Random(seed)
    side = problem.outline_um[0]  # type: ignore[index]
    holes = []
    for _ in range(rng.randint(1, 3)):
        w, h = rng.randint(5, side // 4), rng.randint(5, side // 4)
        holes.append(Rect(rng.randint(0, side - w), rng.randint(0, side - h), w, h))
    return PackProblem(
        problem.blocks,
        outline_um=problem.outline_um,
        spacing_um=problem.spacing_um,
        obstacles=tuple(holes),
    )


def _start(table: FootprintTable, problem: PackProblem):
    return shelf_tree(table, math.isqrt(2 * problem.block_area_um2), list(range(len(table))))


def _footprint_area(table: FootprintTable) -> int:
    """The annealer's cost unit: every footprint in its smaller-area orientation."""
    pairs = zip(table.widths, table.heights, strict=True)
    return sum(min(w * h for w, h in zip(ws, hs, strict=True)) for ws, hs in pairs)


@pytest.mark.parametrize("seed", range(12))
def test_every_annealed_packing_is_legal(seed: int) -> None:
    # Free outlines, fixed ones, and fixed ones with keep-outs the blocks are lifted over;
    # one replica and a ladder of them.
    problem = _random_problem(seed, outline=seed % 3 > 0)
    if seed % 3 == 2:
        problem = _with_obstacles(problem, seed)
    table = FootprintTable.of(problem)
    result = anneal(
        table,
        _start(table, problem),
        seed=seed,
        budget_s=0.05,
        deterministic=True,
        replicas=1 + 3 * (seed % 2),
    )
    packing = table.to_packing(problem, result.xs, result.ys, result.rots)
    bad = packing_violations(problem, packing)
    if problem.outline_um is not None:  # overflowing the outline is a cost, not illegal
        bad = tuple(v for v in bad if "outside the outline" not in v)
    assert bad == ()
    if problem.outline_um is None:
        # The reported cost is the bounding-box area over the footprint area: no spacing pad.
        s = problem.spacing_um
        assert result.cost == pytest.approx(
            (result.width - s) * (result.height - s) / _footprint_area(table)
        )
        assert (packing.width_um, packing.length_um) == (result.width - s, result.height - s)


def test_wirelength_cost_matches_the_python_hpwl() -> None:
    blocks = guillotine(7, 12, 120, 90)
    ids = [b.id for b in blocks]
    rng = random.Random(1)
    random_nets = [tuple(rng.sample(ids, rng.randint(2, 4))) for _ in range(10)]
    nets = (*random_nets, ("B0", "P1"), ("B3", "B4", "P2"))
    problem = PackProblem(
        blocks,
        nets=nets,
        terminals=(("P1", 0, 45), ("P2", 120, 90)),
        wirelength_weight=3.0,
    )
    table = FootprintTable.of(problem)
    index = NetIndex.of(problem, table)
    result = anneal(
        table,
        _start(table, problem),
        seed=2,
        budget_s=0.05,
        deterministic=True,
        nets=index,
        wirelength_weight=3.0,
    )
    hpwl = index.hpwl_um(result.xs, result.ys, result.rots)
    expected = (result.width * result.height + 3.0 * hpwl) / _footprint_area(table)
    assert result.cost == pytest.approx(expected)


def test_deterministic_chain_depends_only_on_its_seed() -> None:
    problem = PackProblem(guillotine(3, 20, 100, 80))
    table = FootprintTable.of(problem)
    start = _start(table, problem)
    runs = [anneal(table, start, seed=s, budget_s=0.02, deterministic=True) for s in (4, 4, 5)]
    assert runs[0] == runs[1]
    assert runs[0].moves == runs[2].moves  # the budget is a move count
    assert (runs[0].xs, runs[0].rots) != (runs[2].xs, runs[2].rots)


def test_a_ladder_spread_over_threads_makes_the_same_moves() -> None:
    # The replicas do not interact during a round, so dealing them out to two threads
    # changes nothing: the same packing, cost and move count as on one thread.
    problem = PackProblem(guillotine(8, 18, 160, 120))
    table = FootprintTable.of(problem)
    start = _start(table, problem)
    runs = [
        anneal(table, start, seed=3, budget_s=0.03, deterministic=True, replicas=5, threads=t)
        for t in (1, 2, 3)
    ]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0].moves > 0


def test_a_cooler_top_rung_changes_the_run_and_stays_legal() -> None:
    problem = PackProblem(guillotine(8, 18, 160, 120))
    table = FootprintTable.of(problem)
    start = _start(table, problem)
    runs = [
        anneal(table, start, seed=3, budget_s=0.03, deterministic=True, replicas=3, top=t)
        for t in (1.0, 0.01)
    ]
    default = anneal(table, start, seed=3, budget_s=0.03, deterministic=True, replicas=3)
    assert runs[0] == default  # top=1 is the ladder as it was
    assert runs[1].moves == runs[0].moves
    assert (runs[1].xs, runs[1].ys, runs[1].rots) != (runs[0].xs, runs[0].ys, runs[0].rots)
    packing = table.to_packing(problem, runs[1].xs, runs[1].ys, runs[1].rots)
    assert packing_violations(problem, packing) == ()


def test_pack_cools_the_top_rung_from_61_to_100_blocks_only() -> None:
    from layoutopt.engine.pack import _HOT_TOP, _top

    assert [_top(n) for n in (33, 60, 61, 100, 101, 300)] == [
        1.0,
        1.0,
        _HOT_TOP,
        _HOT_TOP,
        1.0,
        1.0,
    ]


def test_a_least_area_outline_takes_its_temperature_from_the_area_alone() -> None:
    # In an outline with minimize_area the search minimises the area; the overflow term
    # only walls the outline off. Measured with it, an overflowing start's uphill moves
    # were many times steeper, and every rung ran that much hotter than in a free outline.
    import numpy as np

    from layoutopt.engine.btree import (
        _evaluate,
        _initial_temperature,
        _Kernel,
        _temperature_kernel,
    )

    blocks = guillotine(8, 18, 160, 120)
    side = math.isqrt(int(1.1 * 160 * 120))
    boxed = FootprintTable.of(PackProblem(blocks, outline_um=(side, side), minimize_area=True))
    free = FootprintTable.of(PackProblem(blocks))
    start = shelf_tree(boxed, side, list(range(len(blocks))))
    own = _Kernel.of(boxed, None, 0.0, True)
    assert _evaluate(start, *own.cost_args())[4] > side  # the start overflows

    def t0(kernel: _Kernel) -> float:
        cost = _evaluate(start, *kernel.cost_args())[0]
        return _initial_temperature(start, cost, kernel, np.array([7], dtype=np.uint64), 0.5)

    chosen = _temperature_kernel(boxed, own, None, 0.0, True)
    assert t0(chosen) == t0(_Kernel.of(free, None, 0.0))
    assert t0(own) > 3 * t0(chosen)
    # Where only the fit counts (no minimize_area), the overflow is the cost: kept.
    first_fit = _Kernel.of(boxed, None, 0.0)
    assert _temperature_kernel(boxed, first_fit, None, 0.0, False) is first_fit


def test_annealing_finds_near_perfect_packings() -> None:
    # 25 blocks cut from a 300 x 200 rectangle: 0 % dead space exists. A tenth of a
    # second of moves must get within 8 %; the greedy shelf start is far worse.
    problem = PackProblem(guillotine(11, 25, 300, 200))
    table = FootprintTable.of(problem)
    start = _start(table, problem)
    result = anneal(table, start, seed=0, budget_s=0.1, deterministic=True)
    dead = 1 - problem.block_area_um2 / (result.width * result.height)
    assert dead < 0.08


def test_parallel_chains_stop_at_the_first_fit() -> None:
    problem = PackProblem(guillotine(5, 30, 200, 150), outline_um=(212, 159))  # 11 % slack
    table = FootprintTable.of(problem)
    start = _start(table, problem)
    result = anneal_chains(table, start, [1, 2], budget_s=20.0, deterministic=False)
    assert result.width <= 212 and result.height <= 159
    packing = table.to_packing(problem, result.xs, result.ys, result.rots)
    assert packing_violations(problem, packing) == ()


def _reference_decode(tree, table: FootprintTable, holes: list[tuple[int, int, int, int]]):
    """The textbook decoder, written plainly: depth first, left child right of its parent,
    right child above it; y is the highest top of every placed block overlapping in x,
    then lifted over the keep-outs."""
    left, right, _, blk, rot, root = (tree[i] for i in range(6))
    xs, ys, placed = {}, {}, []
    stack = [(int(root[0]), 0)]
    while stack:
        slot, x = stack.pop()
        b = int(blk[slot])
        w, h = table.size(b, bool(rot[b]))
        y = max([t for (a, e, t) in placed if a < x + w and e > x], default=0)
        for hx0, hy0, hx1, hy1 in sorted(holes, key=lambda o: o[1]):
            if hx0 < x + w and hx1 > x and hy0 < y + h and hy1 > y:
                y = hy1
        placed.append((x, x + w, y + h))
        xs[b], ys[b] = x, y
        if right[slot] >= 0:
            stack.append((int(right[slot]), x))
        if left[slot] >= 0:
            stack.append((int(left[slot]), x + w))
    n = len(table)
    return [xs[i] for i in range(n)], [ys[i] for i in range(n)]


@pytest.mark.parametrize("seed", range(6))
def test_contour_decoder_matches_the_textbook_one(seed: int) -> None:
    import numpy as np

    from layoutopt.engine.btree import _decode, _Kernel, _perturb

    problem = _random_problem(seed, outline=True)
    if seed % 2:
        problem = _with_obstacles(problem, seed)
    table = FootprintTable.of(problem)
    kernel = _Kernel.of(table, None, 0.0)
    holes = [(o.x_um, o.y_um, o.x_max_um, o.y_max_um) for o in table.obstacles]
    tree = _start(table, problem)
    state = np.array([seed + 1], dtype=np.uint64)
    n = len(table)
    xs, ys = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    work = np.empty((8, n + 1), dtype=np.int64)
    for _ in range(60):  # random trees reached by the annealer's own moves
        _perturb(tree, kernel.turnable, state)
        w, h = _decode(tree, kernel.widths, kernel.heights, kernel.obstacles, xs, ys, work)
        ref_x, ref_y = _reference_decode(tree, table, holes)
        assert (list(xs), list(ys)) == (ref_x, ref_y)
        sizes = [table.size(i, bool(tree[4][i])) for i in range(n)]
        assert w == max(ref_x[i] + sizes[i][0] for i in range(n))
        assert h == max(ref_y[i] + sizes[i][1] for i in range(n))
