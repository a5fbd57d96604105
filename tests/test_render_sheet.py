"""The drawing sheet as a package review reads it: every shipped design's sheet has no two
labels on each other, two sections that show what matters, dimensions and datums, one
exaggeration, a title block that identifies the drawing, and thermal numbers that agree."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from layoutopt.assess import assess
from layoutopt.layout_io import read_layout
from layoutopt.render import to_svg_sheet, to_svg_top
from layoutopt.render.labels import overlapping_texts, walk_texts
from layoutopt.render.section import Cut, _span, choose_cuts, column_rows
from layoutopt.render.sheet import build_sheet, sheet_info
from layoutopt.render.style import MIN_LABEL_PX, VERTICAL_EXAGGERATION
from layoutopt.render.thermal_map import peak_junction
from layoutopt.render.top import build_top_view, die_name, stack_lines

DATA = Path(__file__).parent / "data" / "layouts"
SHIPPED = sorted((DATA / "shipped").glob("*.json"))
GOLDEN = sorted(DATA.glob("*.json"))
SVG = "{http://www.w3.org/2000/svg}"


def synthetic_field(layout, n: int = 24):
    """A smooth field over the package and 2 mm of board, hottest over the first die."""
    pkg = layout.package
    xe = np.linspace(pkg.x_um - 2000, pkg.x_max_um + 2000, n + 1)
    ye = np.linspace(pkg.y_um - 2000, pkg.y_max_um + 2000, n + 1)
    ze = np.linspace(-500, layout.thickness_um, 8)
    xc, yc, zc = ((e[1:] + e[:-1]) / 2 for e in (xe, ye, ze))
    x, y, z = np.meshgrid(xc, yc, zc, indexing="ij")
    p = layout.placements[0]
    hx, hy = p.x_um + p.width_um / 2, p.y_um + p.length_um / 2
    t = 30 + 20 * np.exp(-((x - hx) ** 2 + (y - hy) ** 2) / 8e6) + z / 500
    return SimpleNamespace(x_edges_um=xe, y_edges_um=ye, z_edges_um=ze, temperature_c=t)


@pytest.mark.parametrize("path", SHIPPED + GOLDEN, ids=lambda p: p.stem)
def test_no_two_labels_overlap_on_the_sheet(path: Path) -> None:
    rec = read_layout(path)
    field = synthetic_field(rec.layout) if rec.thermal is not None else None
    warpage = rec.warpage  # the sheet's warpage plot too, as solve writes it
    if warpage is None and rec.design.materials:
        warpage = assess(rec.design, rec.layout).warpage
    sheet = build_sheet(rec.design, rec.layout, rec.thermal, rec.solver, field, warpage=warpage)
    assert overlapping_texts(sheet.items) == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_die_labels_are_readable_or_called_out(path: Path) -> None:
    """No text on the sheet below the smallest readable size; every die is named."""
    rec = read_layout(path)
    sheet = build_sheet(rec.design, rec.layout, rec.thermal, rec.solver)
    texts = [f.text for f in walk_texts(sheet.items)]
    assert min(t.size for t in texts) >= MIN_LABEL_PX
    top = build_top_view(rec.design, rec.layout)
    written = " ".join(f.text.text for f in walk_texts((top.group,)))
    for p in rec.layout.placements:
        run_named = any(f"…{p.die_id}" in written or f"{p.die_id}…" in written for _ in [0])
        assert p.die_id in written or run_named or _in_a_run(rec, p.die_id), p.die_id


def _in_a_run(rec, die_id: str) -> bool:
    """A die inside a run of one part written as one line ("t1–t12 12 × part")."""
    stack = rec.layout.stacks()[rec.layout.placement(die_id).stack]
    return any("×" in full for full, _ in stack_lines(rec.design, stack))


def test_a_long_stack_is_written_in_runs() -> None:
    rec = read_layout(DATA / "tsv.json")
    stack = rec.layout.stacks()[0]
    lines = stack_lines(rec.design, stack)
    assert lines == [("t1–t12 12 × hbm_core_24gb", "t1–t12 K01…K12"), ("t0 B0 hbm_base", "t0 B0")]


def test_a_die_without_a_part_is_named_once() -> None:
    rec = read_layout(DATA / "sip.json")
    die = dataclasses.replace(rec.design.die("U1"), part="U1")
    design = dataclasses.replace(
        rec.design, dies=tuple(die if d.id == "U1" else d for d in rec.design.dies)
    )
    assert die_name(design, "U1") == "U1"
    assert "U1 U1" not in to_svg_top(design, rec.layout)


def test_bottom_side_parts_are_hidden_lines_labelled_outside() -> None:
    rec = read_layout(DATA / "sip.json")
    root = ET.fromstring(to_svg_top(rec.design, rec.layout))
    group = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "die-C9")
    body = group.find(f"{SVG}rect")
    assert body.get("fill") == "none" and body.get("stroke-dasharray")
    assert "hidden" in body.get("class")
    callout = [t for t in root.iter(f"{SVG}text") if (t.text or "") == "C9 (bottom)"]
    assert len(callout) == 1
    # Written outside the part it names, with a leader to it.
    x, y = float(callout[0].get("x")), float(callout[0].get("y"))
    bx, by = float(body.get("x")), float(body.get("y"))
    bw, bh = float(body.get("width")), float(body.get("height"))
    assert not (bx <= x <= bx + bw and by <= y <= by + bh)


def test_sections_a_and_b_show_every_wire_bonded_edge_of_the_epop() -> None:
    """The ePOP controller bonds west and south: A–A shows the west wires, B–B the south."""
    rec = read_layout(DATA / "epop.json")
    cut_a, cut_b = choose_cuts(rec.design, rec.layout)
    assert cut_a == Cut("y", 2250) and cut_b.axis == "x"
    assert _span(rec.layout.placement("C0"), cut_b) is not None
    svg = to_svg_sheet(rec.design, rec.layout, rec.thermal, rec.solver)
    root = ET.fromstring(svg)
    wires = {
        g.get("id"): len([p for p in g.iter(f"{SVG}path") if p.get("class") == "wire"])
        for g in root.iter(f"{SVG}g")
        if g.get("id") == "section-view"
    }
    sections = [g for g in root.iter(f"{SVG}g") if g.get("id") == "section-view"]
    assert len(sections) == 2 and wires
    counts = [len([p for p in s.iter(f"{SVG}path") if p.get("class") == "wire"]) for s in sections]
    assert counts[0] == 4 and counts[1] >= 1  # B–B: the controller's south wires
    assert {s.get("data-exaggeration") for s in sections} == {str(VERTICAL_EXAGGERATION)}
    assert sections[0].get("data-px-per-mm") == sections[1].get("data-px-per-mm")


def test_the_sheet_has_datums_height_callouts_and_position_dimensions() -> None:
    rec = read_layout(DATA / "epop.json")
    svg = to_svg_sheet(rec.design, rec.layout, rec.thermal, rec.solver)
    root = ET.fromstring(svg)
    ids = {g.get("id") for g in root.iter(f"{SVG}g")}
    assert {"datum-A", "datum-B", "datum-C", "ordinates-x", "ordinates-y", "die-table"} <= ids
    assert {"height-callouts", "staircase", "ring-dimension"} <= ids
    # The staircase step is the rule's 150 µm; the ring is 250 µm wide.
    assert ">step 0.15 mm<" in svg and ">0.25 mm ring<" in svg
    ordinates = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "ordinates-x")
    values = [t.text for t in ordinates.iter(f"{SVG}text")]
    assert values == ["0", "0.5", "7.15", "8"]  # the stack edges from datum B, and the package


def test_title_block_identifies_the_drawing_from_the_layout_alone() -> None:
    rec = read_layout(DATA / "epop.json")
    info = sheet_info(rec.design, rec.layout)
    assert info.number == "LO-EPOP_WEARABLE" and len(info.revision) == 8
    moved = dataclasses.replace(
        rec.layout,
        placements=tuple(
            dataclasses.replace(p, x_um=p.x_um + 50) if p.die_id == "C0" else p
            for p in rec.layout.placements
        ),
    )
    assert sheet_info(rec.design, moved).revision != info.revision
    svg = to_svg_sheet(rec.design, rec.layout, rec.thermal, rec.solver)
    for text in (info.number, info.revision, "third angle", "not issued", ":1 at 96 dpi", "±0.10"):
        assert text in svg
    assert 'id="projection-symbol"' in svg
    dated = to_svg_sheet(rec.design, rec.layout, info=dataclasses.replace(info, date="2025-01-31"))
    assert "2025-01-31" in dated


def test_a_layout_solved_without_thermal_gets_a_note_not_a_map() -> None:
    rec = read_layout(DATA / "sip.json")  # thermal: None
    assert rec.thermal is None
    svg = to_svg_sheet(rec.design, rec.layout, None, rec.solver, synthetic_field(rec.layout))
    assert 'id="thermal-view"' not in svg
    assert "not checked" in svg and 'id="thermal-note"' in svg


def test_the_map_peak_is_the_title_block_peak() -> None:
    from layoutopt.thermal import solve_fv3d
    from layoutopt.thermal.fv3d import field_report

    rec = read_layout(DATA / "shipped" / "smart_glasses_epop.json")  # with its materials
    field = solve_fv3d(rec.design, rec.layout, lateral_step_um=400)
    report = field_report(rec.design, field)
    svg = to_svg_sheet(rec.design, rec.layout, report, rec.solver, field)
    root = ET.fromstring(svg)
    overlay = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "thermal-overlay")
    _, _, die_id = peak_junction(field)
    assert float(overlay.get("data-hottest-c")) == pytest.approx(report.peak_junction_c, abs=1e-3)
    assert f"{report.peak_junction_c:.1f} °C in {die_id}" in svg
    assert f"peak {report.peak_junction_c:.1f} °C ({die_id})" in svg
    assert "solve check" not in svg  # one model, one number


def test_cli_render_of_a_layout_without_thermal_draws_no_map(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from layoutopt.cli import ExitCode, app

    result = CliRunner().invoke(
        app,
        [
            "render",
            str(DATA / "sip.json"),
            "-o",
            str(tmp_path),
            "--views",
            "sheet",
            "--date",
            "2025-02-01",
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    svg = (tmp_path / "sip_glasses-sheet.svg").read_text()
    assert 'id="thermal-view"' not in svg and "not checked" in svg
    assert ">2025-02-01<" in svg


def test_the_column_table_shows_every_column_tallest_first() -> None:
    # The CMC's thickness is set by its 0201 caps, not by the compute die: the budget table
    # follows the tallest column, the column table shows the compute die's own need.
    rec = read_layout(DATA / "shipped" / "ai_pc_cmc.json")
    design, layout = rec.design, rec.layout
    rows = column_rows(design, layout)
    needs = [int(row[1]) for row in rows]
    assert needs == sorted(needs, reverse=True) and needs[0] == layout.thickness_um
    for row in rows:
        assert int(row[2]) == layout.thickness_um - int(row[1]) >= 0  # the slack to the top
    xpu = next(row for row in rows if "XPU" in row[0])
    (p,) = [p for p in layout.placements if row_die(xpu) == p.die_id]
    assert int(xpu[1]) == p.z_top_um + design.rules.top_clearance_um(design.die(p.die_id))
    sheet = to_svg_sheet(design, layout)
    assert 'id="column-heights"' in sheet


def row_die(row: list[str]) -> str:
    return row[0].split(": ")[1].split(" ")[0]


def test_one_column_needs_no_column_table() -> None:
    rec = read_layout(DATA / "shipped" / "smart_glasses_epop.json")
    assert len(column_rows(rec.design, rec.layout)) == 1
    assert 'id="column-heights"' not in to_svg_sheet(rec.design, rec.layout)
