"""The mixed ladder (B*-tree and sequence-pair rungs): a packing's sequence pair decodes
inside its box, conversions never cost more, and the ladder's answers are legal and
reproducible.

Every answer goes through the independent checker (``packing_violations``).
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from test_engine_anneal import _random_problem, _with_obstacles
from test_engine_pack import guillotine
from test_engine_seqpair import _reference_decode

from layoutopt.engine import PackProblem, packing_violations
from layoutopt.engine.btree import BTREE, _Kernel, _perturb, shelf_tree
from layoutopt.engine.mixed import _convert, anneal_mixed, pair_of, rung_kinds
from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.seqpair import SEQUENCE_PAIR, compile_pair_kernels


def _scrambled(
    seed: int, rng_seed: int, moves_per_block: int
) -> tuple[PackProblem, FootprintTable, _Kernel, np.ndarray]:
    """A free-outline instance and a B*-tree scrambled far from its shelves."""
    compile_pair_kernels()
    problem = _random_problem(seed, outline=False)
    table = FootprintTable.of(problem)
    n = len(table)
    tree = shelf_tree(table, math.isqrt(2 * problem.block_area_um2), list(range(n)))
    kernel = _Kernel.of(table, None, 0.0)
    state = np.array([rng_seed], dtype=np.uint64)
    for _ in range(moves_per_block * n):
        _perturb(tree, kernel.turnable, state)
    return problem, table, kernel, tree


@pytest.mark.parametrize("seed", range(10))
def test_a_packings_pair_decodes_at_or_below_and_left_of_every_block(seed: int) -> None:
    problem, table, kernel, tree = _scrambled(seed, seed + 1, 5)
    n = len(table)
    _, xs, ys, _, _ = BTREE.evaluate(tree, *kernel.cost_args())
    rots = [bool(r) for r in tree[4]]
    sp = pair_of(table, xs.tolist(), ys.tolist(), rots)
    assert sp is not None
    for row in (0, 1):
        assert sorted(sp[row]) == list(range(n))
        assert (sp[row + 2, sp[row]] == np.arange(n)).all()
    px, py = _reference_decode(sp, table)
    assert all(px[b] <= xs[b] and py[b] <= ys[b] for b in range(n))
    assert packing_violations(problem, table.to_packing(problem, px, py, rots)) == ()


def test_an_overlapping_packing_has_no_pair() -> None:
    problem = PackProblem(guillotine(1, 3, 90, 60))
    table = FootprintTable.of(problem)
    assert pair_of(table, [0, 0, 0], [0, 0, 0], [False] * 3) is None


@pytest.mark.parametrize("seed", range(6))
def test_conversions_both_ways_never_cost_more(seed: int) -> None:
    _, table, kernel, tree = _scrambled(seed, seed + 7, 3)
    cost = float(BTREE.evaluate(tree, *kernel.cost_args())[0])
    pair = _convert(table, kernel, tree, BTREE, SEQUENCE_PAIR)
    assert pair is not None and pair[1] <= cost + 1e-12
    back = _convert(table, kernel, pair[0], SEQUENCE_PAIR, BTREE)
    assert back is not None and back[1] <= pair[1] + 1e-12


def test_rung_layouts() -> None:
    assert rung_kinds(4, "alternate") == [BTREE, SEQUENCE_PAIR, BTREE, SEQUENCE_PAIR]
    assert rung_kinds(4, "hot-pairs") == [SEQUENCE_PAIR, SEQUENCE_PAIR, BTREE, BTREE]
    assert rung_kinds(3, "hot-trees") == [BTREE, SEQUENCE_PAIR, SEQUENCE_PAIR]


@pytest.mark.parametrize("layout", ["alternate", "hot-pairs", "hot-trees"])
def test_mixed_ladder_is_legal_reproducible_and_thread_independent(layout: str) -> None:
    problem = PackProblem(guillotine(8, 18, 160, 120))
    table = FootprintTable.of(problem)
    start = shelf_tree(table, 200, list(range(len(table))))
    runs = [
        anneal_mixed(
            table,
            start,
            seed=3,
            budget_s=0.03,
            deterministic=True,
            replicas=6,
            layout=layout,
            threads=t,
        )
        for t in (1, 2, 1)
    ]
    assert runs[0] == runs[1] == runs[2]
    packing = table.to_packing(problem, runs[0].xs, runs[0].ys, runs[0].rots)
    assert packing_violations(problem, packing) == ()
    assert runs[0].width * runs[0].height <= 1.3 * problem.block_area_um2


def test_mixed_ladder_refuses_outlines_and_obstacles() -> None:
    problem = _with_obstacles(_random_problem(1, outline=True), 1)
    table = FootprintTable.of(problem)
    start = shelf_tree(table, problem.outline_um[0], list(range(len(table))))  # type: ignore[index]
    with pytest.raises(ValueError, match="free outline"):
        anneal_mixed(table, start, seed=0, budget_s=0.01, deterministic=True, replicas=4)


def test_random_packings_of_disjoint_grid_cells_have_pairs() -> None:
    # Blocks on the cells of a grid, shuffled: every pair apart on one axis or both.
    rng = random.Random(5)
    problem = PackProblem(guillotine(2, 16, 160, 160))
    table = FootprintTable.of(problem)
    n = len(table)
    cells = rng.sample([(i, j) for i in range(6) for j in range(6)], n)
    big = max(max(max(w) for w in table.widths), max(max(h) for h in table.heights))
    xs = [i * big for i, _ in cells]
    ys = [j * big for _, j in cells]
    sp = pair_of(table, xs, ys, [False] * n)
    assert sp is not None
    px, py = _reference_decode(sp, table)
    assert all(px[b] <= xs[b] and py[b] <= ys[b] for b in range(n))
