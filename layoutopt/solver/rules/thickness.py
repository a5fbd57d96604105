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
    _stack_sums(model, v, ctx)
    if rules.max_stack_height_um > 0:
        group = v.group(model, "stack_height")
        for (i, b), member in v.member.items():
            model.Add(v.z[i] + v.th[i] - v.z[b] <= rules.max_stack_height_um).OnlyEnforceIf(
                [member, group]
            )


def _min_joint_um(ctx: ModelContext, i: int) -> int:
    rules, dies = ctx.design.rules, ctx.design.dies
    options = [rules.joint_um(dies[i], dies[j]) for j in ctx.lower[i]]
    if i in ctx.roots:
        options.append(rules.joint_um(dies[i], None))
    return min(options)


def _stack_sums(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    """Redundant: a stack is at least as tall as the sum of its members' thinnest joints
    and dies. Implied by the z chain, but it gives the thickness stage a tight bound
    without branching on who rests on whom."""
    dies, rules = ctx.design.dies, ctx.design.rules
    clearance = min(rules.top_clearance_um(d) for d in dies)
    for b in ctx.roots:
        members = [i for i in range(ctx.n) if (i, b) in v.member]
        least = {
            i: _min_joint_um(ctx, i) + min((dies[i].thickness_um, *dies[i].allowed_thickness_um))
            for i in members
        }
        total = sum(least[i] * v.member[i, b] for i in members if i != b)
        if b in v.bottom:
            continue
        model.Add(v.height >= v.z[b] + v.th[b] + total + clearance).OnlyEnforceIf(v.base[b])
        if rules.max_stack_height_um > 0:
            model.Add(v.th[b] + total <= rules.max_stack_height_um).OnlyEnforceIf(
                [v.base[b], v.group(model, "stack_height")]
            )
