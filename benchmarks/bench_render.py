"""Time the drawings on the largest shipped design's sheet (not a test: prints figures).

Run: ``python benchmarks/bench_render.py`` from the repo root. Target: the largest sheet
in every format (SVG, PDF, PNG at 150 dpi) under 2 s, with its 3D thermal field. The
layouts are the committed ones of the shipped designs (tests/data/layouts/shipped); the
field is solved once with the 3D model (not timed here: bench_thermal.py times it).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from layoutopt.assess import assess
from layoutopt.layout_io import read_layout
from layoutopt.render import (
    to_dxf,
    to_pdf_sheet,
    to_png_iso,
    to_png_sheet,
    to_svg_iso,
    to_svg_section,
    to_svg_sheet,
    to_svg_thermal,
    to_svg_top,
)
from layoutopt.thermal import solve_fv3d

SHIPPED = Path(__file__).resolve().parents[1] / "tests" / "data" / "layouts" / "shipped"


def best_of(fn, repeat: int = 3) -> tuple[float, float]:
    """Best wall and best CPU seconds of ``repeat`` runs (CPU time is what a shared,
    loaded machine does not inflate: the drawings run on one thread)."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    records = [read_layout(p) for p in sorted(SHIPPED.glob("*.json"))]
    rec = max(records, key=lambda r: (len(r.layout.placements), r.layout.footprint_um2))
    d, lay = rec.design, rec.layout
    field = solve_fv3d(d, lay)
    warpage = rec.warpage or assess(d, lay).warpage
    print(
        f"largest shipped sheet: {d.name} ({len(lay.placements)} dies), "
        f"field {'x'.join(str(n) for n in field.temperature_c.shape)} cells"
    )
    start = time.perf_counter()
    to_png_sheet(d, lay)  # first matplotlib use in the process: imports and font cache
    print(f"{'first raster (cold)':26s} {(time.perf_counter() - start) * 1000:8.1f} ms")
    args = (d, lay, rec.thermal, rec.solver, field, None, warpage)
    cases = {
        "svg top": lambda: to_svg_top(d, lay),
        "svg section": lambda: to_svg_section(d, lay),
        "svg thermal": lambda: to_svg_thermal(d, lay, field),
        "svg iso": lambda: to_svg_iso(d, lay),
        "svg sheet (no field)": lambda: to_svg_sheet(d, lay, rec.thermal, rec.solver),
        "svg sheet (+ field)": lambda: to_svg_sheet(*args),
        "pdf sheet (+ field)": lambda: to_pdf_sheet(*args),
        "png sheet (+ field)": lambda: to_png_sheet(*args[:6], warpage=warpage),
        "png iso": lambda: to_png_iso(d, lay),
        "dxf": lambda: to_dxf(d, lay),
    }
    try:
        from layoutopt.render.step import to_step

        cases["step (build123d)"] = lambda: to_step(d, lay)
    except ImportError:
        print("step: build123d not installed, skipped")
    print(f"{'':26s} {'wall ms':>9s} {'CPU ms':>9s}   (load {os.getloadavg()[0]:.1f})")
    for name, fn in cases.items():
        wall, cpu = best_of(fn, 3)
        flag = "" if cpu < 2.0 else "  (over the 2 s target)"
        print(f"{name:26s} {wall * 1000:9.1f} {cpu * 1000:9.1f}{flag}")


if __name__ == "__main__":
    main()
