"""Drawings and exports of the ball-out: the bottom view, the ball CSV, the DXF layers and
the fingers and wires on the top view, from fixed hand-made layouts."""

from __future__ import annotations

import csv
import io
from collections import Counter

import ezdxf
from layout_builders import ballout_example, bonded_example

from layoutopt.bonding import bond_plan
from layoutopt.render.ballcsv import to_ball_csv
from layoutopt.render.bottom import to_svg_bottom
from layoutopt.render.dxf import to_dxf
from layoutopt.render.top import to_svg_top


def test_bottom_view_draws_every_ball_and_marks_each_empty_site() -> None:
    design, layout = ballout_example()
    assert layout.ball_map is not None
    (array,) = layout.ball_map.arrays
    svg = to_svg_bottom(design, layout)
    assert svg.count('class="ball"') == array.ball_count == 114
    assert svg.count('class="depopulated"') == 2 * len(array.depopulated)  # a "+" each
    assert 'class="a1-mark"' in svg and ">A1<" in svg
    assert "e 0.4 mm" in svg and "5 mm" in svg  # pitch and body
    assert 'id="bottom-C0"' in svg  # the part under the substrate, outlined
    assert to_svg_bottom(design, layout) == svg


def test_bottom_view_is_mirrored_east_on_the_left() -> None:
    design, layout = ballout_example()
    svg = to_svg_bottom(design, layout)
    # Column numbers from A1 (north-west in the top view) start at the right.
    numbers = [line for line in svg.splitlines() if 'class="column-name"' in line and ">1<" in line]
    xs = [float(line.split('x="')[1].split('"')[0]) for line in numbers]
    others = [
        float(line.split('x="')[1].split('"')[0])
        for line in svg.splitlines()
        if 'class="column-name"' in line and ">11<" in line
    ]
    assert xs and others and xs[0] > others[0]


def test_ball_csv_lists_every_site_from_a1() -> None:
    _, layout = ballout_example()
    assert layout.ball_map is not None
    (array,) = layout.ball_map.arrays
    rows = list(csv.DictReader(io.StringIO(to_ball_csv(layout))))
    assert len(rows) == array.site_count == 121
    assert sum(int(r["populated"]) for r in rows) == array.ball_count
    assert rows[0]["ball"] == "A1" and (rows[0]["x_um"], rows[0]["y_um"]) == ("500", "4500")
    assert rows[0]["dx_um"] == "-2000" and rows[0]["dy_um"] == "2000"
    assert len({r["ball"] for r in rows}) == len(rows)


def test_dxf_puts_balls_fingers_and_wires_on_their_layers() -> None:
    for example in (ballout_example, bonded_example):
        design, layout = example()
        data = to_dxf(design, layout)
        layers = Counter(e.dxf.layer for e in ezdxf.read(io.StringIO(data.decode())).modelspace())
        balls = 0 if layout.ball_map is None else sum(a.ball_count for a in layout.ball_map.arrays)
        edges = bond_plan(design, layout.placements)
        assert layers["BALLS"] == balls
        assert layers["FINGERS"] == sum(len(e.fingers) for e in edges)
        assert layers["WIRES"] == sum(len(e.wires) for e in edges)
        assert to_dxf(design, layout) == data
    design, layout = bonded_example()
    doc = ezdxf.read(io.StringIO(to_dxf(design, layout).decode()))
    wire = next(e for e in doc.modelspace() if e.dxf.layer == "WIRES")
    z = [v.dxf.location.z for v in wire.vertices]
    # pad on DRAM0 (top 0.33 mm), loop top 0.39 mm, level run, down to the fingers 0.28 mm
    assert z == [0.33, 0.39, 0.39, 0.28]


def test_top_view_draws_the_fingers_and_wires() -> None:
    design, layout = bonded_example()
    svg = to_svg_top(design, layout)
    assert svg.count('class="finger"') == 120
    assert svg.count('class="wire die-DRAM1"') == 60
    assert 'data-rows="2"' in svg
