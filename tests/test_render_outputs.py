"""Determinism, DXF, thermal map, raster sheets and write_views."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import ezdxf
import numpy as np
import pytest

from layoutopt.layout_io import read_layout
from layoutopt.render import (
    to_dxf,
    to_pdf_sheet,
    to_png_iso,
    to_png_sheet,
    to_svg_sheet,
    to_svg_thermal,
    write_views,
)

LAYOUTS = Path(__file__).parent / "data" / "layouts"
SVG = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).resolve().parents[1]


def record(name: str):
    return read_layout(LAYOUTS / f"{name}.json")


def field_for(layout, hot_xy_um=(2250.0, 2250.0)):
    """A smooth synthetic field with one hot spot (the thermal engine is not needed)."""
    pkg = layout.package
    xe = np.linspace(pkg.x_um - 1000, pkg.x_max_um + 1000, 21)
    ye = np.linspace(pkg.y_um - 1000, pkg.y_max_um + 1000, 23)
    ze = np.array([-500.0, 0.0, 180.0, 280.0, 430.0, 680.0])
    xc, yc, zc = ((e[1:] + e[:-1]) / 2 for e in (xe, ye, ze))
    x, y, z = np.meshgrid(xc, yc, zc, indexing="ij")
    t = 25 + 18 * np.exp(-((x - hot_xy_um[0]) ** 2 + (y - hot_xy_um[1]) ** 2) / 4e6)
    t = t * (0.9 + z / 6800)
    return SimpleNamespace(x_edges_um=xe, y_edges_um=ye, z_edges_um=ze, temperature_c=t)


_DIGEST_SCRIPT = """
import hashlib, sys
from layoutopt.layout_io import read_layout
from layoutopt.render import to_dxf, to_svg_iso, to_svg_section, to_svg_sheet, to_svg_top
rec = read_layout(sys.argv[1])
parts = [to_svg_top(rec.design, rec.layout), to_svg_section(rec.design, rec.layout),
         to_svg_sheet(rec.design, rec.layout, rec.thermal, rec.solver),
         to_svg_iso(rec.design, rec.layout)]
h = hashlib.sha256("".join(parts).encode())
h.update(to_dxf(rec.design, rec.layout))
print(h.hexdigest())
"""


def test_output_is_byte_identical_across_processes() -> None:
    path = str(LAYOUTS / "sip.json")
    env_path = {"PYTHONPATH": str(REPO), "PYTHONHASHSEED": "random"}
    digests = {
        subprocess.run(
            [sys.executable, "-c", _DIGEST_SCRIPT, path],
            capture_output=True,
            text=True,
            check=True,
            env=env_path,
            cwd=REPO,
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(digests) == 1 and len(next(iter(digests))) == 64


def test_dxf_reads_back_with_a_layer_per_level() -> None:
    rec = record("tsv")
    doc = ezdxf.read(io.StringIO(to_dxf(rec.design, rec.layout).decode("utf-8")))
    assert doc.units == ezdxf.units.MM
    layers = [layer.dxf.name for layer in doc.layers]
    assert [n for n in layers if n.startswith("TIER")] == [f"TIER{i}" for i in range(13)]
    msp = doc.modelspace()
    polys = {e.dxf.layer: e for e in msp.query("LWPOLYLINE")}
    package = [tuple(p[:2]) for p in polys["PACKAGE"].get_points()]
    assert package == [(0.0, 0.0), (12.0, 0.0), (12.0, 13.0), (0.0, 13.0)]
    k12 = [tuple(p[:2]) for p in polys["TIER12"].get_points()]
    assert k12 == [(1.0, 1.0), (11.0, 1.0), (11.0, 12.0), (1.0, 12.0)]
    texts = sorted(e.dxf.text.split()[0] for e in msp.query("TEXT"))
    assert texts == sorted(p.die_id for p in rec.layout.placements)


def test_dxf_has_rings_keepouts_and_bottom_layer() -> None:
    epop, sip = record("epop"), record("sip")
    msp = ezdxf.read(io.StringIO(to_dxf(epop.design, epop.layout).decode())).modelspace()
    assert len(msp.query('LWPOLYLINE[layer=="RINGS"]')) == 2
    assert len(msp.query('LWPOLYLINE[layer=="KEEPOUT"]')) == 1
    msp = ezdxf.read(io.StringIO(to_dxf(sip.design, sip.layout).decode())).modelspace()
    assert len(msp.query('LWPOLYLINE[layer=="BOTTOM"]')) == 1


def test_thermal_map_marks_the_hottest_point() -> None:
    rec = record("epop")
    svg = to_svg_thermal(rec.design, rec.layout, field_for(rec.layout, (6000.0, 7000.0)))
    root = ET.fromstring(svg)
    overlay = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "thermal-overlay")
    assert abs(float(overlay.get("data-hottest-x-um")) - 6000) <= 300
    assert abs(float(overlay.get("data-hottest-y-um")) - 7000) <= 300
    bar = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "colour-bar")
    assert float(bar.get("data-max-c")) == pytest.approx(float(overlay.get("data-hottest-c")))
    assert "°C" in svg


def test_thermal_map_rejects_a_field_of_the_wrong_shape() -> None:
    rec = record("epop")
    field = field_for(rec.layout)
    field.temperature_c = field.temperature_c[:, :, :2]
    with pytest.raises(ValueError, match="expected"):
        to_svg_thermal(rec.design, rec.layout, field)


def test_sheet_has_title_block_and_optional_thermal() -> None:
    rec = record("epop")
    plain = to_svg_sheet(rec.design, rec.layout, rec.thermal, rec.solver)
    assert "43.5 °C (compact)" in plain and "optimal, 0.42 s" in plain
    assert "thermal-view" not in plain
    with_field = to_svg_sheet(
        rec.design, rec.layout, rec.thermal, rec.solver, field_for(rec.layout)
    )
    ET.fromstring(with_field)
    assert 'id="thermal-view"' in with_field
    assert 'id="cut-line-A"' in with_field and 'id="cut-line-B"' in with_field


def test_pdf_and_png_sheets_are_deterministic() -> None:
    rec = record("sip")
    pdf = to_pdf_sheet(rec.design, rec.layout)
    assert pdf.startswith(b"%PDF") and pdf == to_pdf_sheet(rec.design, rec.layout)
    png = to_png_sheet(rec.design, rec.layout, dpi=40)
    assert png.startswith(b"\x89PNG")
    assert (
        hashlib.sha256(png).digest()
        == hashlib.sha256(to_png_sheet(rec.design, rec.layout, dpi=40)).digest()
    )
    assert to_png_iso(rec.design, rec.layout, dpi=30).startswith(b"\x89PNG")


def test_write_views_writes_each_pair(tmp_path: Path) -> None:
    rec = record("epop")
    paths = write_views(
        tmp_path,
        rec.design,
        rec.layout,
        views=("top", "section", "thermal", "dxf"),
        formats=("svg", "dxf"),
    )
    # thermal is skipped without a field; dxf comes once.
    assert [p.name for p in paths] == [
        "epop_wearable-top.svg",
        "epop_wearable.dxf",
        "epop_wearable-section.svg",
    ]
    for path in paths:
        assert path.stat().st_size > 1000
    with pytest.raises(ValueError, match="unknown view 'side'"):
        write_views(tmp_path, rec.design, rec.layout, views=("side",))


def test_step_export_reads_back_with_named_solids(tmp_path: Path) -> None:
    pytest.importorskip("build123d", reason="STEP export needs build123d (the 'cad' extra)")
    from layoutopt.bonding import bond_plan
    from layoutopt.render.step import step_solid_names, to_step

    rec = read_layout(LAYOUTS / "shipped" / "smart_glasses_epop.json")  # with pads and fingers
    data = to_step(rec.design, rec.layout)
    assert data.startswith(b"ISO-10303-21;") and data == to_step(rec.design, rec.layout)
    names = step_solid_names(data)
    dies = [p.die_id for p in rec.layout.placements]
    for name in ("substrate", "mold", "balls", "balls/ball", *dies, *(f"joint-{d}" for d in dies)):
        assert name in names
    # Wires on every edge the bond plan bonds, every die of the stack among them.
    bonded = {
        f"wire-{w.die_id}-{e.side.value}"
        for e in bond_plan(rec.design, rec.layout.placements)
        for w in e.wires
    }
    assert {name.split("-")[1] for name in bonded} == set(dies)
    assert {n.rsplit("-", 1)[0] for n in names if n.startswith("wire-")} == bonded
    paths = write_views(tmp_path, rec.design, rec.layout, views=("step",), formats=("step",))
    assert [p.name for p in paths] == [f"{rec.design.name}.step"]


def test_step_solids_sit_where_the_layout_puts_them() -> None:
    bd = pytest.importorskip("build123d", reason="STEP export needs build123d (the 'cad' extra)")
    from layoutopt.render.step import _solids

    rec = record("sip")
    solids = {s.label: s for s in _solids(rec.design, rec.layout)}
    for p in rec.layout.placements:
        box = solids[p.die_id].bounding_box()
        assert (round(box.min.X * 1000), round(box.min.Y * 1000), round(box.min.Z * 1000)) == (
            p.x_um,
            p.y_um,
            p.z_bottom_um,
        )
        assert round(box.max.Z * 1000) == p.z_top_um
    mold = solids["mold"]
    # The mold body is the package volume above the substrate less the parts in it (mm³).
    full = rec.layout.package.area_um2 / 1e6 * (710 - 380) / 1000
    parts = sum(
        solids[name].volume
        for p in rec.layout.placements
        if p.side != "bottom"
        for name in (p.die_id, f"joint-{p.die_id}")
        if name in solids
    )
    assert mold.volume == pytest.approx(full - parts, rel=1e-6)
    assert isinstance(mold, bd.Shape)
