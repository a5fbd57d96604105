"""Thermal model timings: run ``python benchmarks/bench_thermal.py``.

Prints: the 12 x 12 mm ePOP at 100 µm lateral resolution (target < 1 s), a ~1e6-cell model
(target < 30 s, with peak memory), and the cost of one compact and one fv3d check.
"""

from __future__ import annotations

import resource
import time

from layoutopt.thermal import compact_report, fv3d_report, solve_fv3d
from layoutopt.thermal.samples import epop_sample


def _time(fn, repeat: int = 1) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    design, layout = epop_sample()
    t, report = _time(lambda: compact_report(design, layout), repeat=200)
    print(f"compact check, 5 dies: {t * 1e3:8.3f} ms (peak {report.peak_junction_c:.2f} °C)")
    for step in (400.0, 200.0, 100.0):
        t, field = _time(lambda s=step: solve_fv3d(design, layout, lateral_step_um=s), repeat=3)
        print(
            f"fv3d 12x12 ePOP, {step:5.0f} um lateral: {t:8.3f} s  {field.cells:9d} cells  "
            f"{field.method}  C0 max {field.die_stats()[-1].max_c:.2f} °C"
        )
    t, _rep = _time(lambda: fv3d_report(design, layout, lateral_step_um=400.0))
    print(f"fv3d check (400 um, report):      {t:8.3f} s")
    t, field = _time(
        lambda: solve_fv3d(design, layout, lateral_step_um=75.0, vertical_step_um=50.0)
    )
    mem_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"fv3d ~1e6 cells (75 um, 50 um z): {t:8.3f} s  {field.cells:9d} cells  {field.method}  "
        f"peak RSS {mem_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
