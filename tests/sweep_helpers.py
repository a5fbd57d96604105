"""Shared pieces of the sweep tests: a small space on the fake backend, table comparison."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from layoutopt.sweep.analysis import results_frame

# Timing and warm-start provenance legitimately differ between runs; nothing else may.
VOLATILE = ["wall_s", "solve_time_s", "hint_key"]

SPACE = """
name: tiny
base:
  name: glasses
  process: epop
  dies: [{part: lpddr4x_16gb, count: 1}, {part: nand_512gb, count: 2}]
  envelope: {outline: {width: "10 mm", length: "12 mm"}, max_thickness: "0.6 mm"}
axes:
  - path: envelope.max_thickness
    range: {start: "0.30 mm", stop: "0.60 mm", step: "0.10 mm"}
  - path: dies[0].part
    values: [lpddr4x_16gb, lpddr5x_16gb, boom]
  - path: dies[1].count
    values: [1, 2, 4]
"""


def write_space(directory: Path, text: str = SPACE) -> Path:
    path = directory / "space.yaml"
    path.write_text(text)
    return path


def table(outdir: Path) -> pd.DataFrame:
    df = results_frame(outdir).drop(columns=VOLATILE)
    return df.sort_values("key").reset_index(drop=True)


def space_with_parts(
    directory: Path, parts: list[str], thicknesses: tuple[str, ...] = ("0.5 mm", "0.6 mm")
) -> Path:
    """The thicknesses x the given first-die parts (fault-injection names allowed)."""
    parts_yaml = ", ".join(f"'{p}'" for p in parts)
    thicknesses_yaml = ", ".join(f"'{t}'" for t in thicknesses)
    return write_space(
        directory,
        f"""
name: faults
base:
  name: glasses
  process: epop
  dies: [{{part: lpddr4x_16gb, count: 1}}, {{part: nand_512gb, count: 2}}]
  envelope: {{outline: {{width: "10 mm", length: "12 mm"}}, max_thickness: "0.6 mm"}}
axes:
  - path: envelope.max_thickness
    values: [{thicknesses_yaml}]
  - path: dies[0].part
    name: part
    values: [{parts_yaml}]
""",
    )
