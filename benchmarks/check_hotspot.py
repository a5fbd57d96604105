"""Run layoutopt's HotSpot export through HotSpot itself and compare with fv3d.

HotSpot is not a package: build it from github.com/uvahotspot/HotSpot (``make SUPERLU=1``
with Debian's libsuperlu-dev; without SuperLU its iterative solver takes minutes on these
thin layers) and point ``HOTSPOT`` at the binary::

    HOTSPOT=/path/to/hotspot python benchmarks/check_hotspot.py

Prints, per case, the format check (``check_hotspot_files``), HotSpot's exit status, and the
die's rise over ambient from HotSpot and from fv3d at 100 µm.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from layoutopt.model import ThermalSpec
from layoutopt.thermal import fv3d_report, to_hotspot
from layoutopt.thermal.hotspot import check_hotspot_files
from layoutopt.thermal.samples import single_die_sample


def main() -> None:
    binary = os.environ.get("HOTSPOT")
    if not binary:
        sys.exit("set HOTSPOT to a HotSpot 6 binary (see this file's docstring)")
    design, layout = single_die_sample(power_w=0.5, thermal=ThermalSpec(board_margin_um=2000))
    files = to_hotspot(design, layout, grid=64)
    print("format problems:", check_hotspot_files(files) or "none")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            Path(tmp, name).write_text(text, encoding="utf-8")
        run = subprocess.run(
            [binary, "-c", "layout.config", "-p", "layout.ptrace", "-steady_file", "s.txt"],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=600,
        )
        print("hotspot exit status", run.returncode)
        rises = [
            float(v) - 273.15 - design.thermal.ambient_c
            for k, v in (line.split() for line in Path(tmp, "s.txt").read_text().splitlines())
            if "_D0_" in k and "joint" not in k
        ]
    report = fv3d_report(design, layout, lateral_step_um=100)
    mean = report.dies[0].mean_c - design.thermal.ambient_c
    print(
        f"die rise: HotSpot {max(rises):.2f} K, fv3d mean {mean:.2f} K ({max(rises) / mean - 1:+.1%})"
    )


if __name__ == "__main__":
    main()
