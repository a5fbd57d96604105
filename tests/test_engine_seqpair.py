"""The compiled sequence-pair annealer: its decode against the textbook longest paths,
legal packings, the cost it reports, states kept consistent by every move, determinism.

Every answer goes through the independent checker (``packing_violations``).
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from test_engine_anneal import _footprint_area, _random_problem, _with_obstacles
from test_engine_pack import guillotine

from layoutopt.engine import PackProblem, packing_violations
from layoutopt.engine.btree import Neighbourhood, anneal
from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.seqpair import (
    SEQUENCE_PAIR,
    _decode,
    _perturb,
    anneal_pairs,
    compile_pair_kernels,
    shelf_pair,
)


def _random_pair(table: FootprintTable, rng: random.Random) -> np.ndarray:
    n = len(table)
    sp = np.zeros((5, n), dtype=np.int64)
    sp[0], sp[1] = rng.sample(range(n), n), rng.sample(range(n), n)
    sp[2, sp[0]] = np.arange(n)
    sp[3, sp[1]] = np.arange(n)
    sp[4] = [int(table.rotatable[i] and rng.random() < 0.5) for i in range(n)]
    return sp


def _reference_decode(sp: np.ndarray, table: FootprintTable) -> tuple[list[int], list[int]]:
    """The definition, written plainly (O(n^2) longest paths): a is left of b when it
    comes first in both sequences, below b when it comes later in G+ and earlier in G-."""
    n = len(table)
    pos = {int(b): i for i, b in enumerate(sp[0])}
    neg = {int(b): i for i, b in enumerate(sp[1])}
    size = [table.size(b, bool(sp[4, b])) for b in range(n)]
    xs, ys = [0] * n, [0] * n
    for b in sorted(range(n), key=pos.__getitem__):  # left-of edges go forward in G+
        xs[b] = max(
            (xs[a] + size[a][0] for a in range(n) if pos[a] < pos[b] and neg[a] < neg[b]),
            default=0,
        )
    for b in sorted(range(n), key=pos.__getitem__, reverse=True):  # below: later in G+
        ys[b] = max(
            (ys[a] + size[a][1] for a in range(n) if pos[a] > pos[b] and neg[a] < neg[b]),
            default=0,
        )
    return xs, ys


@pytest.mark.parametrize("seed", range(8))
def test_fenwick_decode_matches_the_definition(seed: int) -> None:
    compile_pair_kernels()
    rng = random.Random(seed)
    problem = _random_problem(seed, outline=False)
    table = FootprintTable.of(problem)
    sp = _random_pair(table, rng)
    n = len(table)
    widths = np.array(table.widths, dtype=np.int64).reshape(n, 2)
    heights = np.array(table.heights, dtype=np.int64).reshape(n, 2)
    xs, ys = np.empty(n, np.int64), np.empty(n, np.int64)
    w, h = _decode(sp, widths, heights, xs, ys, np.empty(n + 1, np.int64))
    ref_x, ref_y = _reference_decode(sp, table)
    assert (list(xs), list(ys)) == (ref_x, ref_y)
    size = [table.size(b, bool(sp[4, b])) for b in range(n)]
    assert w == max(ref_x[b] + size[b][0] for b in range(n))
    assert h == max(ref_y[b] + size[b][1] for b in range(n))


def test_every_move_keeps_two_permutations_and_their_inverses() -> None:
    compile_pair_kernels()
    problem = _random_problem(3, outline=False)
    table = FootprintTable.of(problem)
    n = len(table)
    sp = _random_pair(table, random.Random(0))
    turnable = np.array([i for i in range(n) if table.rotatable[i]], dtype=np.int64)
    state = np.array([12345], dtype=np.uint64)
    seen = set()
    for _ in range(2000):
        before = sp.copy()
        _perturb(sp, turnable, state)
        seen.add(tuple(int(r) for r in np.flatnonzero((sp != before).any(axis=1))))
        for row in (0, 1):
            assert sorted(sp[row]) == list(range(n))
            assert (sp[row + 2, sp[row]] == np.arange(n)).all()
        assert set(np.flatnonzero(sp[4])) <= set(turnable)
    assert {(4,), (0, 2), (1, 3), (0, 1, 2, 3)} <= seen  # every kind of move happened


def test_shelf_pair_decodes_to_shelves() -> None:
    problem = PackProblem(guillotine(2, 12, 120, 90))
    table = FootprintTable.of(problem)
    sp = shelf_pair(table, 130, list(range(len(table))))
    xs, ys = _reference_decode(sp, table)
    packing = table.to_packing(problem, xs, ys, [bool(r) for r in sp[4]])
    assert packing_violations(problem, packing) == ()
    assert max(x + table.size(b, bool(sp[4, b]))[0] for b, x in enumerate(xs)) <= 130


@pytest.mark.parametrize("seed", range(8))
def test_every_annealed_pair_is_legal_and_costed_as_its_box(seed: int) -> None:
    problem = _random_problem(seed, outline=seed % 2 == 1)
    table = FootprintTable.of(problem)
    start = shelf_pair(table, math.isqrt(2 * problem.block_area_um2), list(range(len(table))))
    result = anneal(
        table,
        start,
        seed=seed,
        budget_s=0.05,
        deterministic=True,
        replicas=1 + 3 * (seed % 2),
        neighbourhood=SEQUENCE_PAIR,
    )
    packing = table.to_packing(problem, result.xs, result.ys, result.rots)
    bad = packing_violations(problem, packing)
    if problem.outline_um is not None:  # overflowing the outline is a cost, not illegal
        bad = tuple(v for v in bad if "outside the outline" not in v)
    assert bad == ()
    if problem.outline_um is None:
        s = problem.spacing_um
        assert result.cost == pytest.approx(
            (result.width - s) * (result.height - s) / _footprint_area(table)
        )


def test_pair_ladder_is_reproducible_and_thread_independent() -> None:
    problem = PackProblem(guillotine(8, 18, 160, 120))
    table = FootprintTable.of(problem)
    start = shelf_pair(table, 200, list(range(len(table))))
    runs = [
        anneal_pairs(table, start, [3], budget_s=0.03, deterministic=True, replicas=5, threads=t)
        for t in (1, 2, 1)
    ]
    assert runs[0] == runs[1] == runs[2]
    other = anneal_pairs(table, start, [4], budget_s=0.03, deterministic=True, replicas=5)
    assert other.moves == runs[0].moves
    assert (other.xs, other.rots) != (runs[0].xs, runs[0].rots)


def test_pair_annealing_finds_near_perfect_packings() -> None:
    # 25 blocks cut from a 300 x 200 rectangle: 0 % dead space exists.
    problem = PackProblem(guillotine(11, 25, 300, 200))
    table = FootprintTable.of(problem)
    start = shelf_pair(table, 350, list(range(len(table))))
    result = anneal(
        table, start, seed=0, budget_s=0.1, deterministic=True, neighbourhood=SEQUENCE_PAIR
    )
    assert 1 - problem.block_area_um2 / (result.width * result.height) < 0.08


def test_obstacles_are_refused() -> None:
    problem = _with_obstacles(_random_problem(1, outline=True), 1)
    table = FootprintTable.of(problem)
    start = shelf_pair(table, problem.outline_um[0], list(range(len(table))))  # type: ignore[index]
    with pytest.raises(ValueError, match="obstacles"):
        anneal_pairs(table, start, [0], budget_s=0.01, deterministic=True)


def test_neighbourhoods_are_values() -> None:
    assert isinstance(SEQUENCE_PAIR, Neighbourhood)
    assert SEQUENCE_PAIR.name == "sequence-pair"


PACK_DIGEST = """
import hashlib, sys
sys.path.insert(0, "tests")
from test_engine_pack import guillotine
from layoutopt.engine import PackProblem
from layoutopt.engine.pack import pack
result = pack(PackProblem(guillotine(4, int(sys.argv[1]), 240, 160)), time_limit_s=0.5, seed=3, workers=1)
print(result.stats.get("anneal_encoding"), hashlib.sha256(repr(result.packing).encode()).hexdigest())
"""


def test_pack_anneals_pairs_where_set_legal_and_the_same_in_any_process() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from layoutopt.engine.pack import _PAIR_BLOCKS, pack

    lo, hi = _PAIR_BLOCKS
    n = max(lo, 12)
    assert lo <= n <= hi  # the sequence pair is on for some sizes
    problem = PackProblem(guillotine(4, n, 240, 160))
    result = pack(problem, time_limit_s=0.5, seed=3, workers=1)
    assert result.stats["anneal_encoding"] == "sequence-pair"
    assert result.packing is not None and packing_violations(problem, result.packing) == ()
    outline = PackProblem(problem.blocks, outline_um=(400, 400), minimize_area=True)
    assert "anneal_encoding" not in pack(outline, time_limit_s=0.3, seed=3, workers=1).stats
    root = Path(__file__).resolve().parents[1]
    outs = []
    for hash_seed in ("1", "99"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env.update(PYTHONHASHSEED=hash_seed, PYTHONPATH=str(root))
        done = subprocess.run(
            [sys.executable, "-c", PACK_DIGEST, str(n)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        outs.append(done.stdout)
    assert outs[0] == outs[1]
    assert outs[0].startswith("sequence-pair ")
