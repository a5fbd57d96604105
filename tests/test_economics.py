"""Yield and cost: the open cost models' own numbers (domain_data.md §11) and the report."""

from __future__ import annotations

import pytest

from layoutopt.design_file import load_design
from layoutopt.economics import Corner, cost_report, load_inputs
from layoutopt.economics.yields import (
    compound_yield,
    cost_per_good_die_usd,
    gross_dies_per_wafer,
    kgd_good_fraction,
    negative_binomial_yield,
)
from layoutopt.errors import LibraryError
from layoutopt.model import Rect
from layoutopt.thermal.samples import stack_layout


def test_negative_binomial_yield_of_a_100_mm2_die():
    # §11.1 UCLA: D0 0.0007 /mm² (0.07 /cm²), CAR 0.6, alpha 2 -> 0.9593.
    assert round(negative_binomial_yield(100.0, 0.07, 2.0, critical_area_ratio=0.6), 4) == 0.9593
    # §11.1 Chiplet Actuary, 5 nm: D0 0.11 /cm², alpha 10 -> 0.8964.
    assert round(negative_binomial_yield(100.0, 0.11, 10.0), 4) == 0.8964


def test_cost_per_good_die_at_5nm():
    # §11.1: 100 mm² at 5 nm ($16,988 wafer): 571.7 gross, 512.5 good; $29.71 raw, $33.15/KGD.
    gross = gross_dies_per_wafer(100.0)
    y = negative_binomial_yield(100.0, 0.11, 10.0)
    assert round(gross, 1) == 571.7
    assert round(gross * y, 1) == 512.5
    assert round(16988.0 / gross, 2) == 29.71
    assert round(cost_per_good_die_usd(16988.0, 100.0, y), 2) == 33.15


@pytest.mark.parametrize(
    ("y", "printed"),
    [(0.99, (92.3, 88.6, 85.2)), (0.995, (96.1, 94.2, 92.3)), (0.999, (99.2, 98.8, 98.4))],
)
def test_stack_yield_table(y, printed):
    # §11.2 '-> stack yield y^N': 8-Hi, 12-Hi, 16-Hi, to the printed 0.1 %. (0.99^16 is
    # 85.146 %: the table's 85.2 rounds up; every other entry matches when rounded.)
    for n, value in zip((8, 12, 16), printed, strict=True):
        assert 100 * compound_yield([y] * n) == pytest.approx(value, abs=0.06)


def test_kgd_screening():
    assert kgd_good_fraction(0.9, 1.0) == 1.0
    assert kgd_good_fraction(0.9, 0.0) == pytest.approx(0.9)
    # A test that misses bad dies makes each passed die cheaper but less often good.
    full = cost_per_good_die_usd(2000.0, 50.0, 0.9, coverage=1.0)
    partial = cost_per_good_die_usd(2000.0, 50.0, 0.9, coverage=0.5)
    assert partial < full


def test_estimates_have_ranges_and_corners_order_them():
    inputs = load_inputs()
    for item in inputs:
        assert item.source, item.key
        if item.confidence == "E":
            assert item.low is not None and item.high is not None and item.worse, item.key
    nominal, best, worst = (inputs.values(c) for c in Corner)
    assert (
        worst["bonding.tc_ncf.yield"]
        < nominal["bonding.tc_ncf.yield"]
        < best["bonding.tc_ncf.yield"]
    )
    assert worst["technologies.nand.wafer_cost_usd"] > best["technologies.nand.wafer_cost_usd"]
    # Sourced values do not move with the corner.
    assert (
        worst["technologies.logic_5nm.wafer_cost_usd"]
        == best["technologies.logic_5nm.wafer_cost_usd"]
    )


def _hbm(name: str):
    design = load_design(f"designs/{name}.yaml")
    ids = ["BASE0"] + [f"CORE{i}" for i in range(12)]
    return design, stack_layout(design, Rect(0, 0, 11000, 10000), [[(i, 0, 0) for i in ids]])


def test_tc_ncf_compounds_one_thermocompression_bond_per_core_die():
    design, layout = _hbm("hbm_12hi_tc_ncf")
    report = cost_report(design, layout)
    processes = [b.process for b in report.bonds]
    assert processes == ["tc_ncf"] * 12  # the base die is the carrier wafer
    assert report.assembly_yield == pytest.approx(0.99**12)
    assert report.capacity_gb == 36.0  # 12 x 24 Gb (§3.5)


def test_mr_muf_places_each_die_and_reflows_and_molds_the_stack_once():
    design, layout = _hbm("hbm_12hi_mr_muf")
    report = cost_report(design, layout)
    assert [b.process for b in report.bonds] == ["mr_muf"] * 12 + ["mass reflow + molded underfill"]
    assert report.assembly_yield == pytest.approx(0.998**12 * 0.995)


def test_report_is_consistent_and_cites_every_input():
    design, layout = _hbm("hbm_12hi_mr_muf")
    report = cost_report(design, layout)
    total = sum(row["usd"] for row in report.lines())
    assert total == pytest.approx(report.cost_started_usd)
    assert report.cost_per_good_usd == pytest.approx(report.cost_started_usd / report.package_yield)
    low, high = report.yield_band
    assert low <= report.package_yield <= high
    best, worst = report.cost_band_usd
    assert best <= report.cost_per_good_usd <= worst
    keys = {i.key for i in report.inputs}
    assert "technologies.dram_tsv.extra_wafer_cost_usd" in keys
    assert all(i.source for i in report.inputs)


def test_a_better_input_makes_the_package_cheaper():
    design, layout = _hbm("hbm_12hi_tc_ncf")
    base = cost_report(design, layout)
    better = cost_report(design, layout, load_inputs().replace(bonding__tc_ncf__yield=0.999))
    assert better.package_yield > base.package_yield
    assert better.cost_per_good_usd < base.cost_per_good_usd


def test_unknown_bond_line_fill_is_a_clear_error():
    from dataclasses import replace

    design, layout = _hbm("hbm_12hi_tc_ncf")
    odd = replace(design, rules=replace(design.rules, bond_line_material="daf"))
    with pytest.raises(LibraryError, match="filled with 'daf'"):
        cost_report(odd, layout)


def test_objective_cost_ranks_families_by_cost_per_good_package():
    from fractions import Fraction

    from layoutopt.design_file import design_from_text
    from layoutopt.pipeline import best_of
    from layoutopt.solver import SolveOptions, solve
    from layoutopt.solver.objective import rank_key

    text = """
name: glasses_cost
process: epop
alternatives: [sip]
dies:
  - part: lpddr4x_16gb
  - part: nand_tlc_512gb
envelope: {outline: {width: "14 mm", length: "14 mm"}, max_thickness: "0.8 mm"}
objective: {mode: cost}
"""
    design = design_from_text(text)
    variants = design.variants()
    options = SolveOptions(time_limit_s=10, workers=1, seed=0, thermal=False)
    results = tuple(solve(v, options) for v in variants)
    solved = [(v, r) for v, r in zip(variants, results, strict=True) if r.layout is not None]
    assert len(solved) == 2
    costs = [cost_report(v, r.layout).cost_per_good_usd for v, r in solved]
    for (v, r), usd in zip(solved, costs, strict=True):
        assert rank_key(v, r.layout)[0] == Fraction(usd)
    best = best_of(variants, results)
    assert costs[best] == min(costs)
