"""Rich notebook display: HTML summaries and pandas tables, built from committed layouts."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from IPython.core.formatters import HTMLFormatter

from layoutopt.display import (
    comparison_frame,
    comparison_html,
    key_numbers,
    register,
    result_frame,
    result_html,
    thermal_frame,
    thermal_html,
)
from layoutopt.layout_io import LayoutRecord, read_layout
from layoutopt.pipeline import FamilyComparison
from layoutopt.solver import SolveResult, SolveStatus
from layoutopt.thermal.report import DieTemperature, ThermalReport

LAYOUTS = Path(__file__).parent / "data" / "layouts"


@pytest.fixture(scope="module")
def record() -> LayoutRecord:
    return read_layout(LAYOUTS / "epop.json")


def _html(value: object) -> str:
    """What a notebook shows: IPython's HTML formatter, registered by the display side."""
    formatter = HTMLFormatter()
    register(formatter)
    html = formatter(value)
    assert isinstance(html, str)
    return html


def _solved(record: LayoutRecord) -> SolveResult:
    return SolveResult(
        SolveStatus.OPTIMAL, layout=record.layout, thermal=record.thermal,
        design=record.design, time_s=0.25,
    )  # fmt: skip


def _infeasible(record: LayoutRecord) -> SolveResult:
    return SolveResult(
        SolveStatus.INFEASIBLE,
        explanation=("stack height 700 um > limit <600 um>", "the envelope outline"),
        design=record.design,
    )


def test_result_html_shows_status_numbers_and_both_drawings(record: LayoutRecord) -> None:
    html = _html(_solved(record))
    assert "optimal" in html and record.design.name in html
    assert f"{record.layout.footprint_um2 / 1e6:g}" in html
    assert html.count("<svg") == 2  # top view and section
    assert "TOP VIEW" in html and "SECTION A" in html
    assert "<?xml" not in html  # an XML declaration is invalid inside HTML


def test_result_html_of_an_infeasible_result_explains_escaped(record: LayoutRecord) -> None:
    html = result_html(_infeasible(record))
    assert "infeasible" in html and "Why:" in html
    assert "limit &lt;600 um&gt;" in html  # escaped, not markup
    assert "<svg" not in html


def test_result_html_flags_a_broken_thickness_limit(record: LayoutRecord) -> None:
    low = replace(record.design, envelope=replace(record.design.envelope, max_thickness_um=500))
    flagged = result_html(replace(_solved(record), design=low))
    within = result_html(_solved(record))
    assert flagged.count("color:#cf222e") > within.count("color:#cf222e")


def test_key_numbers_carry_units_and_none_when_unknown(record: LayoutRecord) -> None:
    solved = key_numbers(_solved(record))
    assert solved["thickness_um"] == record.layout.thickness_um
    assert solved["max_thickness_um"] == record.design.envelope.max_thickness_um
    assert solved["peak_junction_c"] == pytest.approx(record.thermal.peak_junction_c, abs=0.01)
    failed = key_numbers(_infeasible(record))
    assert failed["status"] == "infeasible" and failed["footprint_mm2"] is None


def test_result_frame_has_one_row_per_die_with_temperatures(record: LayoutRecord) -> None:
    frame = result_frame(_solved(record))
    assert sorted(frame["die"]) == sorted(p.die_id for p in record.layout.placements)
    hottest = frame.loc[frame["max_c"].idxmax(), "die"]
    assert hottest == record.thermal.hottest_die_id
    top = frame["z_top_um"] - frame["z_bottom_um"]
    assert (top == frame["thickness_um"]).all()


def test_result_frame_is_empty_with_columns_without_a_layout(record: LayoutRecord) -> None:
    frame = result_frame(_infeasible(record))
    assert frame.empty and "die" in frame.columns


def test_thermal_html_marks_the_die_over_its_limit() -> None:
    report = ThermalReport(
        model="compact", ambient_c=35.0, top_surface_c=44.0, skin_c=44.5, max_skin_c=43.0,
        dies=(DieTemperature("DRAM0", 60.0, 58.0, 85.0), DieTemperature("CTRL0", 90.0, 80.0, 85.0)),
    )  # fmt: skip
    html = _html(report)
    assert "die CTRL0: junction 90.0 °C &gt; limit 85.0 °C" in html
    assert "skin 44.5 °C &gt; limit 43.0 °C" in html
    frame = thermal_frame(report)
    assert frame["ok"].tolist() == [True, False]
    assert frame["margin_c"].tolist() == [25.0, -5.0]
    assert thermal_html(replace(report, dies=report.dies[:1], skin_c=40.0)).count("cf222e") == 0


def test_record_html_shows_drawings_and_temperatures(record: LayoutRecord) -> None:
    html = _html(record)
    assert html.count("<svg") == 2
    assert "margin °C" in html  # the thermal table of the record


def test_comparison_frame_and_html_show_every_family(record: LayoutRecord) -> None:
    sip = read_layout(LAYOUTS / "sip.json")
    comparison = FamilyComparison(
        record.design,
        (record.design, sip.design, sip.design),
        (_solved(record), _solved(sip), _infeasible(sip)),
    )
    frame = comparison_frame(comparison)
    assert frame["status"].tolist() == ["optimal", "optimal", "infeasible"]
    assert frame["best"].sum() == 1
    html = comparison_html(comparison)
    assert html.count("<figure") == 2  # the infeasible family has no drawing
    assert "(best)" in html


def test_core_modules_do_not_import_rendering() -> None:
    code = (
        "import sys, layoutopt.solver, layoutopt.layout_io, layoutopt.thermal.report;"
        "print(sorted(m for m in sys.modules if m.startswith(('layoutopt.render', "
        "'layoutopt.display'))))"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
    )  # fmt: skip
    assert out.stdout.strip() == "[]"


def test_a_notebook_shows_results_as_html_without_the_core_knowing(tmp_path: Path) -> None:
    # The core values carry no presentation; importing layoutopt inside IPython registers
    # the display side's formatters with the running shell.
    assert not hasattr(SolveResult, "_repr_html_") and not hasattr(ThermalReport, "_repr_html_")
    code = (
        "from IPython.core.interactiveshell import InteractiveShell;"
        "shell = InteractiveShell.instance();"
        "import layoutopt;"
        "from layoutopt.thermal.report import ThermalReport;"
        "html = shell.display_formatter.formatters['text/html'];"
        "print('layoutopt-thermal' in html(ThermalReport('compact', 25.0, (), 30.0)))"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert out.stdout.strip().splitlines()[-1] == "True"
