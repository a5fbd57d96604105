"""Stack bounding boxes, finger rings, keep regions and the spacing between stacks.

Rules: docs/rules.md ``finger_ring`` (which sides) and ``spacing``. The model's box of a
stack may be larger than the true one and may carry a ring the stack does not need; both
only add room, so the answer stays legal.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.model import BondType, DieKind, Edge
from layoutopt.solver.variables import ModelContext, Variables, pairs

__all__ = ["build", "possible_kinds"]


def possible_kinds(ctx: ModelContext, root: int) -> set[DieKind]:
    """Kinds of every die that may end up in the stack whose tier-0 die is ``root``."""
    dies = ctx.design.dies
    return {dies[i].kind for i in range(ctx.n) if root in ctx.member_roots[i]}


def build(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    rules = ctx.design.rules
    dies = ctx.design.dies
    ring_um, fillet_um = rules.bond_finger_ring_um, rules.underfill_fillet_um
    for (i, b), member in v.member.items():
        model.Add(v.sx0[b] <= v.x[i]).OnlyEnforceIf(member)
        model.Add(v.sy0[b] <= v.y[i]).OnlyEnforceIf(member)
        model.Add(v.sx1[b] >= v.x[i] + v.w[i]).OnlyEnforceIf(member)
        model.Add(v.sy1[b] >= v.y[i] + v.l[i]).OnlyEnforceIf(member)
        if dies[i].bond is BondType.WIRE_BOND:
            for r, lit in v.rot[i].items():
                for side in dies[i].pad_edges_at(r):
                    if ring_um > 0:
                        model.AddImplication(member, v.ring[b, side]).OnlyEnforceIf(lit)
                    if rules.max_wire_span_um > 0:
                        _wire_reach(model, v, i, b, side, rules.max_wire_span_um, [member, lit])
    keep_bounds: dict[int, tuple[cp_model.IntVar, ...]] = {}
    for b in ctx.roots:
        fillet = fillet_um if dies[b].bond is BondType.FLIP_CHIP else 0
        exprs = (
            v.sx0[b] - ring_um * v.ring[b, Edge.WEST] - fillet,
            v.sy0[b] - ring_um * v.ring[b, Edge.SOUTH] - fillet,
            v.sx1[b] + ring_um * v.ring[b, Edge.EAST] + fillet,
            v.sy1[b] + ring_um * v.ring[b, Edge.NORTH] + fillet,
        )
        bounds = []
        for k, expr in enumerate(exprs):
            var = model.NewIntVar(-(10**7), 10**7, f"keep{k}[{dies[b].id}]")
            model.Add(var == expr)
            bounds.append(var)
        keep_bounds[b] = tuple(bounds)
        v.kx0[b], v.ky0[b], v.kx1[b], v.ky1[b] = bounds
    kinds = {b: possible_kinds(ctx, b) for b in ctx.roots}
    for b1, b2 in pairs(ctx.roots):
        need = max(rules.spacing_um(a, c) for a in kinds[b1] for c in kinds[b2])
        enforce = [v.base[b1], v.base[b2], *_same_side(model, v, b1, b2)]
        k1, k2 = keep_bounds[b1], keep_bounds[b2]
        sides = [model.NewBoolVar("") for _ in range(4)]
        model.Add(k1[2] + need <= k2[0]).OnlyEnforceIf(sides[0])
        model.Add(k2[2] + need <= k1[0]).OnlyEnforceIf(sides[1])
        model.Add(k1[3] + need <= k2[1]).OnlyEnforceIf(sides[2])
        model.Add(k2[3] + need <= k1[1]).OnlyEnforceIf(sides[3])
        model.AddBoolOr(sides).OnlyEnforceIf(enforce)
    _redundant_no_overlap(model, v, ctx, keep_bounds)


def _wire_reach(model, v, i, b, side, span_um, enforce) -> None:  # type: ignore[no-untyped-def]
    """Rule ``wire_reach``: the pad edge lies within ``span_um`` of the stack's outer edge.

    The model's box may be larger than the true one, which only makes this stricter."""
    if side is Edge.WEST:
        model.Add(v.x[i] - v.sx0[b] <= span_um).OnlyEnforceIf(enforce)
    elif side is Edge.EAST:
        model.Add(v.sx1[b] - (v.x[i] + v.w[i]) <= span_um).OnlyEnforceIf(enforce)
    elif side is Edge.SOUTH:
        model.Add(v.y[i] - v.sy0[b] <= span_um).OnlyEnforceIf(enforce)
    else:
        model.Add(v.sy1[b] - (v.y[i] + v.l[i]) <= span_um).OnlyEnforceIf(enforce)


def _same_side(model: cp_model.CpModel, v: Variables, b1: int, b2: int) -> list[cp_model.IntVar]:
    s1, s2 = v.bottom.get(b1), v.bottom.get(b2)
    if s1 is None and s2 is None:
        return []
    same = model.NewBoolVar("")
    lhs = 0 if s1 is None else s1
    rhs = 0 if s2 is None else s2
    model.Add(lhs == rhs).OnlyEnforceIf(same)
    model.Add(lhs != rhs).OnlyEnforceIf(same.Not())
    return [same]


def _redundant_no_overlap(model, v, ctx, keep_bounds) -> None:  # type: ignore[no-untyped-def]
    """A global NoOverlap2D over top-side keep regions: implied by the pairwise rules, but
    its energetic reasoning prunes far better on crowded packages."""
    x_intervals, y_intervals = [], []
    for b in ctx.roots:
        if b in v.bottom:
            continue
        x0, y0, x1, y1 = keep_bounds[b]
        wx = model.NewIntVar(0, 10**7, "")
        wy = model.NewIntVar(0, 10**7, "")
        model.Add(wx == x1 - x0)
        model.Add(wy == y1 - y0)
        x_intervals.append(model.NewOptionalIntervalVar(x0, wx, x1, v.base[b], ""))
        y_intervals.append(model.NewOptionalIntervalVar(y0, wy, y1, v.base[b], ""))
    if len(x_intervals) > 1:
        model.AddNoOverlap2D(x_intervals, y_intervals)
