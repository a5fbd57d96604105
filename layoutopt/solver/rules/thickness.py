"""Package thickness limit and stack height.

Rules: docs/rules.md ``thickness`` (the limit; that the package stands above every die is
the definition of ``package.thickness_um`` in :mod:`layoutopt.solver.variables`) and
``stack_height``; plus a redundant lower bound on each stack's height.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.instance import Instance
from layoutopt.solver.variables import Variables

__all__ = ["build"]


def build(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    design = instance.design
    rules = design.rules
    limit = v.groups[RuleGroup.MAX_THICKNESS]
    model.add(v.package.thickness_um <= design.envelope.max_thickness_um).only_enforce_if(limit)
    if rules.max_stack_height_um > 0:
        group = v.groups[RuleGroup.STACK_HEIGHT]
        for d in v.dies.values():
            for root, member in d.member.items():
                height = d.top_um - v.dies[root].z_um
                model.add(height <= rules.max_stack_height_um).only_enforce_if([member, group])
    _stack_sums(model, v, instance)


def _least_um(instance: Instance, die_id: str) -> int:
    """The least a die adds to its stack: its thinnest joint and thinnest option."""
    rules, die = instance.design.rules, instance.die(die_id)
    joints = [rules.joint_um(die, instance.die(lo)) for lo in instance.lower[die_id]]
    if die_id in instance.members:  # the roots, as dict keys
        joints.append(rules.joint_um(die, None))
    return min(joints) + min((die.thickness_um, *die.allowed_thickness_um))


def _stack_sums(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Redundant: a stack is at least as tall as the sum of its members' thinnest joints
    and dies. Implied by the z chain, but it gives the thickness stage a tight bound
    without branching on who rests on whom."""
    rules = instance.design.rules
    if rules.fan_out.flipped:
        return  # tier 0 is the top of its stack: the z chain alone gives the height
    clearance = min(rules.top_clearance_um(d) for d in instance.design.dies)
    stack_height = v.groups[RuleGroup.STACK_HEIGHT]
    for root in instance.roots:
        base = v.dies[root]
        if base.bottom is not None:
            continue
        above = sum(
            _least_um(instance, m) * v.dies[m].member[root]
            for m in instance.members[root]
            if m != root
        )
        model.add(v.package.thickness_um >= base.top_um + above + clearance).only_enforce_if(
            base.base
        )
        if rules.max_stack_height_um > 0:
            model.add(base.thickness_um + above <= rules.max_stack_height_um).only_enforce_if(
                [base.base, stack_height]
            )
