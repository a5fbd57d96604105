"""Write the fixed layouts of the shipped designs that the sheet tests draw.

Run from the repo root: ``python tests/data/layouts/shipped/make_shipped.py [NAME ...]``
(all shipped designs, or only the named ones). Each is the
layout ``layoutopt solve designs/NAME.yaml --workers 1 --time-limit 10`` wrote (one worker
and seed 0: deterministic), committed so the drawing tests never depend on a live solve.
The validator checks them (tests/test_render_layouts_valid.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from layoutopt.design_file import load_design
from layoutopt.layout_io import LayoutRecord, write_layout
from layoutopt.pipeline import compare_families
from layoutopt.solver import SolveOptions

HERE = Path(__file__).parent
DESIGNS = HERE.parents[3] / "designs"


def main(names: list[str]) -> None:
    options = SolveOptions(time_limit_s=10, workers=1, seed=0)
    for path in sorted(DESIGNS.glob("*.yaml")):
        if names and path.stem not in names:
            continue
        comparison = compare_families(load_design(path), options)
        best = comparison.best_index
        if best is None:
            continue
        design, result = comparison.variants[best], comparison.results[best]
        record = LayoutRecord(design, result.layout, result.thermal, result.to_data())
        write_layout(HERE / f"{path.stem}.json", record)


if __name__ == "__main__":
    main(sys.argv[1:])
