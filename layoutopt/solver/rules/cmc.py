"""Compute-memory co-packaging: memory PHY edges face the compute die, within reach.

Rule: docs/rules.md ``phy_facing``; also builds the bandwidth-weighted interconnect length
(objective term). Lengths are doubled inside so centre offsets stay integral.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.model import Design, DieKind, Edge, Family
from layoutopt.solver.variables import ModelContext, Variables

__all__ = ["build", "compute_die_index"]


def compute_die_index(design: Design) -> int | None:
    """The compute die: the most powerful logic die (first on ties)."""
    logic = [(d.power_w, -i, i) for i, d in enumerate(design.dies) if d.kind is DieKind.LOGIC]
    return max(logic)[2] if logic else None


def build(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    design = ctx.design
    rules = design.rules
    c = compute_die_index(design)
    if rules.family is not Family.CMC or c is None:
        return
    reach = v.group(model, "die_to_die") if rules.max_die_to_die_um > 0 else None
    cx0, cy0, cx1, cy1 = v.x[c], v.y[c], v.x[c] + v.w[c], v.y[c] + v.l[c]
    terms = []
    for m, die in enumerate(design.dies):
        if m == c or not die.phy_edges:
            continue
        mx0, my0, mx1, my1 = v.x[m], v.y[m], v.x[m] + v.w[m], v.y[m] + v.l[m]
        gap = model.NewIntVar(0, 10**7, f"phy_gap[{die.id}]")
        offset2 = model.NewIntVar(0, 2 * 10**7, f"phy_offset2[{die.id}]")
        for r, lit in v.rot[m].items():
            for side in die.phy_edges_at(r):
                if side is Edge.EAST:
                    facing, along = cx0 - mx1, ((my0 + my1) - (cy0 + cy1))
                    overlap = (my0 < cy1, cy0 < my1)
                elif side is Edge.WEST:
                    facing, along = mx0 - cx1, ((my0 + my1) - (cy0 + cy1))
                    overlap = (my0 < cy1, cy0 < my1)
                elif side is Edge.NORTH:
                    facing, along = cy0 - my1, ((mx0 + mx1) - (cx0 + cx1))
                    overlap = (mx0 < cx1, cx0 < mx1)
                else:
                    facing, along = my0 - cy1, ((mx0 + mx1) - (cx0 + cx1))
                    overlap = (mx0 < cx1, cx0 < mx1)
                model.Add(facing == gap).OnlyEnforceIf(lit)
                for condition in overlap:
                    model.Add(condition).OnlyEnforceIf(lit)
                # |along| <= offset2 (minimised by the objective, so tight at an optimum)
                model.Add(offset2 >= along).OnlyEnforceIf(lit)
                model.Add(offset2 >= -along).OnlyEnforceIf(lit)
        if reach is not None:
            model.Add(gap <= rules.max_die_to_die_um).OnlyEnforceIf(reach)
        weight = max(1, round(die.bandwidth_gbps))
        terms.append(weight * (2 * gap + offset2))
    v.interconnect = sum(terms) if terms else 0
