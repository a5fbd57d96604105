"""The scoring-rule skyline and its search over the sequence (scored_skyline.py)."""

from __future__ import annotations

import importlib
import random

import pytest

from layoutopt.engine import Block, PackProblem, packing_violations
from layoutopt.engine.clock import Clock
from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.scored_skyline import fitness, scored_skyline, search_sequence
from layoutopt.engine.skyline import skyline_best_fit

pack_module = importlib.import_module("layoutopt.engine.pack")


def _fixed(*sizes: tuple[int, int]) -> PackProblem:
    blocks = tuple(Block(f"B{i}", w, h, rotatable=False) for i, (w, h) in enumerate(sizes))
    return PackProblem(blocks)


def _random_problem(seed: int, n: int) -> PackProblem:
    rng = random.Random(seed)
    blocks = tuple(
        Block(
            f"B{i}",
            rng.randint(5, 60),
            rng.randint(5, 60),
            rotatable=rng.random() < 0.7,
            halo_um=rng.choice(((0, 0, 0, 0), (0, 0, 0, 0), (2, 1, 0, 3))),
        )
        for i in range(n)
    )
    return PackProblem(blocks, spacing_um=rng.choice((0, 3)))


def test_the_score_rule_ranks_fills_and_levels() -> None:
    # A gap 10 wide between walls 4 and 2 high; the narrowest other block is 3 wide.
    assert fitness(10, 4, 2, 10, 4, 3) == 4  # fills it, level with the taller wall
    assert fitness(10, 4, 2, 10, 2, 3) == 3  # fills it, level with the lower wall
    assert fitness(10, 4, 2, 10, 9, 3) == 2  # fills it
    assert fitness(10, 4, 2, 6, 4, 3) == 1  # level with the taller wall, room beside
    assert fitness(10, 4, 2, 6, 5, 3) == 0  # room for another block beside it
    assert fitness(10, 4, 2, 8, 4, 3) == -1  # 2 um beside it: dead space


def test_a_block_that_fits_the_gap_exactly_between_equal_walls_wins() -> None:
    # Strip 30 wide: A (10 x 10) goes left, B (10 x 10) beside the strip's edge, leaving
    # a gap 10 wide between two walls 10 high. C (7 x 3) comes first in the sequence but
    # D (10 x 10) fills the gap and levels with both walls: D goes there.
    problem = _fixed((10, 10), (10, 10), (7, 3), (10, 10))
    table = FootprintTable.of(problem)
    xs, ys, _, top, _ = scored_skyline(table, 30, [0, 1, 2, 3])  # type: ignore[misc]
    assert (xs[0], ys[0]) == (0, 0) and (xs[1], ys[1]) == (20, 0)
    assert (xs[3], ys[3]) == (10, 0)
    assert ys[2] == 10 and top == 13


def test_the_order_changes_the_packing_where_best_fit_would_not() -> None:
    # Two blocks that both fit the first gap and neither fills it: best-fit takes the
    # wider whatever the order; the scoring rule ties them and takes the earlier.
    problem = _fixed((12, 5), (8, 5))
    table = FootprintTable.of(problem)
    assert skyline_best_fit(table, 30, [0, 1]) == skyline_best_fit(table, 30, [1, 0])
    first = scored_skyline(table, 30, [0, 1])
    second = scored_skyline(table, 30, [1, 0])
    assert first is not None and second is not None
    assert first[0] == [0, 22] and second[0] == [18, 0]  # the second beside the edge


@pytest.mark.parametrize("seed", range(6))
def test_scored_packings_pass_the_checker(seed: int) -> None:
    problem = _random_problem(seed, 40)
    table = FootprintTable.of(problem)
    rng = random.Random(seed)
    sequence = list(range(len(table)))
    rng.shuffle(sequence)
    for width in (70, 150, 400):
        got = scored_skyline(table, width, sequence)
        assert got is not None
        xs, ys, rots, top, work = got
        packing = table.to_packing(problem, xs, ys, rots)
        assert packing_violations(problem, packing) == ()
        assert work > 0
        assert max(ys[i] + table.size(i, rots[i])[1] for i in range(len(table))) == top


def test_a_strip_narrower_than_a_block_packs_nothing() -> None:
    table = FootprintTable.of(_fixed((12, 5), (8, 5)))
    assert scored_skyline(table, 10, [0, 1]) is None
    assert search_sequence(table, 10, [0, 1], 100, 0).area_um2 == -1


def test_the_sequence_search_never_loses_and_repeats_with_its_seed() -> None:
    problem = _random_problem(7, 60)
    table = FootprintTable.of(problem)
    sequence = list(range(len(table)))
    width = 220
    _, _, _, top, per_packing = scored_skyline(table, width, sequence)  # type: ignore[misc]
    budget = 300 * per_packing
    found = search_sequence(table, width, sequence, budget, 5)
    again = search_sequence(table, width, sequence, budget, 5)
    other = search_sequence(table, width, sequence, budget, 6)
    assert found == again
    assert found.sequence != other.sequence
    assert sorted(found.sequence) == sequence
    assert budget <= found.work < budget + 2 * per_packing
    xs, ys, rots, top_found, _ = scored_skyline(table, width, list(found.sequence))  # type: ignore[misc]
    assert (list(found.xs), list(found.ys), list(found.turned)) == (xs, ys, rots)
    packing = table.to_packing(problem, xs, ys, rots)
    assert packing_violations(problem, packing) == ()
    right = max(xs[i] + table.size(i, rots[i])[0] for i in range(len(table)))
    assert found.area_um2 == right * top_found
    assert found.area_um2 <= width * top


def _greedy_stage(problem: PackProblem, seed: int) -> object:
    search = pack_module._Search(problem, Clock(2.0, deterministic=True), None)
    search.offer(pack_module.constructive(problem, seed, max_tries=4), "constructive")
    pack_module._greedy_restarts(search, 2.0, random.Random(seed))
    # The stage ends on its share of the budget, overrunning it by at most a packing.
    assert search.clock.elapsed_s() < pack_module._GREEDY_ONLY_SHARE * 2.0 + 0.01
    return search


def test_from_200_blocks_the_greedy_stage_searches_sequences_and_repeats() -> None:
    problem = _random_problem(3, 200)
    first, second = _greedy_stage(problem, 4), _greedy_stage(problem, 4)
    assert first.stats["sequence_search_rounds"] >= len(pack_module._SEARCH_WIDTHS)  # type: ignore[attr-defined]
    assert first.best == second.best  # type: ignore[attr-defined]
    assert first.starts == second.starts  # type: ignore[attr-defined]
    assert len(first.starts) >= 4  # type: ignore[attr-defined]
    # Small integer sides: blocks fill gaps exactly and the search is ahead after the probe.
    assert first.stats["greedy_after_probe"] == "scored-skyline"  # type: ignore[attr-defined]
    assert first.history[-1][2] == "scored-skyline"  # type: ignore[attr-defined]
    assert packing_violations(problem, first.best) == ()  # type: ignore[attr-defined]
    smaller = _random_problem(3, 199)
    assert "sequence_search_rounds" not in _greedy_stage(smaller, 4).stats  # type: ignore[attr-defined]


def test_where_the_probe_finds_best_fit_ahead_the_restarts_go_on() -> None:
    # Sides over 50-2,000 um with aspect ratios up to 40: no block fills a gap exactly,
    # the sequence search leaves holes and best-fit keeps the rest of the share.
    rng = random.Random(1)
    blocks = tuple(
        Block(f"B{i}", round(50 * 40 ** rng.random()), round(50 * 40 ** rng.random()))
        for i in range(200)
    )
    search = _greedy_stage(PackProblem(blocks), 0)
    assert search.stats["greedy_after_probe"] == "best-fit"  # type: ignore[attr-defined]
    assert search.history[-1][2] != "scored-skyline"  # type: ignore[attr-defined]
