"""Exhaustive reinsertion in a sequence pair (``engine/polish.py``): legal, never worse, a
local optimum that a plain Python enumeration with the textbook decode confirms,
deterministic; and the memetic ladder that calls it.

Every packing goes through the independent checker (``packing_violations``).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from test_engine_anneal import _random_problem
from test_engine_seqpair import _random_pair, _reference_decode

from layoutopt.engine import Block, PackProblem, packing_violations
from layoutopt.engine.btree import _Kernel, anneal
from layoutopt.engine.polish import polisher
from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.seqpair import SEQUENCE_PAIR, shelf_pair


def _tiny(seed: int, n: int = 6) -> PackProblem:
    rng = random.Random(seed)
    blocks = tuple(
        Block(f"B{i}", rng.randint(3, 20), rng.randint(3, 20), rotatable=rng.random() < 0.7)
        for i in range(n)
    )
    return PackProblem(blocks)


def _legal(problem: PackProblem, table: FootprintTable, sp: np.ndarray) -> float:
    """The state's cost, after the checker passed its packing."""
    cost, xs, ys, _, _ = SEQUENCE_PAIR.evaluate(sp, *_Kernel.of(table, None, 0.0).cost_args())
    packing = table.to_packing(problem, list(xs), list(ys), [bool(r) for r in sp[4]])
    assert not packing_violations(problem, packing)
    return float(cost)


@pytest.mark.parametrize("seed", range(6))
def test_polished_pairs_are_legal_and_never_worse(seed: int) -> None:
    problem = _random_problem(seed, outline=False)
    table = FootprintTable.of(problem)
    start = _random_pair(table, random.Random(seed))
    before = _legal(problem, table, start)
    got = polisher(table, max_evaluations=10**6)(start)
    assert got.cost <= before
    assert _legal(problem, table, got.state) == pytest.approx(got.cost)
    n = len(table)
    for row, inverse in ((0, 2), (1, 3)):  # still two permutations and their inverses
        assert sorted(got.state[row]) == list(range(n))
        assert all(got.state[inverse, got.state[row, i]] == i for i in range(n))


def test_polish_improves_a_shelf_start_and_stops_on_a_pass_without_gain() -> None:
    # It must be able to fail: from shelves a local search has something to find.
    problem = _random_problem(4, outline=False)
    table = FootprintTable.of(problem)
    start = shelf_pair(table, 2 * int(problem.block_area_um2**0.5), list(range(len(table))))
    got = polisher(table, max_evaluations=10**6)(start)
    assert got.cost < _legal(problem, table, start)
    assert got.passes >= 2


def _sp_reinsertions(sp: np.ndarray, b: int, turnable: bool):
    """Every sequence pair with block ``b`` at any position of G+ and of G-."""
    n = sp.shape[1]
    pos = [int(v) for v in sp[0] if v != b]
    neg = [int(v) for v in sp[1] if v != b]
    for i in range(n):
        for j in range(n):
            for rot in (0, 1) if turnable else (int(sp[4, b]),):
                yield [*pos[:i], b, *pos[i:]], [*neg[:j], b, *neg[j:]], rot


@pytest.mark.parametrize("seed", range(3))
def test_pair_polish_ends_where_no_single_reinsertion_helps(seed: int) -> None:
    # The brute force decodes with the textbook longest paths, not the compiled decode.
    problem = _tiny(seed)
    table = FootprintTable.of(problem)
    n = len(table)
    got = polisher(table, max_evaluations=10**6)(_random_pair(table, random.Random(0)))
    area = got.cost * _Kernel.of(table, None, 0.0).norm
    for b in range(n):
        for pos, neg, rot in _sp_reinsertions(got.state, b, table.rotatable[b]):
            sp = got.state.copy()
            sp[0], sp[1], sp[4, b] = pos, neg, rot
            sp[2, sp[0]], sp[3, sp[1]] = np.arange(n), np.arange(n)
            xs, ys = _reference_decode(sp, table)
            sizes = [table.size(k, bool(sp[4, k])) for k in range(n)]
            width = max(x + s[0] for x, s in zip(xs, sizes, strict=True))
            height = max(y + s[1] for y, s in zip(ys, sizes, strict=True))
            assert width * height >= round(area)


def test_polish_is_deterministic_and_leaves_its_input() -> None:
    problem = _random_problem(7, outline=False)
    table = FootprintTable.of(problem)
    start = _random_pair(table, random.Random(7))
    kept = start.copy()
    run = polisher(table, max_evaluations=10**5)
    a, b = run(start), run(start)
    assert np.array_equal(start, kept)
    assert np.array_equal(a.state, b.state)
    assert (a.cost, a.evaluations, a.passes) == (b.cost, b.evaluations, b.passes)


def test_memetic_ladder_is_legal_reproducible_and_thread_independent() -> None:
    problem = _random_problem(5, outline=False)
    table = FootprintTable.of(problem)
    n = len(table)
    run = polisher(table, max_evaluations=2 * n**3)
    calls: list[int] = []

    def intensify(state: np.ndarray) -> tuple[np.ndarray, float, int]:
        got = run(state)
        calls.append(got.evaluations)
        return got.state, got.cost, got.evaluations

    def once(threads: int):
        return anneal(
            table,
            shelf_pair(table, 60, list(range(n))),
            seed=3,
            budget_s=0.05,
            deterministic=True,
            replicas=4,
            threads=threads,
            neighbourhood=SEQUENCE_PAIR,
            intensify=intensify,
            intensify_every=2,
        )

    a, b = once(1), once(2)
    assert calls  # it ran
    assert (a.xs, a.ys, a.rots, a.moves) == (b.xs, b.ys, b.rots, b.moves)
    # The best the ladder reports is the state it kept (a polished one, when it won).
    assert _legal(problem, table, a.tree) == pytest.approx(a.cost)
