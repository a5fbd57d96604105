"""The README's HBM table: MR-MUF against TC-NCF at 8, 12 and 16 high, built to 720 / 775 µm
beside the GPU, with the band of the E-grade inputs (layoutopt.hbm).

    python benchmarks/hbm_table.py            # the Markdown table, then each row's swings

Takes ~1 min on one core (66 solves of the 3D model at the solver's 400 µm grid).
"""

from __future__ import annotations

import time
from pathlib import Path

from layoutopt.design_file import load_design
from layoutopt.hbm import ESTIMATES, stack_table, to_markdown

DESIGNS = Path(__file__).resolve().parents[1] / "designs"


def main() -> None:
    t0 = time.perf_counter()
    designs = tuple(
        load_design(DESIGNS / f"{n}.yaml") for n in ("hbm_12hi_mr_muf", "hbm_12hi_tc_ncf")
    )
    rows = stack_table(designs)
    print(to_markdown(rows))
    print()
    for r in rows:
        swings = ", ".join(f"{n} {lo:+.2f}/{hi:+.2f}" for n, lo, hi in r.swings)
        print(f"{r.process} {r.core_dies}-high: {swings or r.status}")
    print()
    for e in ESTIMATES:
        print(f"- {e.name}: {e.low:g}..{e.high:g} ({e.source})")
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
