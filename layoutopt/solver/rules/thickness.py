"""Package thickness and stack height.

Rules: docs/rules.md ``thickness`` and ``stack_height``. ``v.height`` is an upper bound on
the exact thickness (equal at an optimum that minimises it); the layout reports the exact
value recomputed from the placements.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.solver.variables import ModelContext, Variables, z_cap_um

__all__ = ["build"]


def build(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    design = ctx.design
    rules = design.rules
    cap = z_cap_um(ctx)
    v.height = model.NewIntVar(rules.base_thickness_um, cap, "package_thickness_um")
    limit = v.group(model, "max_thickness")
    model.Add(v.height <= design.envelope.max_thickness_um).OnlyEnforceIf(limit)
    for i, die in enumerate(design.dies):
        top = v.z[i] + v.th[i] + rules.top_clearance_um(die)
        if i in v.bottom:
            model.Add(v.height >= top).OnlyEnforceIf(v.bottom[i].Not())
        else:
            model.Add(v.height >= top)
    if rules.max_stack_height_um > 0:
        group = v.group(model, "stack_height")
        for (i, b), member in v.member.items():
            model.Add(v.z[i] + v.th[i] - v.z[b] <= rules.max_stack_height_um).OnlyEnforceIf(
                [member, group]
            )
