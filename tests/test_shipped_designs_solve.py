"""Every shipped design solves to a legal layout (the validator agrees), within a short limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from layoutopt.design_file import load_design
from layoutopt.solver import SolveOptions, SolveStatus, solve
from layoutopt.validate import validate

DESIGNS = sorted((Path(__file__).resolve().parents[1] / "designs").glob("*.yaml"))
VARIANTS = [(path, k) for path in DESIGNS for k in range(len(load_design(path).variants()))]


@pytest.mark.parametrize(("path", "variant"), VARIANTS, ids=[f"{p.stem}-{k}" for p, k in VARIANTS])
def test_shipped_design_solves_legally(path: Path, variant: int) -> None:
    design = load_design(path).variants()[variant]
    result = solve(design, SolveOptions(time_limit_s=8, workers=2, seed=0))
    if variant > 0 and result.status is SolveStatus.INFEASIBLE:
        # An alternative family may not fit (the comparison says so): it must say why.
        assert result.explanation
        return
    if (
        variant > 0
        and result.status is SolveStatus.NO_SOLUTION
        and result.stats.get("thermal_rounds")
    ):
        # ... or every structure that fits breaks a limit (e.g. the glasses' SiP warps past
        # JEITA at reflow), or the time ran out between limit rounds: either way it must name
        # the limit the last layout broke, with the numbers.
        assert "broke" in result.explanation[0] and "limit" in result.explanation[0]
        return
    assert result.status.has_layout, (result.status, result.explanation)
    assert result.layout is not None
    assert validate(design, result.layout) == ()
    if result.thermal is not None:
        assert result.thermal.ok, result.thermal.violations()
    if result.warpage is not None:
        assert result.warpage.ok, result.warpage.violations()
