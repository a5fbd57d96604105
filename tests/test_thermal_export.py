"""HotSpot export and thermal plots."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from layoutopt.thermal import solve_fv3d, to_hotspot, write_hotspot
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
