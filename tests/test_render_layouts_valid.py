"""The committed golden layouts are legal: the validator agrees with the drawings' inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from layoutopt.layout_io import read_layout
from layoutopt.validate import validate

LAYOUTS = sorted((Path(__file__).parent / "data" / "layouts").rglob("*.json"))


@pytest.mark.parametrize("path", LAYOUTS, ids=[p.stem for p in LAYOUTS])
def test_golden_layout_is_legal(path: Path) -> None:
    record = read_layout(path)
    assert validate(record.design, record.layout) == ()
