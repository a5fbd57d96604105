"""Objectives: lexicographic stages (footprint, then thickness, then interconnect) or one
weighted sum. Each stage is an integer expression to minimise."""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.model import Design
from layoutopt.solver.variables import Variables

__all__ = ["Stage", "stages"]

Stage = tuple[str, cp_model.LinearExprT]


def stages(design: Design, v: Variables) -> list[Stage]:
    """The stages to minimise in order. Footprint is counted in package-grid cells."""
    objective = design.objective
    has_interconnect = not isinstance(v.interconnect, int)
    if objective.mode == "weighted":
        step_mm = design.rules.package_grid_um / 1000
        # Integer weights per unit of each term; x1000 keeps three significant decimals.
        area = round(1000 * objective.weight_area_per_mm2 * step_mm * step_mm)
        thick = round(1000 * objective.weight_thickness_per_mm / 1000)
        inter = round(1000 * objective.weight_interconnect_per_mm / 2000)
        expr = area * v.area_steps + max(thick, 0) * v.height
        if has_interconnect and inter:
            expr += inter * v.interconnect
        return [("weighted", expr)]
    result: list[Stage] = [("footprint", v.area_steps), ("thickness", v.height)]
    if has_interconnect:
        result.append(("interconnect", v.interconnect))
    return result
