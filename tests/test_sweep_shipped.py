"""Every shipped space file loads, and every point of it is a valid design."""

from __future__ import annotations

from pathlib import Path

import pytest

from layoutopt.sweep.space import check_points, expand_points, load_space

SPACES = sorted((Path(__file__).resolve().parents[1] / "designs" / "spaces").glob("*.yaml"))
design_file = pytest.importorskip("layoutopt.design_file")


def test_there_are_shipped_spaces() -> None:
    assert {p.stem for p in SPACES} >= {"smart_glasses_memory", "hbm_underfill"}


@pytest.mark.parametrize("path", SPACES, ids=lambda p: p.stem)
def test_shipped_space_loads_every_point(path: Path) -> None:
    space = load_space(path)
    points = expand_points(space)
    designs = check_points(space, points, design_file.design_from_text)
    assert len(designs) == space.grid_size
    # The axes really change the designs: no two points are the same design.
    assert len({repr(p.design) for p in points}) == len(points)
