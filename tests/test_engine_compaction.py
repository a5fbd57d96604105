"""Compaction and the packing-to-B*-tree conversion the annealer starts from.

Every packing goes through the independent checker; the tree is decoded by the compiled
decoder (written apart from the conversion) and must place no block higher than the
compacted packing has it, so its bounding box is never larger.
"""

from __future__ import annotations

import random

import pytest
from test_engine_anneal import _random_problem

from layoutopt.engine import Block, PackProblem, packing_violations
from layoutopt.engine.btree import _evaluate, _Kernel
from layoutopt.engine.compaction import compact, tree_of
from layoutopt.engine.pack import constructive
from layoutopt.engine.problem import FootprintTable


def _bbox(table: FootprintTable, xs, ys, rots) -> tuple[int, int]:
    n = len(xs)
    return (
        max(xs[i] + table.size(i, rots[i])[0] for i in range(n)),
        max(ys[i] + table.size(i, rots[i])[1] for i in range(n)),
    )


def _scattered(seed: int) -> PackProblem:
    """Blocks of many sizes, for a packing with gaps everywhere (spread out below)."""
    rng = random.Random(seed)
    blocks = tuple(
        Block(f"S{i}", rng.randint(3, 40), rng.randint(3, 40), rotatable=rng.random() < 0.5)
        for i in range(rng.randint(2, 40))
    )
    return PackProblem(blocks, spacing_um=rng.choice((0, 2)))


@pytest.mark.parametrize("seed", range(12))
def test_compaction_keeps_a_legal_packing_and_never_grows(seed: int) -> None:
    problem = _scattered(seed)
    table = FootprintTable.of(problem)
    packed = constructive(problem, seed)
    xs, ys, rots = table.from_packing(problem, packed)
    # Spread the packing out (every corner scaled by 3): legal, with gaps to close.
    xs, ys = [3 * x for x in xs], [3 * y for y in ys]
    cx, cy = compact(table, xs, ys, rots)
    after = table.to_packing(problem, cx, cy, rots)
    assert packing_violations(problem, after) == ()
    assert _bbox(table, cx, cy, rots) <= _bbox(table, xs, ys, rots)
    assert after.area_um2 <= packed.area_um2 * 9
    # Nothing can move: a second call changes nothing.
    assert compact(table, cx, cy, rots) == (cx, cy)


@pytest.mark.parametrize("seed", range(16))
@pytest.mark.parametrize("maker", ["scattered", "annealer"])
def test_tree_decodes_no_higher_than_the_compacted_packing(seed: int, maker: str) -> None:
    problem = _scattered(seed) if maker == "scattered" else _random_problem(seed, outline=False)
    table = FootprintTable.of(problem)
    xs, ys, rots = table.from_packing(problem, constructive(problem, seed))
    cx, cy = compact(table, xs, ys, rots)
    tree = tree_of(table, cx, cy, rots)
    assert sorted(tree[3].tolist()) == list(range(len(cx)))  # every block once
    _, dx, dy, w, h = _evaluate(tree, *_Kernel.of(table, None, 0.0).cost_args())
    decoded = table.to_packing(problem, list(dx), list(dy), rots)
    assert packing_violations(problem, decoded) == ()
    # Every block found the slot at its own x, so none lands higher and the box is no larger.
    assert list(dx) == cx
    assert all(dy[i] <= cy[i] for i in range(len(cy)))
    bw, bh = _bbox(table, cx, cy, rots)
    assert w <= bw and h <= bh


def test_tree_reproduces_a_shelf_packing_exactly() -> None:
    """Two rows of blocks: the tree is a row chain and a column, decoded as they were."""
    blocks = tuple(Block(f"B{i}", 10, 5 + i) for i in range(6))
    problem = PackProblem(blocks)
    table = FootprintTable.of(problem)
    xs, ys = [0, 10, 20, 0, 10, 20], [0, 0, 0, 7, 7, 7]
    rots = [False] * 6
    cx, cy = compact(table, xs, ys, rots)
    assert cx == xs and cy == [0, 0, 0, 5, 6, 7]
    tree = tree_of(table, cx, cy, rots)
    _, dx, dy, _, _ = _evaluate(tree, *_Kernel.of(table, None, 0.0).cost_args())
    assert list(dx) == cx and list(dy) == cy
