"""Finger rings (which sides), wire reach, and the spacing between stacks.

Rules: docs/rules.md ``finger_ring`` (a wire-bonded member's pad side carries a ring),
``finger_fillet`` (no ring inside a substrate-level flip-chip fillet), ``wire_reach`` and
``spacing`` (keep regions of stacks on the same face apart by the largest spacing of their
possible kinds: pairwise on small designs, plus a redundant global no-overlap; on large
ones a NoOverlap2D per face, pairwise only where a pair needs more).

``finger_fillet`` needs a constraint only inside a stack: a ring lies just outside its
stack's box, so it clears the fillet of the stack's flip-chip root when each die bonding on
that side stands at least the fillet beyond the root. Another stack's fillet is inside that
stack's keep region, which ``spacing`` keeps apart from this keep region (ring included).
"""

from __future__ import annotations

import itertools

from ortools.sat.python import cp_model

from layoutopt.model import BondType, DieKind, Edge, Family, in_compass_order
from layoutopt.solver.boxes import Expr
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.instance import Instance
from layoutopt.solver.variables import DieVars, StackVars, Variables

__all__ = ["build", "possible_kinds"]


def possible_kinds(instance: Instance, root: str) -> tuple[DieKind, ...]:
    """Kinds of every die that may end up in the stack rooted at ``root`` (sorted)."""
    kinds = {instance.die(i).kind for i in instance.members[root]}
    return tuple(sorted(kinds, key=lambda k: k.value))


def build(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    rules = instance.design.rules
    for d in v.dies.values():
        if d.die.bond is not BondType.WIRE_BOND:
            continue
        for root, member in d.member.items():
            stack = v.stacks[root]
            for rotation, literal in d.rotation.items():
                for edge in in_compass_order(d.die.pad_edges_at(rotation)):
                    if rules.bond_finger_ring_um > 0:
                        ring = stack.ring[edge]
                        group = v.groups[RuleGroup.FINGER_RING]
                        model.add_implication(member, ring).only_enforce_if([literal, group])
                        _fillet_clear(model, v, instance, d, root, edge, [member, literal])
                    if rules.max_wire_span_um > 0:
                        _wire_reach(
                            model, v, stack, d, edge, rules.max_wire_span_um, [member, literal]
                        )
    _spacing(model, v, instance)


def _wire_reach(
    model: cp_model.CpModel,
    v: Variables,
    stack: StackVars,
    d: DieVars,
    edge: Edge,
    span_um: int,
    enforce: list[cp_model.IntVar],
) -> None:
    """Rule ``wire_reach``: the pad edge lies within ``span_um`` of the stack's outer edge.

    The model's box may be larger than the true one, which only makes this stricter."""
    limit = v.groups[RuleGroup.WIRE_REACH]
    model.add(stack.box.inset(d.box, edge) <= span_um).only_enforce_if([*enforce, limit])


def _fillet_clear(
    model: cp_model.CpModel,
    v: Variables,
    instance: Instance,
    d: DieVars,
    root: str,
    edge: Edge,
    enforce: list[cp_model.IntVar],
) -> None:
    """Rule ``finger_fillet`` within a stack: a wire-bonded member's pad edge stands at
    least the fillet beyond its flip-chip root on that side.

    Stated on the member, not on the model's box (which may be larger than the true one):
    the true ring lies beyond the member's side, so it clears the fillet."""
    fillet = instance.design.rules.underfill_fillet_um
    base = v.dies[root]
    if fillet <= 0 or base.die.bond is not BondType.FLIP_CHIP or base is d:
        return
    if instance.design.family is Family.POP:
        return  # a PoP's memory on the SoC bonds to the top substrate, above the fillet
    top_face = [] if base.bottom is None else [base.bottom.negated()]
    group = v.groups[RuleGroup.FINGER_RING]
    model.add(d.box.inset(base.box, edge) >= fillet).only_enforce_if(
        [*enforce, base.base, *top_face, group]
    )


def _same_face(model: cp_model.CpModel, a: DieVars, b: DieVars) -> list[cp_model.IntVar]:
    """A literal true when two possible bottom-face roots are on the same face."""
    if a.bottom is None and b.bottom is None:
        return []
    same = model.new_bool_var(f"{a.die.id}|{b.die.id}.same_face")
    lhs = 0 if a.bottom is None else a.bottom
    rhs = 0 if b.bottom is None else b.bottom
    model.add(lhs == rhs).only_enforce_if(same)
    model.add(lhs != rhs).only_enforce_if(same.negated())
    return [same]


# Up to this many possible stack roots the rule is stated pair by pair (with a redundant
# NoOverlap2D): one worker proves the CMC's interconnect optimum in 61 s so, 207 s with the
# NoOverlap2D alone (ai_pc_cmc, load 9). Past it the pairs' build cost dominates: 1,000
# roots took 162 s to build pairwise (499,500 disjunctions; benchmarks/bench_time_limits.py).
PAIRWISE_MAX_ROOTS = 60


def _spacing(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Rule ``spacing``: pair by pair on small designs, else in a model whose size grows
    with the stacks, not with their pairs.

    Two boxes grown by ``s`` on their east and north sides overlap exactly when the boxes
    are less than ``s`` apart in both axes, so one NoOverlap2D per face over the keep
    regions grown by the least spacing any pair needs *is* the rule for every pair that
    needs no more (all pairs, when the spacing is uniform: the usual large design). Pairs
    that need more get a pairwise disjunction as well."""
    rules = instance.design.rules
    group = v.groups[RuleGroup.SPACING]
    if len(instance.roots) <= PAIRWISE_MAX_ROOTS:
        kinds = {root: possible_kinds(instance, root) for root in instance.roots}
        for r1, r2 in itertools.combinations(instance.roots, 2):
            need = max(rules.spacing_um(a, c) for a in kinds[r1] for c in kinds[r2])
            _apart(model, v, r1, r2, need, group)
        _redundant_no_overlap(model, v, instance)
        return
    classes: dict[tuple[DieKind, ...], list[str]] = {}  # roots by their possible kinds
    for root in instance.roots:
        classes.setdefault(possible_kinds(instance, root), []).append(root)
    keys = list(classes)
    need_um: dict[tuple[int, int], int] = {}
    for i, a in enumerate(keys):
        for j in range(i, len(keys)):
            if i == j and len(classes[a]) < 2:
                continue
            need_um[i, j] = max(rules.spacing_um(x, y) for x in a for y in keys[j])
    least = min(need_um.values(), default=0)
    _no_overlap_per_face(model, v, instance, least, group)
    for (i, j), apart_um in need_um.items():
        if apart_um <= least:
            continue
        one, other = classes[keys[i]], classes[keys[j]]
        pairs = itertools.combinations(one, 2) if i == j else itertools.product(one, other)
        for r1, r2 in pairs:
            _apart(model, v, r1, r2, apart_um, group)


def _apart(
    model: cp_model.CpModel,
    v: Variables,
    r1: str,
    r2: str,
    need_um: int,
    group: cp_model.IntVar,
) -> None:
    """Two stacks on the same face apart by ``need_um`` on one side; with the spacing
    relaxed, still apart."""
    d1, d2 = v.dies[r1], v.dies[r2]
    enforce = [d1.base, d2.base, *_same_face(model, d1, d2)]
    k1, k2 = v.stacks[r1].keep, v.stacks[r2].keep
    sides = []
    for edge in Edge:
        side = model.new_bool_var(f"{r1}|{r2}.apart[{edge.value}]")
        model.add(k1.gap_beyond(k2, edge) >= need_um * group).only_enforce_if(side)
        sides.append(side)
    model.add_bool_or(sides).only_enforce_if(enforce)


def _on_faces(model: cp_model.CpModel, d: DieVars) -> tuple[cp_model.IntVar, ...]:
    """Literals: the stack rooted at ``d`` stands on the top face, on the bottom face."""
    if d.bottom is None:
        return (d.base,)
    name = d.die.id
    top = model.new_bool_var(f"{name}.base_on_top")
    bottom = model.new_bool_var(f"{name}.base_on_bottom")
    for literal, face in ((top, d.bottom.negated()), (bottom, d.bottom)):
        model.add_bool_and([d.base, face]).only_enforce_if(literal)
        model.add_bool_or([d.base.negated(), face.negated(), literal])
    return top, bottom


def _grown(
    model: cp_model.CpModel,
    low: Expr,
    high: Expr,
    bounds: tuple[int, int],
    grow_um: int,
    group: cp_model.IntVar,
    name: str,
) -> tuple[Expr, Expr, Expr]:
    """(start, size, end) of ``[low, high + grow_um * group)`` as affine terms (an
    interval takes nothing else; ``low`` and ``high`` are variables of the container)."""
    lo, hi = bounds
    end: Expr = high
    if grow_um > 0:
        end = model.new_int_var(lo, hi + grow_um, f"{name}.end_um")
        model.add(end == high + grow_um * group)
    size = model.new_int_var(0, hi - lo + grow_um, f"{name}.size_um")
    model.add(size == end - low)
    return low, size, end


def _no_overlap_per_face(
    model: cp_model.CpModel,
    v: Variables,
    instance: Instance,
    grow_um: int,
    group: cp_model.IntVar,
) -> None:
    """One NoOverlap2D per face over the keep regions of the stacks on it, each grown by
    ``grow_um`` (times the spacing group's literal) on its east and north sides."""
    Intervals = list[cp_model.IntervalVar]
    faces: tuple[tuple[Intervals, Intervals], ...] = (([], []), ([], []))
    for root in instance.roots:
        keep, name = v.stacks[root].keep, f"stack[{root}].spaced"
        x = _grown(model, keep.x0, keep.x1, instance.x_range_um, grow_um, group, name + "_x")
        y = _grown(model, keep.y0, keep.y1, instance.y_range_um, grow_um, group, name + "_y")
        for face, present in enumerate(_on_faces(model, v.dies[root])):
            xs, ys = faces[face]
            xs.append(model.new_optional_interval_var(*x, present, f"{name}_x[{face}]"))
            ys.append(model.new_optional_interval_var(*y, present, f"{name}_y[{face}]"))
    for xs, ys in faces:
        if len(xs) > 1:
            model.add_no_overlap_2d(xs, ys)


def _redundant_no_overlap(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """A global NoOverlap2D over top-side keep regions: implied by the pairwise rules, but
    its energetic reasoning prunes far better on crowded packages."""
    x_intervals, y_intervals = [], []
    span = instance.span_um
    for root in instance.roots:
        base = v.dies[root]
        if base.bottom is not None:
            continue
        keep = v.stacks[root].keep
        width = model.new_int_var(0, span, f"stack[{root}].keep_width_um")
        length = model.new_int_var(0, span, f"stack[{root}].keep_length_um")
        model.add(width == keep.x1 - keep.x0)
        model.add(length == keep.y1 - keep.y0)
        x_intervals.append(
            model.new_optional_interval_var(
                keep.x0, width, keep.x1, base.base, f"stack[{root}].keep_x"
            )
        )
        y_intervals.append(
            model.new_optional_interval_var(
                keep.y0, length, keep.y1, base.base, f"stack[{root}].keep_y"
            )
        )
    if len(x_intervals) > 1:
        model.add_no_overlap_2d(x_intervals, y_intervals)
