"""LNS at scale: local sub-models (frozen blocks outside the window left out), bands beyond
a cut, windows at empty space, compaction after each move; every packing checked."""

from __future__ import annotations

import random

import pytest

from layoutopt.engine import Block, Packing, PackProblem, PlacedBlock, cpsat_pack, lns
from layoutopt.engine.btree import compile_kernels
from layoutopt.engine.check import packing_violations
from layoutopt.engine.clock import Clock
from layoutopt.engine.lns import (
    _annealed_band,
    _hole_point,
    _neighbourhood,
    _window,
    lns_from_starts,
)
from layoutopt.engine.pack import constructive
from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.skyline import skyline_best_fit
from layoutopt.model import Rect


def _random_blocks(seed: int, n: int) -> tuple[Block, ...]:
    rng = random.Random(seed)
    return tuple(Block(f"R{i}", rng.randint(5, 60), rng.randint(5, 60)) for i in range(n))


def test_frozen_blocks_outside_the_window_still_bound_the_box() -> None:
    # F1 and F2 do not meet the window (F2 only touches it): they are left out of the
    # model, yet the box (and so the area) still holds them, and they stay where they are.
    blocks = (Block("A", 10, 10), Block("B", 10, 10), Block("F1", 30, 20), Block("F2", 20, 50))
    problem = PackProblem(blocks)
    hint = Packing(
        (
            PlacedBlock("A", 0, 0),
            PlacedBlock("B", 20, 0),
            PlacedBlock("F1", 0, 30),
            PlacedBlock("F2", 40, 0),
        ),
        60,
        50,
    )
    window = Rect(0, 0, 40, 20)
    result = cpsat_pack(
        problem, hint=hint, fixed=["F1", "F2"], window=window, time_limit_s=5, workers=1
    )
    assert result.packing is not None
    where = result.packing.by_id()
    assert all(where[f] == hint.by_id()[f] for f in ("F1", "F2"))
    assert (result.packing.width_um, result.packing.length_um) == (60, 50)
    for bid in ("A", "B"):
        assert 0 <= where[bid].x_um and where[bid].x_um + 10 <= 40
        assert 0 <= where[bid].y_um and where[bid].y_um + 10 <= 20
    assert packing_violations(problem, result.packing) == ()


def test_a_frozen_block_meeting_the_window_is_kept_in_the_model() -> None:
    # W sits inside the window: the free block must go around it.
    blocks = (Block("A", 10, 10), Block("W", 10, 10))
    problem = PackProblem(blocks)
    hint = Packing((PlacedBlock("A", 10, 0), PlacedBlock("W", 0, 0)), 20, 10)
    result = cpsat_pack(
        problem,
        hint=hint,
        fixed=["W"],
        window=Rect(0, 0, 20, 10),
        time_limit_s=5,
        workers=1,
        objective="none",
        gravity=True,
    )
    assert result.packing is not None
    assert packing_violations(problem, result.packing) == ()
    assert result.packing.by_id()["A"].x_um == 10


def test_a_band_frees_every_block_beyond_its_cut() -> None:
    problem = PackProblem(_random_blocks(3, 40))
    packing = constructive(problem, 0)
    table = FootprintTable.of(problem)
    xs, ys, _ = table.from_packing(problem, packing)
    for kind, low in ((0, ys), (1, xs)):
        free = _neighbourhood(packing, table, problem, random.Random(0), 8, kind)
        cut = min(low[i] for i in free)
        assert len(free) >= 8
        assert free == {i for i in range(40) if low[i] >= cut}
        window = _window(packing, table, problem, free, kind)
        assert window is not None and (window.y_um if kind == 0 else window.x_um) == cut


def test_the_hole_point_lies_in_empty_space() -> None:
    # Two blocks side by side under a box twice as tall: the top half is the hole.
    blocks = (Block("A", 10, 10), Block("B", 10, 20))
    problem = PackProblem(blocks)
    packing = Packing((PlacedBlock("A", 0, 0), PlacedBlock("B", 10, 0)), 20, 20)
    table = FootprintTable.of(problem)
    corners = table.from_packing(problem, packing)
    rng = random.Random(1)
    for _ in range(20):
        x, y = _hole_point(packing, table, corners, rng)
        assert 0 <= x < 10 and 10 <= y < 20


@pytest.mark.parametrize("seed", [0, 1])
def test_lns_at_scale_is_legal_never_worse_and_reproducible(seed: int) -> None:
    problem = PackProblem(_random_blocks(seed, 60), spacing_um=seed)
    start = constructive(problem, seed)
    first = lns(problem, start, time_limit_s=0.25, seed=seed, workers=1)
    again = lns(problem, start, time_limit_s=0.25, seed=seed, workers=1)
    assert packing_violations(problem, first) == ()
    assert first.area_um2 <= start.area_um2
    assert first == again


def test_the_annealed_band_lowers_a_large_packing_legally() -> None:
    # From 150 blocks a stalled LNS hands the band beyond a cut to the annealer.
    problem = PackProblem(_random_blocks(5, 160), spacing_um=1)
    table = FootprintTable.of(problem)
    start = constructive(problem, 0)
    runs = [
        _annealed_band(
            problem, table, start, random.Random(3), False, 1, Clock(5, deterministic=True), 5
        )
        for _ in range(2)
    ]
    got = runs[0]
    assert got is not None and got == runs[1]
    assert packing_violations(problem, got) == ()
    assert got.length_um < start.length_um and got.width_um <= start.width_um


def test_lns_from_150_blocks_is_legal_never_worse_and_reproducible() -> None:
    problem = PackProblem(_random_blocks(7, 150))
    start = constructive(problem, 0)
    first = lns(problem, start, time_limit_s=0.3, seed=1, workers=1)
    assert packing_violations(problem, first) == ()
    assert first.area_um2 <= start.area_um2
    assert first == lns(problem, start, time_limit_s=0.3, seed=1, workers=1)


def test_lns_from_several_starts_is_legal_no_worse_than_its_best_start_and_reproducible() -> None:
    compile_kernels()  # the annealed band's, before the clock's wall guard starts
    problem = PackProblem(_random_blocks(11, 150), spacing_um=1)
    table = FootprintTable.of(problem)
    order = sorted(range(150), key=lambda i: (-problem.blocks[i].area_um2, i))
    starts = []
    for width in (330, 360, 400):  # three strip widths: three different starts
        got = skyline_best_fit(table, width, order)
        assert got is not None
        starts.append(table.to_packing(problem, *got[:3]))
    first = lns_from_starts(problem, starts, time_limit_s=0.3, seed=2, workers=1)
    assert packing_violations(problem, first) == ()
    assert first.area_um2 <= min(p.area_um2 for p in starts)
    assert first == lns_from_starts(problem, starts, time_limit_s=0.3, seed=2, workers=1)
