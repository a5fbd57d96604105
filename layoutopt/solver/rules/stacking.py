"""Stacks: who rests on whom, tiers, z levels, overhang, pad exposure and support.

A stack is a chain: each die rests on the substrate (``base``) or on exactly one die, and
carries at most one. ``member[root]`` says the die belongs to the stack whose tier-0 die
is ``root``. Rules: docs/rules.md ``stack_order``, ``overhang``, ``pad_exposure``,
``pad_support``, ``film_over_wire``, ``z`` (both faces); plus symmetry breaking between
identical dies. A turned staircase is a choice per die (``film_over_wire``: the die turns
its stack there, on the film, over the pads below), at most one per stack, so per stack
CP-SAT picks the turn tier or none.

The primer's pattern: build this module alone on a fresh container, fix a few variables,
and read what the rule implies (here: a 40 µm die on another sits 40 µm higher, with the
rules' joints all zero):

>>> from ortools.sat.python import cp_model
>>> from shapely.geometry import box
>>> from layoutopt.interrupt import InterruptibleCpSolver
>>> from layoutopt.model import BondType, Design, Die, DieKind, Envelope, Family, ProcessRules
>>> from layoutopt.solver.instance import build_instance
>>> from layoutopt.solver.variables import create_variables
>>> d0 = Die("D0", "dram", DieKind.DRAM, 3000, 3000, 40, 0.1, 85.0, BondType.WIRE_BOND)
>>> d1 = Die("D1", "dram", DieKind.DRAM, 3000, 3000, 40, 0.1, 85.0, BondType.WIRE_BOND)
>>> rules = ProcessRules(Family.EPOP, max_dies_per_stack=2,
...                      stack_pairs=((DieKind.DRAM, DieKind.DRAM),))
>>> instance = build_instance(Design("two", (d0, d1), rules, Envelope(box(0, 0, 9000, 9000), 900)), 10)
>>> model = cp_model.CpModel()
>>> v = create_variables(model, instance)
>>> build(model, v, instance)
>>> model.add(v.die("D1").on["D0"] == 1)  # doctest: +ELLIPSIS
<...>
>>> solver = InterruptibleCpSolver()
>>> solver.status_name(solver.solve(model)), solver.value(v.die("D1").z_um), solver.value(v.die("D1").tier)
('OPTIMAL', 40, 1)
"""

from __future__ import annotations

import itertools

from ortools.sat.python import cp_model

from layoutopt.model import BondType, Edge, in_compass_order
from layoutopt.solver.boxes import Box, Expr
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.instance import Instance, identity_classes
from layoutopt.solver.variables import DieVars, Variables

__all__ = ["build"]

_PAD_BONDS = (BondType.WIRE_BOND, BondType.VERTICAL_WIRE)


def build(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    _assignment(model, v, instance)
    _stack_limit(model, v, instance)
    _levels(model, v, instance)
    for upper in v.dies.values():
        for lower_id, on in upper.on.items():
            _on_top(model, v, instance, upper, v.dies[lower_id], on)
    _bottom_side(model, v, instance)
    _turns(model, v, instance)
    _symmetry(model, v, instance)


def _assignment(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Each die on the substrate or on one die; at most one die on each; membership
    follows the chain (resting on a member of stack ``root`` makes you one)."""
    for d in v.dies.values():
        if d.die.id not in v.stacks:  # a dict: no scan of the roots per die
            model.add(d.base == 0)
        model.add_exactly_one([d.base, *d.on.values()])
        model.add_exactly_one(d.member.values())
    uppers: dict[str, list[cp_model.IntVar]] = {lower_id: [] for lower_id in instance.die_ids}
    for d in v.dies.values():
        for lower_id, on in d.on.items():
            uppers[lower_id].append(on)
    for lower_id in instance.die_ids:
        if len(uppers[lower_id]) > 1:
            model.add_at_most_one(uppers[lower_id])
    for upper in v.dies.values():
        for lower_id, on in upper.on.items():
            for root, lower_member in v.dies[lower_id].member.items():
                if root in upper.member:
                    model.add_implication(on, upper.member[root]).only_enforce_if(lower_member)
                else:
                    model.add_implication(on, lower_member.negated())


def _stack_limit(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """At most ``max_dies_per_stack`` dies per stack (tiers below the limit), and the
    redundant counts that follow: no stack holds more, so there are enough stacks."""
    limit = instance.design.rules.max_dies_per_stack
    group = v.groups[RuleGroup.STACK_LIMIT]
    for d in v.dies.values():
        model.add(d.tier <= max(0, limit - 1)).only_enforce_if(group)
    for root in instance.roots:
        members = [v.dies[m].member[root] for m in instance.members[root]]
        if len(members) > limit:
            model.add(sum(members) <= limit).only_enforce_if(group)
    least = -(-len(v.dies) // max(1, limit))
    model.add(sum(v.dies[root].base for root in instance.roots) >= least).only_enforce_if(group)


def _levels(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Rule ``z`` (top side) and the tiers: each die one joint above what it rests on."""
    rules = instance.design.rules
    if rules.fan_out.flipped:
        _flipped_levels(model, v, instance)
        return
    for d in v.dies.values():
        model.add(d.tier == 0).only_enforce_if(d.base)
        enforce = [d.base] if d.bottom is None else [d.base, d.bottom.negated()]
        z_base = rules.base_thickness_um + rules.joint_um(d.die, None)
        model.add(d.z_um == z_base).only_enforce_if(enforce)
        fow = d.film_over_wire
        for lower_id, on in d.on.items():
            lower = v.dies[lower_id]
            model.add(d.tier == lower.tier + 1).only_enforce_if(on)
            joint: Expr = rules.joint_um(d.die, lower.die)
            if fow is not None:  # the turn's film instead of the joint
                joint += (rules.film_over_wire_um - rules.joint_um(d.die, lower.die)) * fow
            model.add(d.z_um == lower.top_um + joint).only_enforce_if(on)
            if rules.on_top_package(d.die, lower.die):
                _pop_floor(model, v, instance, lower, on)


def _pop_floor(
    model: cp_model.CpModel, v: Variables, instance: Instance, soc: DieVars, on: cp_model.IntVar
) -> None:
    """Rule ``pop_package``: the top substrate, set on ``soc`` (the bottom die the top
    package rests on), clears every other part of the bottom package as it clears ``soc``
    (the same mold cap and air gap over each): no tier-0 die stands taller."""
    for root in instance.roots:
        other = v.dies[root]
        if root == soc.die.id:
            continue
        enforce = [on, other.base] + ([other.bottom.negated()] if other.bottom is not None else [])
        model.add(other.top_um <= soc.top_um).only_enforce_if(enforce)


def _flipped_levels(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Rule ``z`` in a vertical-wire fan-out: the stack hangs face down from the RDL, its
    last tier nearest (one standoff up), each die one joint above the die it carries."""
    rules = instance.design.rules
    nearest = rules.base_thickness_um + rules.vertical_wire_standoff_um
    carried_by: dict[str, list[cp_model.IntVar]] = {die_id: [] for die_id in v.dies}
    for d in v.dies.values():
        model.add(d.tier == 0).only_enforce_if(d.base)
        for lower_id, on in d.on.items():
            lower = v.dies[lower_id]
            model.add(d.tier == lower.tier + 1).only_enforce_if(on)
            joint = rules.joint_um(d.die, lower.die)
            model.add(lower.z_um == d.top_um + joint).only_enforce_if(on)
            carried_by[lower_id].append(on)
    for die_id, d in v.dies.items():
        carried = model.new_bool_var(f"{die_id}.carries")
        model.add(sum(carried_by[die_id]) == carried)  # at most one rests on a die
        enforce = (
            [carried.negated()] if d.bottom is None else [carried.negated(), d.bottom.negated()]
        )
        model.add(d.z_um == nearest).only_enforce_if(enforce)


def _pad_sides(d: DieVars, rotation_deg: int) -> tuple[Edge, ...]:
    """The die's pad edges after rotation, when its pads need exposure and support."""
    if d.die.bond not in _PAD_BONDS:
        return ()
    return in_compass_order(d.die.pad_edges_at(rotation_deg))


def _on_top(
    model: cp_model.CpModel,
    v: Variables,
    instance: Instance,
    upper: DieVars,
    lower: DieVars,
    on: cp_model.IntVar,
) -> None:
    """Rules ``overhang``, ``pad_exposure`` and ``pad_support`` for ``upper`` on ``lower``.

    A PoP's top package stands on its own substrate, not on the SoC below it: neither
    overhang nor pad support applies across the interface (its die edge keep-out does).
    """
    rules = instance.design.rules
    if rules.on_top_package(upper.die, lower.die):
        return
    up, lo = upper.box, lower.box
    overhang = v.groups[RuleGroup.OVERHANG]
    for edge in Edge:
        model.add(lo.inset(up, edge) >= -rules.max_overhang_um).only_enforce_if([on, overhang])
    # The die below keeps its pad rows exposed (a staircase); at the turn the film covers
    # them, and the die above only does not reach past them ...
    staircase = v.groups[RuleGroup.STAIRCASE]
    offset_um = rules.staircase_offset_um
    fow = upper.film_over_wire
    for rotation, literal in lower.rotation.items():
        for edge in _pad_sides(lower, rotation):
            if fow is None:
                _stay_back(model, lo, up, edge, offset_um * staircase, [on, literal])
            else:
                _stay_back(model, lo, up, edge, 0, [on, literal])
                _stay_back(model, lo, up, edge, offset_um * staircase, [on, literal, ~fow])
    # ... and the die above is supported under its own pad rows (no bonding on an overhang).
    for rotation, literal in upper.rotation.items():
        for edge in _pad_sides(upper, rotation):
            _stay_back(model, lo, up, edge, 0, [on, literal])


def _stay_back(
    model: cp_model.CpModel,
    lower: Box,
    upper: Box,
    edge: Edge,
    by: Expr,
    enforce: list[cp_model.LiteralT],
) -> None:
    model.add(lower.inset(upper, edge) >= by).only_enforce_if(enforce)


def _bottom_side(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Rule ``z`` (bottom side): a bottom-face part is at tier 0, carries nothing, and
    hangs from the substrate among the balls."""
    rules = instance.design.rules
    for d in v.dies.values():
        if d.bottom is None:
            continue
        model.add_implication(d.bottom, d.base)
        for other in v.dies.values():
            if d.die.id in other.on:
                model.add_implication(d.bottom, other.on[d.die.id].negated())
        hang = rules.ball_height_um - rules.joint_um(d.die, None) - d.die.thickness_um
        model.add(d.z_um == hang).only_enforce_if(d.bottom)


def _turns(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Rule ``film_over_wire``: a die turns its stack's staircase only on a wire-bonded
    die, facing its pads away from that die's, and once per stack."""
    turning = [(d, d.film_over_wire) for d in v.dies.values() if d.film_over_wire is not None]
    for d, fow in turning:
        model.add_implication(fow, ~d.base)
        for lower_id, on in sorted(d.on.items()):
            lower = v.dies[lower_id]
            if lower.die.bond is not BondType.WIRE_BOND or not lower.die.pad_edges:
                model.add_bool_or([~fow, ~on])
                continue
            for (a, up_rot), (b, lo_rot) in itertools.product(
                sorted(d.rotation.items()), sorted(lower.rotation.items())
            ):
                if set(d.die.pad_edges_at(a)) & set(lower.die.pad_edges_at(b)):
                    model.add_bool_or([~fow, ~on, ~up_rot, ~lo_rot])
    for root in instance.roots:
        here = []
        for d, fow in turning:
            if root not in d.member:
                continue
            both = model.new_bool_var(f"{d.die.id}|{root}.turns")
            model.add_bool_or([~fow, ~d.member[root], both])
            here.append(both)
        if len(here) > 1:
            model.add_at_most_one(here)


def _symmetry(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Identical dies are interchangeable: order them by (stack root, tier).

    Relabelling identical dies maps any layout to one whose keys increase with the
    design order, so this cuts only duplicates, never a distinct layout.
    """
    n = len(instance.die_ids)
    for members in identity_classes(instance.design):
        if len(members) < 2:
            continue
        keys = []
        for die_id in members:
            d = v.dies[die_id]
            root_index = sum(instance.position[root] * lit for root, lit in d.member.items())
            keys.append(root_index * n + d.tier)
        for a, b in itertools.pairwise(keys):
            model.add(a < b)
        # Side-by-side copies on the substrate: order them in x as well.
        if all(m in v.stacks and not instance.lower[m] for m in members):
            for a_id, b_id in itertools.pairwise(members):
                model.add(v.dies[a_id].x_steps <= v.dies[b_id].x_steps)
