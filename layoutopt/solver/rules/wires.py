"""Bond fingers and wires as ring widths and row counts (docs/rules.md ``finger_ring``
rows, ``finger_fit``, ``wire_drop``, ``wire_length``, ``wire_clearance``, ``wire_crossing``).

The validator checks each wire of :mod:`layoutopt.bonding` exactly; the model holds
sufficient linear conditions, so every answer passes it:

- *Rows*: a stack side holds ``rows_per_tier`` finger rows per wire-bonded die bonding
  there (a ``bonds`` literal per die, stack and side: member and turned to face it), and
  its ring is as wide as the rows (the container's ``ring_um``).
- *Drop*: a die's wires descend from ``z_top + wire_loop`` to their fingers' level (the
  substrate, or a PoP's top substrate over the stack's root) over at least the pad's
  inset in the stack box plus the innermost row's distance, so
  ``drop <= tan(angle) x (inset + r_0)`` suffices (``tan`` rounded down in thousandths;
  the die's own rows are further out).
- *Length*: a wire is no longer than its rise, its plan length and its drop (each
  segment's length is at most the sum of its legs), and its plan length at most the
  radial span to the outermost row of the side plus the fan-out of its fingers.
- *Clearance*: with every descent at the same angle, an upper tier's wire stands over a
  lower tier's by ``min(step in die tops, row distance x tan(angle))``; the die tops of a
  stack differ by at least the upper die's thickness and joint, the rows of two tiers by
  at least a row pitch. When either minimum is below ``wire_clearance_um`` the model keeps
  such dies off one side together.
- *Crossing*: straight wires (fingers at their pads' laterals) never cross; a die whose
  fingers fan out bonds alone on its side.
- *Fit*: fingers within the die's own edge lie within the stack's side; a die whose fan
  is wider than its edge is not turned to bond that way.

Rule groups: ``finger_ring`` (rows and fit), ``wire_drop``, ``wire_length``,
``wire_clearance`` (clearance and crossing).
"""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from layoutopt.model import BondType, Die, Edge, Family, in_compass_order, rotate_edge
from layoutopt.solver.boxes import Expr
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.instance import Instance
from layoutopt.solver.variables import DieVars, Variables

__all__ = ["build", "fan_out_um", "is_fanned", "tan_thousandths"]

_SIDES = (Edge.WEST, Edge.SOUTH, Edge.EAST, Edge.NORTH)
_Bonds = dict[tuple[str, str, Edge], cp_model.IntVar]  # (die, root, side) -> bonds there


def tan_thousandths(angle_deg: float) -> int:
    """``floor(1000 tan(angle))``: a rational slope no steeper than the angle.

    >>> tan_thousandths(45.0), tan_thousandths(30.0)
    (999, 577)
    """
    return math.floor(1000 * math.tan(math.radians(angle_deg)) - 1e-9)


def _has_wires(die: Die) -> bool:
    return die.bond is BondType.WIRE_BOND and die.pad_count > 0 and die.pad_pitch_um > 0


def is_fanned(die: Die, edge: Edge, rows_per_tier: int, finger_pitch_um: int) -> bool:
    """Whether the fingers of ``edge`` fan out (the tier's rows cannot hold the pad pitch)."""
    return (
        die.pads_on(edge) > 1
        and finger_pitch_um > 0
        and rows_per_tier * die.pad_pitch_um < finger_pitch_um
    )


def fan_out_um(die: Die, edge: Edge, rows_per_tier: int, finger_pitch_um: int) -> int:
    """Most lateral run of a wire of ``edge`` from its pad to its finger (µm, rounded up by
    one for the centring floors of :mod:`layoutopt.bonding`).

    >>> from layoutopt.model import BondType, DieKind
    >>> d = Die("D", "d", DieKind.DRAM, 5000, 5000, 40, 0.0, 85.0, BondType.WIRE_BOND,
    ...         pad_edges=frozenset({Edge.WEST}), pad_count=11, pad_pitch_um=30)
    >>> fan_out_um(d, Edge.WEST, 1, 80), fan_out_um(d, Edge.WEST, 2, 60)
    (252, 0)
    """
    if not is_fanned(die, edge, rows_per_tier, finger_pitch_um):
        return 0
    n = die.pads_on(edge)
    spacing = -(-finger_pitch_um // rows_per_tier)
    return (n - 1) * (spacing - die.pad_pitch_um) // 2 + 2


def _facing(d: DieVars, side: Edge) -> list[tuple[cp_model.IntVar, Edge]]:
    """(rotation literal, the die's own edge) for each rotation that turns a pad edge to
    ``side``."""
    out = []
    for rotation, literal in sorted(d.rotation.items()):
        for edge in in_compass_order(d.die.pad_edges):
            if rotate_edge(edge, rotation) is side:
                out.append((literal, edge))
    return out


def build(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    rules = instance.design.rules
    if rules.bond_finger_ring_um <= 0:
        return
    bonds = _bond_literals(model, v)
    _rows(model, v, instance, bonds)
    _drop_and_length(model, v, instance)
    _clearance_and_crossing(model, v, instance, bonds)
    _fit(model, v, instance)


def _bond_literals(model: cp_model.CpModel, v: Variables) -> _Bonds:
    """``bonds[die, root, side]``: the die belongs to the stack and bonds on that side
    (implied by membership and a facing rotation; true otherwise only adds rows)."""
    out: _Bonds = {}
    for d in v.dies.values():
        if d.die.bond is not BondType.WIRE_BOND or not d.die.pad_edges:
            continue
        for root, member in sorted(d.member.items()):
            for side in _SIDES:
                facing = _facing(d, side)
                if not facing:
                    continue
                literal = model.new_bool_var(f"{d.die.id}|{root}.bonds[{side.value}]")
                for rotation, _ in facing:
                    model.add_bool_or([member.negated(), rotation.negated(), literal])
                out[d.die.id, root, side] = literal
    return out


def _rows(model: cp_model.CpModel, v: Variables, instance: Instance, bonds: _Bonds) -> None:
    """Rule ``finger_ring`` (rows): each bonding die takes ``rows_per_tier`` rows."""
    q = instance.design.rules.rows_per_tier
    group = v.groups[RuleGroup.FINGER_RING]
    for root, stack in v.stacks.items():
        for side in _SIDES:
            mine = [lit for (_, r, s), lit in bonds.items() if r == root and s is side]
            if mine:
                model.add(stack.rows[side] >= q * sum(mine)).only_enforce_if(group)


def _drop_and_length(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    rules = instance.design.rules
    loop = rules.wire_loop_um
    r0 = rules.bond_finger_ring_um - rules.finger_row_pitch_um // 2  # the innermost row
    q, fp = rules.rows_per_tier, rules.finger_pitch_um
    slope = tan_thousandths(rules.max_drop_angle_deg) if rules.max_drop_angle_deg > 0 else 0
    drop_group, length_group = v.groups[RuleGroup.WIRE_DROP], v.groups[RuleGroup.WIRE_LENGTH]
    for d in v.dies.values():
        if not _has_wires(d.die):
            continue
        for root, member in sorted(d.member.items()):
            drop: Expr = d.top_um + loop - _finger_level(instance, root)
            stack = v.stacks[root]
            for side in _SIDES:
                for rotation, edge in _facing(d, side):
                    inset = stack.box.inset(d.box, side)
                    when = [member, rotation]
                    if slope > 0:
                        model.add(1000 * drop <= slope * (inset + r0)).only_enforce_if(
                            [*when, drop_group]
                        )
                    if rules.max_wire_length_um > 0:
                        outer = r0 + rules.finger_row_pitch_um * (stack.rows[side] - 1)
                        fan = fan_out_um(d.die, edge, q, fp)
                        length = loop + inset + outer + fan + drop
                        model.add(length <= rules.max_wire_length_um).only_enforce_if(
                            [*when, length_group]
                        )


def _finger_level(instance: Instance, root: str) -> int:
    """The lowest the fingers of the stack rooted at ``root`` lie (:mod:`layoutopt.bonding`):
    the substrate, or in a PoP over a flip-chip root the top of the top package's substrate,
    ``pop_gap_um`` over the root at its thinnest (exact for a root of one thickness; a
    constant keeps the bound linear in the die's top alone)."""
    rules = instance.design.rules
    die = instance.die(root)
    if rules.family is Family.POP and die.bond is BondType.FLIP_CHIP:
        thinnest = min((die.thickness_um, *die.allowed_thickness_um))
        return rules.base_thickness_um + rules.joint_um(die, None) + thinnest + rules.pop_gap_um
    return rules.base_thickness_um


def _steps_clear(instance: Instance) -> bool:
    """Whether any two tiers' wires clear by ``wire_clearance_um`` wherever they meet."""
    rules = instance.design.rules
    need = rules.wire_clearance_um
    if rules.max_drop_angle_deg <= 0:
        return False
    rows_clear = rules.finger_row_pitch_um * math.tan(math.radians(rules.max_drop_angle_deg))
    if rows_clear < need:
        return False
    for up in instance.design.dies:
        if not _has_wires(up):
            continue
        thinnest = min((up.thickness_um, *up.allowed_thickness_um))
        joints = [rules.joint_um(up, instance.die(lo)) for lo in instance.lower[up.id]]
        if joints and thinnest + min(joints) < need:
            return False
    return True


def _clearance_and_crossing(
    model: cp_model.CpModel, v: Variables, instance: Instance, bonds: _Bonds
) -> None:
    """Rules ``wire_clearance`` and ``wire_crossing``: dies whose wires could come too close
    (or cross) do not bond on one side of one stack together."""
    rules = instance.design.rules
    group = v.groups[RuleGroup.WIRE_CLEARANCE]
    q, fp = rules.rows_per_tier, rules.finger_pitch_um
    keep_apart = rules.wire_clearance_um > 0 and not _steps_clear(instance)
    for root in v.stacks:
        for side in _SIDES:
            mine = sorted(
                (die_id, lit)
                for (die_id, r, s), lit in bonds.items()
                if r == root and s is side and _has_wires(instance.die(die_id))
            )
            if len(mine) < 2:
                continue
            if keep_apart:
                model.add(sum(lit for _, lit in mine) <= 1).only_enforce_if(group)
                continue
            for die_id, lit in mine:
                die = instance.die(die_id)
                if any(is_fanned(die, e, q, fp) for e in in_compass_order(die.pad_edges)):
                    others = [o for other, o in mine if other != die_id]
                    for o in others:
                        model.add_bool_or([lit.negated(), o.negated()]).only_enforce_if(group)


def _fit(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Rule ``finger_fit``: a die's fingers stay within its own edge, which the stack box
    holds (straight fingers always do; a fan wider than the edge is not used: the model's
    box may be larger than the true one, so only the die's own edge is a sound bound)."""
    rules = instance.design.rules
    q, fp = rules.rows_per_tier, rules.finger_pitch_um
    group = v.groups[RuleGroup.FINGER_RING]
    spacing = -(-fp // q) if fp > 0 else 0
    for d in v.dies.values():
        if not _has_wires(d.die):
            continue
        for side in _SIDES:
            for rotation, edge in _facing(d, side):
                if not is_fanned(d.die, edge, q, fp):
                    continue
                span = d.die.length_um if edge in (Edge.WEST, Edge.EAST) else d.die.width_um
                # the fan about the pads' centre, with the centring floors' slack
                if (d.die.pads_on(edge) - 1) * spacing + 4 > span:
                    model.add(rotation == 0).only_enforce_if(group)
