"""The smart-glasses ePOP on its host SoC (layoutopt.glasses)."""

from __future__ import annotations

from pathlib import Path

import pytest

from layoutopt.design_file import load_design
from layoutopt.glasses import AR1_HOST, host_answers, on_host
from layoutopt.solver import SolveOptions, solve
from layoutopt.thermal import thermal_check

DESIGN = Path(__file__).resolve().parents[1] / "designs" / "smart_glasses_epop.yaml"


@pytest.fixture(scope="module")
def shipped():
    design = load_design(DESIGN)
    return design, solve(design, SolveOptions(thermal=False, workers=1, seed=0)).layout


def test_the_host_replaces_the_soc_beside_and_keeps_its_workloads(shipped) -> None:
    design, _ = shipped
    hosted = on_host(design)
    assert [s.name for s in hosted.thermal.sources] == []
    assert [b.name for b in hosted.thermal.bodies] == ["soc"]
    capture = hosted.thermal.workload("camera").phases[1]
    assert capture.source_power_of("soc", 0.0) == pytest.approx(1.5)


def test_energy_balance_on_the_host(shipped) -> None:
    design, layout = shipped
    report = thermal_check(on_host(design), layout, model="fv3d", lateral_step_um=400)
    dies_w = sum(d.power_w for d in design.dies)
    assert report.total_power_w == pytest.approx(dies_w + AR1_HOST.power_w)
    assert sum(f.heat_w for f in report.heat_out) == pytest.approx(report.total_power_w, rel=1e-4)


def test_the_host_under_heats_the_package_more_than_beside(shipped) -> None:
    design, layout = shipped
    cases = {a.case: a for a in host_answers(design, layout, step_um=400)}
    hosted, beside = cases["on the host"], cases["SoC beside (shipped)"]
    off = cases["SoC beside (shipped), SoC off"]
    assert hosted.peak_junction_c > beside.peak_junction_c > off.peak_junction_c
    assert hosted.skin_c > beside.skin_c > off.skin_c
    # The host's body alone (0 W) conducts: it changes the answer little next to its power.
    body_only = cases["on the host, SoC off"]
    assert abs(body_only.peak_junction_c - off.peak_junction_c) < 0.25 * (
        hosted.peak_junction_c - off.peak_junction_c
    )
