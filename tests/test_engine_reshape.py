"""The annealed band: the blocks beyond a cut re-packed a step lower over a ragged floor,
the frozen blocks as obstacles; every packing checked."""

from __future__ import annotations

import random

import pytest

from layoutopt.engine import Block, Packing, PackProblem, PlacedBlock
from layoutopt.engine.check import packing_violations
from layoutopt.engine.pack import constructive
from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.reshape import anneal_band


def _pocket(transposed: bool) -> tuple[PackProblem, Packing]:
    """Frozen A (4 x 1) and B (4 x 2) side by side, so a pocket 4 x 1 lies over A; the band
    C (8 x 1) on top and D (4 x 1) on C: 4 high, where D in the pocket leaves 3."""
    sizes = {"A": (4, 1), "B": (4, 2), "C": (8, 1), "D": (4, 1)}
    corners = {"A": (0, 0), "B": (4, 0), "C": (0, 2), "D": (0, 3)}
    if transposed:
        sizes = {k: (h, w) for k, (w, h) in sizes.items()}
        corners = {k: (y, x) for k, (x, y) in corners.items()}
    problem = PackProblem(tuple(Block(k, *sizes[k], rotatable=False) for k in sizes))
    placed = tuple(PlacedBlock(k, *corners[k]) for k in sizes)
    width, length = (4, 8) if transposed else (8, 4)
    return problem, Packing(placed, width, length)


@pytest.mark.parametrize("right", [False, True])
def test_the_band_goes_down_into_a_pocket_below_its_cut(right: bool) -> None:
    problem, packing = _pocket(transposed=right)
    table = FootprintTable.of(problem)
    corners = table.from_packing(problem, packing)
    moved, moves = anneal_band(
        table,
        corners,
        {2, 3},
        right=right,
        step_um=1,
        budget_s=0.05,
        seeds=[0],
        deterministic=True,
    )
    assert moved is not None and moves > 0
    got = table.to_packing(problem, moved.xs, moved.ys, moved.rots)
    assert packing_violations(problem, got) == ()
    assert (got.width_um, got.length_um) == ((3, 8) if right else (8, 3))
    where, before = got.by_id(), packing.by_id()
    assert where["A"] == before["A"] and where["B"] == before["B"]  # frozen stay put


def test_a_band_that_cannot_go_lower_is_refused() -> None:
    problem, packing = _pocket(transposed=False)
    table = FootprintTable.of(problem)
    corners = table.from_packing(problem, packing)
    # Two units lower leaves 1 above the pocket's floor: C and D cannot both fit.
    moved, _ = anneal_band(
        table,
        corners,
        {2, 3},
        right=False,
        step_um=2,
        budget_s=0.05,
        seeds=[0],
        deterministic=True,
    )
    assert moved is None
    moved, moves = anneal_band(
        table,
        corners,
        {2, 3},
        right=False,
        step_um=4,
        budget_s=0.05,
        seeds=[0],
        deterministic=True,
    )
    assert moved is None and moves == 0  # no room at all: not even tried


@pytest.mark.parametrize("seed", [0, 1])
def test_annealed_bands_at_scale_are_legal_and_reproducible(seed: int) -> None:
    rng = random.Random(seed)
    blocks = tuple(Block(f"R{i}", rng.randint(5, 60), rng.randint(5, 60)) for i in range(80))
    problem = PackProblem(blocks, spacing_um=seed)
    table = FootprintTable.of(problem)
    packing = constructive(problem, seed)
    corners = table.from_packing(problem, packing)
    for right in (False, True):
        low = corners[0] if right else corners[1]
        cut = sorted(low, reverse=True)[24]
        free = {i for i in range(80) if low[i] >= cut}
        runs = [
            anneal_band(
                table,
                corners,
                free,
                right=right,
                step_um=1,
                budget_s=0.02,
                seeds=[seed],
                deterministic=True,
            )
            for _ in range(2)
        ]
        assert runs[0] == runs[1]
        moved = runs[0][0]
        if moved is not None:
            got = table.to_packing(problem, moved.xs, moved.ys, moved.rots)
            assert packing_violations(problem, got) == ()
            side = (got.width_um, packing.width_um) if right else (got.length_um, packing.length_um)
            assert side[0] < side[1]
