"""Golden drawings: committed fixed layouts rendered and compared by geometry."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from layoutopt.layout_io import read_layout
from layoutopt.render import (
    die_rects_um,
    geometry_diff,
    to_svg_iso,
    to_svg_section,
    to_svg_sheet,
    to_svg_top,
)
from layoutopt.render.section import Cut, default_cut, parse_cut

LAYOUTS = Path(__file__).parent / "data" / "layouts"
NAMES = ("epop", "sip", "tsv")
SVG = "{http://www.w3.org/2000/svg}"


def record(name: str):
    return read_layout(LAYOUTS / f"{name}.json")


@pytest.mark.parametrize("name", NAMES)
def test_top_view_geometry_matches_layout(name: str) -> None:
    rec = record(name)
    svg = to_svg_top(rec.design, rec.layout)
    drawn = die_rects_um(svg)
    assert geometry_diff(rec.layout, drawn) == []
    assert set(drawn) == {p.die_id for p in rec.layout.placements}


def test_geometry_diff_names_a_moved_die() -> None:
    rec = record("epop")
    svg = to_svg_top(rec.design, rec.layout)
    moved = tuple(
        dataclasses.replace(p, x_um=p.x_um - 50) if p.die_id == "N0" else p
        for p in rec.layout.placements
    )
    expected = dataclasses.replace(rec.layout, placements=moved)
    assert geometry_diff(expected, die_rects_um(svg)) == ["die N0 moved +50 um in x"]


@pytest.mark.parametrize("name", NAMES)
def test_every_view_is_valid_xml_with_one_group_per_die(name: str) -> None:
    rec = record(name)
    for svg in (
        to_svg_top(rec.design, rec.layout),
        to_svg_sheet(rec.design, rec.layout, rec.thermal, rec.solver),
        to_svg_iso(rec.design, rec.layout),
    ):
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
    root = ET.fromstring(to_svg_top(rec.design, rec.layout))
    ids = [g.get("id") for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("die-")]
    assert sorted(i for i in ids if i != "die-labels") == sorted(
        f"die-{p.die_id}" for p in rec.layout.placements
    )


def test_upper_tiers_are_translucent_and_drawn_after_lower_tiers() -> None:
    rec = record("epop")
    root = ET.fromstring(to_svg_top(rec.design, rec.layout))
    order = [g.get("id") for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("die-D")]
    assert order.index("die-D0") < order.index("die-D1")
    d1 = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "die-D1")
    assert float(d1.find(f"{SVG}rect").get("fill-opacity")) < 1.0


def test_top_view_shows_finger_rings_keepouts_and_overall_size() -> None:
    rec = record("epop")
    svg = to_svg_top(rec.design, rec.layout)
    root = ET.fromstring(svg)
    rings = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "finger-rings")
    # Stack 0 has wire-bonded pads on the west (all dies) and south (controller) edges.
    assert sorted(r.get("class") for r in rings.iter(f"{SVG}rect")) == [
        "ring stack-0 side-south",
        "ring stack-0 side-west",
    ]
    assert any(g.get("id") == "keepout-0" for g in root.iter(f"{SVG}g"))
    assert "screw boss" in svg
    assert ">8 mm<" in svg and ">9.5 mm<" in svg


def test_labels_are_escaped() -> None:
    rec = record("sip")
    design = dataclasses.replace(rec.design, name='a<b & "c"')
    ET.fromstring(to_svg_top(design, rec.layout))
    ET.fromstring(to_svg_section(design, rec.layout))


def section_dies(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {
        g.get("id")[len("section-die-") :]: g
        for g in root.iter(f"{SVG}g")
        if (g.get("id") or "").startswith("section-die-")
    }


def test_section_default_cut_passes_through_the_tallest_stack() -> None:
    rec = record("epop")
    assert default_cut(rec.layout) == Cut("y", 2250)
    svg = to_svg_section(rec.design, rec.layout)
    assert sorted(section_dies(svg)) == ["C0", "D0", "D1", "N0"]
    assert "Vertical scale ×5 (exaggerated)" in svg
    assert ">A 0.68 mm<" in svg and ">A1 0.18 mm<" in svg and ">A2 0.5 mm<" in svg


def test_section_x_cut_and_z_levels() -> None:
    rec = record("sip")
    svg = to_svg_section(rec.design, rec.layout, parse_cut("x=8 mm"), exaggeration=1)
    dies = section_dies(svg)
    assert sorted(dies) == ["M0", "M1"]  # the cut at x = 8 mm meets only the DRAM stack
    assert dies["M1"].get("data-z-bottom-um") == "440"
    assert "True scale" in svg


def test_section_layers_are_to_scale() -> None:
    rec = record("tsv")
    svg = to_svg_section(rec.design, rec.layout, exaggeration=2)
    root = ET.fromstring(svg)
    view = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "section-view")
    s_z = float(view.get("data-px-per-mm")) / 1000 * 2
    for die_id, group in section_dies(svg).items():
        body = next(r for r in group.iter(f"{SVG}rect") if r.get("class") == "die-body")
        thickness = rec.layout.placement(die_id).thickness_um
        assert float(body.get("height")) == pytest.approx(thickness * s_z, abs=0.01)


def test_budget_table_flags_a_broken_limit() -> None:
    rec = record("epop")
    tight = dataclasses.replace(
        rec.design, envelope=dataclasses.replace(rec.design.envelope, max_thickness_um=600)
    )
    svg = to_svg_section(tight, rec.layout)
    assert ">-80<" in svg and "#f4cccc" in svg
    assert ">+120<" in to_svg_section(rec.design, rec.layout)


def test_wire_loops_stay_under_the_loop_height() -> None:
    rec = record("epop")
    svg = to_svg_section(rec.design, rec.layout)
    root = ET.fromstring(svg)
    view = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "section-view")
    s_z = float(view.get("data-px-per-mm")) / 1000 * float(view.get("data-exaggeration"))
    z0_y = float(view.get("data-z0-y"))
    wires = [p for p in root.iter(f"{SVG}path") if p.get("class") == "wire"]
    # Four dies have west pads; the controller's south pads do not show in a y-cut.
    assert len(wires) == 4
    ceiling_um = 520 + rec.design.rules.wire_loop_um  # controller top + loop
    for wire in wires:
        nums = [float(v) for v in wire.get("d").replace("M", "").replace("C", "").split()]
        ys = nums[1::2]
        for k in range(21):
            t = k / 20
            y = (
                (1 - t) ** 3 * ys[0]
                + 3 * (1 - t) ** 2 * t * ys[1]
                + 3 * (1 - t) * t**2 * ys[2]
                + t**3 * ys[3]
            )
            assert (z0_y - y) / s_z <= ceiling_um + 15  # the loop may not rise into the mold
