"""The loop's refined window around a die (layoutopt.thermal.zoom) against the whole model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from layoutopt.model import ThermalSpec
from layoutopt.thermal.fv3d import field_report, solve_fv3d
from layoutopt.thermal.loop import LoopGrid, _check, _refined_grid
from layoutopt.thermal.power import die_power_share
from layoutopt.thermal.samples import epop_sample
from layoutopt.thermal.zoom import rise_at, window_max_c

LOOP = LoopGrid()


def test_the_window_reads_the_die_as_the_whole_refined_model_does() -> None:
    design, layout = epop_sample()
    _, coarse = _check(design, layout, LOOP.coarse, LOOP.coarse_error)
    grid = _refined_grid(LOOP.refined, layout, ("C0",))
    whole = field_report(design, solve_fv3d(design, layout, grid=grid))
    read = window_max_c(design, layout, "C0", grid, coarse)
    assert read is not None
    max_c, cells = read
    amb = design.thermal.ambient_c
    assert (max_c - amb) == pytest.approx(whole.die("C0").max_c - amb, rel=0.005)
    assert cells < whole.cells / 2


def test_the_window_is_refused_where_it_would_cut_what_it_cannot() -> None:
    spec = ThermalSpec(housing_thickness_um=800, housing_gap_um=300)
    design, layout = epop_sample(thermal=spec)
    _, coarse = _check(design, layout, LOOP.coarse, LOOP.coarse_error)
    grid = _refined_grid(LOOP.refined, layout, ("C0",))
    assert window_max_c(design, layout, "C0", grid, coarse) is None  # a housing gap


def test_a_die_cut_by_the_window_keeps_the_power_inside_it() -> None:
    design, layout = epop_sample()
    p = layout.placement("C0")
    assert design.die("C0").power_map == ((1.0, 1.0), (1.0, 3.0))  # rows south to north
    west = (p.x_um - 5000, p.y_um - 5000, p.x_um + p.width_um // 2, p.y_um + p.length_um + 5000)
    north = (p.x_um - 5000, p.y_um + p.length_um // 2, p.x_um + p.width_um + 5000, p.y_um + 9e4)
    assert die_power_share(design, layout, "C0", west) == pytest.approx(2 / 6)
    assert die_power_share(design, layout, "C0", north) == pytest.approx(4 / 6)
    uniform = replace(
        design,
        dies=tuple(replace(d, power_map=None) if d.id == "C0" else d for d in design.dies),
    )
    assert die_power_share(uniform, layout, "C0", west) == pytest.approx(0.5)


def test_the_coarse_field_is_read_in_air_as_its_nearest_solid() -> None:
    # Beside the package, above the board, there is no solid: the cut faces there take the
    # nearest solid cell's rise, not the ambient's.
    design, layout = epop_sample()
    _, coarse = _check(design, layout, LOOP.coarse, LOOP.coarse_error)
    pkg = layout.package
    above_board = np.array([[pkg.x_um - 300.0, pkg.y_um + 6000.0, 100.0]])
    assert np.isnan(coarse.temperature_c).any()
    assert rise_at(coarse, above_board)[0] > 0.5 * (coarse.temperature_c[..., 0].min() - 25.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_window_agrees_with_the_whole_model_wherever_the_controller_goes(seed: int) -> None:
    # The controller moved to random places beside the memory stack (measured on eight:
    # within 0.07 % of the whole model on the same refined grid, C0 and M1 both).
    design, layout = epop_sample()
    rng = np.random.default_rng(seed)
    c0 = layout.placement("C0")
    x = int(rng.integers(8150, 12000 - c0.width_um))
    y = int(rng.integers(0, 12000 - c0.length_um))
    moved = tuple(replace(p, x_um=x, y_um=y) if p.die_id == "C0" else p for p in layout.placements)
    layout = replace(layout, placements=moved)
    _, coarse = _check(design, layout, LOOP.coarse, LOOP.coarse_error)
    amb = design.thermal.ambient_c
    for die in ("C0", "M1"):
        grid = _refined_grid(LOOP.refined, layout, (die,))
        whole = field_report(design, solve_fv3d(design, layout, grid=grid)).die(die).max_c
        read = window_max_c(design, layout, die, grid, coarse)
        assert read is not None
        assert read[0] - amb == pytest.approx(whole - amb, rel=0.005), die
