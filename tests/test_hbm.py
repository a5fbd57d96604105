"""HBM stacks built to their standard heights (layoutopt.hbm): variants, the 16-high
decision from the bond line's structure, and the table's rows and bands."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from layoutopt.bondline import reflow_height_um
from layoutopt.design_file import load_design
from layoutopt.hbm import ESTIMATES, StackRow, stack_row, stack_variant, to_markdown
from layoutopt.library import load_library
from layoutopt.solver import SolveOptions, SolveStatus, solve

DESIGNS = Path(__file__).resolve().parents[1] / "designs"
FAST = SolveOptions(thermal=False, workers=1, seed=0, time_limit_s=10)


def _design(name: str = "hbm_12hi_mr_muf"):
    return load_design(DESIGNS / f"{name}.yaml")


def test_mass_reflowed_bond_lines_are_the_bumps_own_height() -> None:
    """No tuned constant: every MR-MUF process's bond line is its reflowed bump height."""
    lib = load_library()
    for name in ("hbm_mr_muf", "hbm4_mr_muf"):
        rules = lib.process(name).rules
        assert rules.bond_line_um == reflow_height_um(rules.bond_line_bumps), name
    assert lib.process("hbm_mr_muf").rules.bond_line_um == 17  # 25 um bumps, 16.1 um high
    assert lib.process("hbm4_mr_muf").rules.bond_line_um == 9  # 13 um bumps


@pytest.mark.parametrize(("count", "process", "height"), [(8, "hbm_mr_muf", 720),
                                                           (12, "hbm_mr_muf", 720),
                                                           (16, "hbm4_mr_muf", 775)])  # fmt: skip
def test_variants_take_their_generations_height(count: int, process: str, height: int) -> None:
    v = stack_variant(_design(), count)
    assert (v.rules.name, v.envelope.target_height_um, len(v.dies)) == (process, height, count + 1)
    gpu = v.thermal.bodies[0]
    assert gpu.name == "gpu" and gpu.height_um == height  # level with the stack's top


def test_shipped_stacks_are_built_to_720_um_and_8_high_takes_thicker_cores() -> None:
    cores = {}
    for count in (8, 12):
        layout = solve(stack_variant(_design(), count), FAST).layout
        assert layout is not None and layout.thickness_um == 720
        core = sorted(p.thickness_um for p in layout.placements if p.die_id.startswith("CORE"))
        cores[count] = core[0]
    assert cores == {8: 50, 12: 30}


def test_sixteen_high_mr_muf_at_775_um_is_decided_by_the_bump_size() -> None:
    """HBM3E's 25 um bumps reflow to a 17 um line: 60 + 16 x (17 + 30) = 812 > 775 um.
    HBM4's 13 um bumps reflow to 9 um: 60 + 16 x (9 + 30) = 684, built to 775 um."""
    v = stack_variant(_design(), 16)
    hbm3e = replace(v, rules=replace(v.rules, bond_line_um=17))
    assert solve(hbm3e, FAST).status is SolveStatus.INFEASIBLE
    result = solve(v, FAST)
    assert result.layout is not None and result.layout.thickness_um == 775
    tc = solve(stack_variant(_design("hbm_12hi_tc_ncf"), 16), FAST)
    assert tc.layout is not None and tc.layout.thickness_um == 775


def test_a_row_has_its_band_around_the_peak_and_the_gpus_share() -> None:
    fill = next(e for e in ESTIMATES if e.name == "bond-line fill k")
    row = stack_row(_design(), 8, options=FAST, estimates=(fill,))
    assert row.status in ("optimal", "feasible") and row.height_um == 720
    assert row.band_c is not None and row.peak_c is not None
    assert row.band_c[0] < row.peak_c < row.band_c[1]
    ((_, at_low_k, at_high_k),) = row.swings
    assert at_low_k > 0 > at_high_k  # a better fill runs cooler
    assert row.stack_band_c == row.band_c  # the fill is the stack's own estimate
    assert row.gpu_rise_k is not None and row.gpu_rise_k > 0
    table = to_markdown((row, StackRow("TC-NCF", 20, "infeasible", 775, 7, why=("too tall",))))
    assert "| MR-MUF 8-high | 17 | 720 (720) | 50 / " in table
    assert "| TC-NCF 20-high | 7 | infeasible: too tall |" in table
    assert row.stack_yield is not None and row.yield_band[0] <= row.stack_yield
