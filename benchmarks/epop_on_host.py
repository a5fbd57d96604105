"""The smart-glasses ePOP on its host SoC (layoutopt.glasses): the package's junction and the
skin with the host under it and without, against the shipped SoC-beside design.

    python benchmarks/epop_on_host.py

One solve of the shipped design, four 3D solves at 200 µm on its layout, then the design's
workloads on the host and beside it (400 µm grid, 5 s steps; ~1-2 min).
"""

from __future__ import annotations

import time
from pathlib import Path

from layoutopt.design_file import load_design
from layoutopt.glasses import AR1_HOST, host_answers, on_host
from layoutopt.solver import SolveOptions, solve
from layoutopt.thermal import GridOptions, simulate

DESIGN = Path(__file__).resolve().parents[1] / "designs" / "smart_glasses_epop.yaml"


def main() -> None:
    t0 = time.perf_counter()
    design = load_design(DESIGN)
    layout = solve(design, SolveOptions(workers=1, seed=0, time_limit_s=30)).layout
    assert layout is not None
    pkg = layout.package
    layers = " + ".join(f"{x.material} {x.thickness_um}" for x in AR1_HOST.layers)
    print(
        f"host: {pkg.width_um / 1000:g} x {pkg.length_um / 1000:g} mm (the ePOP's outline), "
        f"{AR1_HOST.height_um} um ({layers} um), {1000 * AR1_HOST.power_w:g} mW"
    )
    print("| case | peak junction °C | skin °C | hottest die |")
    print("|---|---|---|---|")
    for a in host_answers(design, layout):
        skin = "–" if a.skin_c is None else f"{a.skin_c:.1f}"
        print(f"| {a.case} | {a.peak_junction_c:.1f} | {skin} | {a.hottest_die_id} |")
    print("\n| workload | case | peak skin °C | peak DRAM0 °C | limits broken |")
    print("|---|---|---|---|---|")
    grid = GridOptions(lateral_step_um=400)
    for w in design.thermal.workloads:
        for case, d in (("on the host", on_host(design)), ("SoC beside (shipped)", design)):
            run = simulate(d, layout, w.name, step_s=5.0, grid=grid)
            broken = "; ".join(c.sentence() for c in run.limits if not c.ok) or "none"
            print(
                f"| {w.name} | {case} | {run.get('skin').peak_c:.1f} | "
                f"{run.get('DRAM0').peak_c:.1f} | {broken} |"
            )
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
