"""HotSpot export and thermal plots."""

from __future__ import annotations

import re

import pytest
from matplotlib.figure import Figure

from layoutopt.thermal import solve_fv3d, to_hotspot, write_hotspot
from layoutopt.thermal.hotspot import check_hotspot_files
from layoutopt.thermal.plot import plot_section, plot_top_view
from layoutopt.thermal.samples import epop_sample


def test_hotspot_files_follow_the_formats() -> None:
    design, layout = epop_sample()
    files = to_hotspot(design, layout)
    assert {"layout.lcf", "layout.ptrace", "layout.config"} <= set(files)
    flps = sorted(n for n in files if n.endswith(".flp"))
    # .lcf: seven value lines per layer (number, Y/N, Y/N, capacity, resistivity, thickness, flp).
    values = [ln for ln in files["layout.lcf"].splitlines() if ln and not ln.startswith("#")]
    assert len(values) == 7 * len(flps)
    assert values[6::7] == [f"layer{i}.flp" for i in range(len(flps))]
    assert sum(float(v) for v in values[5::7]) == pytest.approx(
        (layout.thickness_um + design.thermal.board_thickness_um) * 1e-6
    )
    for name in flps:
        rows = [ln.split("\t") for ln in files[name].splitlines() if ln and not ln.startswith("#")]
        assert all(len(r) == 7 for r in rows)
        # Units tile the board frame exactly (no gap, no overlap): areas add up.
        area = sum(float(r[1]) * float(r[2]) for r in rows)
        assert area == pytest.approx(16e-3 * 16e-3, rel=1e-9)
    header, powers = files["layout.ptrace"].splitlines()
    assert len(header.split("\t")) == len(powers.split("\t"))
    assert sum(float(p) for p in powers.split("\t")) == pytest.approx(
        sum(d.power_w for d in design.dies), rel=1e-5
    )
    assert "-ambient\t298.15" in files["layout.config"]


def _temple_case():  # type: ignore[no-untyped-def]
    """The ePOP sample on an L-shaped board (holding its 20 x 20 mm envelope) under a housing
    with an air gap."""
    from dataclasses import replace

    from shapely.geometry import Polygon

    design, layout = epop_sample()
    board = Polygon(
        [
            (-2000, -2000),
            (40000, -2000),
            (40000, 8000),
            (22000, 8000),
            (22000, 22000),
            (-2000, 22000),
        ]
    )
    spec = replace(
        design.thermal, board_outline=board, housing_thickness_um=800, housing_gap_um=300
    )
    return replace(design, thermal=spec), layout


@pytest.mark.parametrize("case", ["epop", "temple"])
def test_hotspot_files_pass_the_format_rules(case: str) -> None:
    design, layout = epop_sample() if case == "epop" else _temple_case()
    files = to_hotspot(design, layout)
    assert check_hotspot_files(files) == []
    config = dict(ln.split("\t", 1) for ln in files["layout.config"].splitlines() if ln[:1] == "-")
    # Sink and spreader hold the frame, each strictly larger than the one inside it.
    frame_m = 42e-3 if case == "temple" else 16e-3
    assert frame_m < float(config["-s_spreader"]) < float(config["-s_sink"])
    assert config["-model_secondary"] == "1" and config["-detailed_3D"] == "on"
    # r_convec spread over the sink area gives h_top per square metre.
    h = 1 / (float(config["-r_convec"]) * float(config["-s_sink"]) ** 2)
    assert h == pytest.approx(design.thermal.h_top_w_per_m2_k, rel=1e-5)
    # Real heat capacities: silicon's 1.63e6 J/m3K on a die unit.
    die_rows = [
        ln
        for name, text in files.items()
        if name.endswith(".flp")
        for ln in text.splitlines()
        if "_M0_" in ln and "joint" not in ln
    ]
    assert die_rows and all(float(r.split("\t")[5]) == pytest.approx(1.6303e6) for r in die_rows)


def test_the_format_check_finds_a_unit_missing_from_the_power_trace() -> None:
    files = to_hotspot(*epop_sample())
    names, powers = files["layout.ptrace"].splitlines()
    files["layout.ptrace"] = (
        "\t".join(names.split("\t")[1:]) + "\n" + "\t".join(powers.split("\t")[1:]) + "\n"
    )
    assert any("not in the power trace" in p for p in check_hotspot_files(files))
    files = to_hotspot(*epop_sample())
    files["layout.config"] = re.sub(r"-s_sink\t\S+", "-s_sink\t0.001", files["layout.config"])
    assert any("inordinate" in p for p in check_hotspot_files(files))


def test_write_hotspot(tmp_path) -> None:
    paths = write_hotspot(tmp_path / "hs", *epop_sample())
    assert all(p.exists() for p in paths) and len(paths) == len(to_hotspot(*epop_sample()))


def test_plots_have_a_colour_bar_and_mark_the_hottest_point() -> None:
    design, layout = epop_sample()
    field = solve_fv3d(design, layout, lateral_step_um=500, vertical_step_um=200)
    _, (x, y, z), _ = field.hottest()
    for fig in (plot_top_view(field, z), plot_section(field, y)):
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 2  # the map and its colour bar
        assert fig.axes[1].get_ylabel() == "temperature (°C)"
        marker = fig.axes[0].lines[0]
        assert marker.get_xdata()[0] == pytest.approx(x / 1000)
