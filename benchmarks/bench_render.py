"""Time the drawings on the largest golden layout (not a test: prints figures).

Run: ``python benchmarks/bench_render.py`` from the repo root. Target: the SVG sheet of
the largest design in < 2 s.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from layoutopt.layout_io import read_layout
from layoutopt.render import (
    to_dxf,
    to_pdf_sheet,
    to_png_sheet,
    to_svg_section,
    to_svg_sheet,
    to_svg_thermal,
    to_svg_top,
)

LAYOUTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "layouts"


def field_for(layout, n: int = 60):
    pkg = layout.package
    xe = np.linspace(pkg.x_um, pkg.x_max_um, n + 1)
    ye = np.linspace(pkg.y_um, pkg.y_max_um, n + 1)
    ze = np.linspace(0, layout.thickness_um, 11)
    xc, yc, zc = ((e[1:] + e[:-1]) / 2 for e in (xe, ye, ze))
    x, y, z = np.meshgrid(xc, yc, zc, indexing="ij")
    t = 25 + 20 * np.exp(-((x - xc.mean()) ** 2 + (y - yc.mean()) ** 2) / 1e7) + z / 100
    return SimpleNamespace(x_edges_um=xe, y_edges_um=ye, z_edges_um=ze, temperature_c=t)


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    records = [read_layout(p) for p in sorted(LAYOUTS.glob("*.json"))]
    rec = max(records, key=lambda r: len(r.layout.placements))
    d, lay = rec.design, rec.layout
    field = field_for(lay)
    print(f"largest golden layout: {d.name} ({len(lay.placements)} dies), field 60x60x10")
    start = time.perf_counter()
    to_png_sheet(d, lay)  # first matplotlib use in the process: imports and font cache
    print(f"{'first raster (cold)':24s} {(time.perf_counter() - start) * 1000:8.1f} ms")
    cases = {
        "svg top": lambda: to_svg_top(d, lay),
        "svg section": lambda: to_svg_section(d, lay),
        "svg thermal": lambda: to_svg_thermal(d, lay, field),
        "svg sheet (no field)": lambda: to_svg_sheet(d, lay, rec.thermal, rec.solver),
        "svg sheet (+ field)": lambda: to_svg_sheet(d, lay, rec.thermal, rec.solver, field),
        "dxf": lambda: to_dxf(d, lay),
        "pdf sheet (no field)": lambda: to_pdf_sheet(d, lay, rec.thermal, rec.solver),
        "png sheet (no field)": lambda: to_png_sheet(d, lay, rec.thermal, rec.solver),
        "png sheet (+ field)": lambda: to_png_sheet(d, lay, rec.thermal, rec.solver, field),
    }
    for name, fn in cases.items():
        seconds = best_of(fn, 3)
        flag = "" if seconds < 2.0 else "  (over the 2 s target)"
        print(f"{name:24s} {seconds * 1000:8.1f} ms{flag}")


if __name__ == "__main__":
    main()
