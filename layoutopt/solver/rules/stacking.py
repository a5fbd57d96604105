"""Stacks: who rests on whom, tiers, z levels, overhang, pad exposure and support.

A stack is a chain: each die rests on the substrate (``base``) or on exactly one die, and
carries at most one. ``member[i, b]`` says die ``i`` belongs to the stack whose tier-0 die
is ``b``. Rules: docs/rules.md ``stack_order``, ``overhang``, ``pad_exposure``,
``pad_support``, ``z``, ``die_thickness``.
"""

from __future__ import annotations

import itertools

from ortools.sat.python import cp_model

from layoutopt.model import BondType, Design, Edge
from layoutopt.solver.variables import ModelContext, Variables

__all__ = ["build"]

_PAD_BONDS = (BondType.WIRE_BOND, BondType.VERTICAL_WIRE)


def build(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    _assignment(model, v, ctx)
    _levels(model, v, ctx)
    _geometry(model, v, ctx)
    _bottom_side(model, v, ctx)
    _symmetry(model, v, ctx)


def _assignment(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    n = ctx.n
    for i in range(n):
        if i not in ctx.roots:
            model.Add(v.base[i] == 0)
        model.AddExactlyOne([v.base[i], *(v.on[i, j] for j in ctx.lower[i])])
        model.AddExactlyOne([v.member[i, b] for b in ctx.member_roots[i]])
    for j in range(n):
        uppers = [v.on[i, j] for i in range(n) if (i, j) in v.on]
        if len(uppers) > 1:
            model.AddAtMostOne(uppers)
    # Redundant counts: no stack holds more than the limit, so there are enough stacks.
    limit = ctx.design.rules.max_dies_per_stack
    for b in ctx.roots:
        members = [v.member[i, b] for i in range(n) if (i, b) in v.member]
        if len(members) > limit:
            model.Add(sum(members) <= limit)
    model.Add(sum(v.base[b] for b in ctx.roots) >= -(-n // max(1, limit)))
    # Membership follows the chain: resting on a member of stack b makes you one.
    for (i, j), on in v.on.items():
        for b in ctx.member_roots[j]:
            if (i, b) in v.member:
                model.AddImplication(on, v.member[i, b]).OnlyEnforceIf(v.member[j, b])
            else:
                model.AddImplication(on, v.member[j, b].Not())


def _levels(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    rules = ctx.design.rules
    dies = ctx.design.dies
    for i, die in enumerate(dies):
        model.Add(v.tier[i] == 0).OnlyEnforceIf(v.base[i])
        top = v.bottom.get(i)
        enforce = [v.base[i]] if top is None else [v.base[i], top.Not()]
        model.Add(v.z[i] == rules.base_thickness_um + rules.joint_um(die, None)).OnlyEnforceIf(
            enforce
        )
        for j in ctx.lower[i]:
            on = v.on[i, j]
            model.Add(v.tier[i] == v.tier[j] + 1).OnlyEnforceIf(on)
            model.Add(v.z[i] == v.z[j] + v.th[j] + rules.joint_um(die, dies[j])).OnlyEnforceIf(on)


def _pad_sides(ctx: ModelContext, i: int, rotation: int) -> frozenset[Edge]:
    die = ctx.design.dies[i]
    return die.pad_edges_at(rotation) if die.bond in _PAD_BONDS else frozenset()


def _geometry(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    rules = ctx.design.rules
    ovh, off = rules.max_overhang_um, rules.staircase_offset_um
    for (i, j), on in v.on.items():
        xi, yi, xj, yj = v.x[i], v.y[i], v.x[j], v.y[j]
        xi1, yi1, xj1, yj1 = xi + v.w[i], yi + v.l[i], xj + v.w[j], yj + v.l[j]
        model.Add(xi >= xj - ovh).OnlyEnforceIf(on)
        model.Add(yi >= yj - ovh).OnlyEnforceIf(on)
        model.Add(xi1 <= xj1 + ovh).OnlyEnforceIf(on)
        model.Add(yi1 <= yj1 + ovh).OnlyEnforceIf(on)
        # The die below keeps its pad rows exposed (staircase).
        for r, lit in v.rot[j].items():
            for side in _pad_sides(ctx, j, r):
                _stay_back(model, side, off, (xi, yi, xi1, yi1), (xj, yj, xj1, yj1), [on, lit])
        # The die above is supported under its own pad rows (no bonding on an overhang).
        for r, lit in v.rot[i].items():
            for side in _pad_sides(ctx, i, r):
                _stay_back(model, side, 0, (xi, yi, xi1, yi1), (xj, yj, xj1, yj1), [on, lit])


def _stay_back(model, side: Edge, by: int, up, lo, enforce) -> None:  # type: ignore[no-untyped-def]
    ux0, uy0, ux1, uy1 = up
    lx0, ly0, lx1, ly1 = lo
    if side is Edge.WEST:
        model.Add(ux0 >= lx0 + by).OnlyEnforceIf(enforce)
    elif side is Edge.EAST:
        model.Add(ux1 <= lx1 - by).OnlyEnforceIf(enforce)
    elif side is Edge.SOUTH:
        model.Add(uy0 >= ly0 + by).OnlyEnforceIf(enforce)
    else:
        model.Add(uy1 <= ly1 - by).OnlyEnforceIf(enforce)


def _bottom_side(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    rules = ctx.design.rules
    for i, bottom in v.bottom.items():
        die = ctx.design.dies[i]
        model.AddImplication(bottom, v.base[i])
        for k in range(ctx.n):
            if (k, i) in v.on:
                model.AddImplication(bottom, v.on[k, i].Not())
        model.Add(
            v.z[i] == rules.ball_height_um - rules.joint_um(die, None) - die.thickness_um
        ).OnlyEnforceIf(bottom)


def _identity(ctx: ModelContext, i: int) -> tuple[object, ...]:
    d = ctx.design.dies[i]
    return (
        d.part,
        d.kind,
        d.width_um,
        d.length_um,
        d.thickness_um,
        d.power_w,
        d.max_junction_c,
        d.bond,
        d.pad_edges,
        d.phy_edges,
        d.bandwidth_gbps,
        d.allowed_thickness_um,
        d.power_map,
        d.material,
    )  # everything but the id: who may rest on whom follows from these and the rules


def identity_classes(design_or_ctx: Design | ModelContext) -> list[list[int]]:
    """Indices of interchangeable dies (same part and everything else but the id)."""
    from layoutopt.solver.variables import build_context

    ctx = (
        design_or_ctx
        if isinstance(design_or_ctx, ModelContext)
        else build_context(design_or_ctx, 1)
    )
    classes: dict[tuple[object, ...], list[int]] = {}
    for i in range(ctx.n):
        classes.setdefault(_identity(ctx, i), []).append(i)
    return list(classes.values())


def _symmetry(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    """Identical dies are interchangeable: order them by (stack root, tier).

    Relabelling identical dies maps any layout to one whose keys increase with the index,
    so this cuts only duplicates, never a distinct layout.
    """
    n = ctx.n
    for members in identity_classes(ctx):
        if len(members) < 2:
            continue
        keys = []
        for i in members:
            root_index = sum(b * v.member[i, b] for b in ctx.member_roots[i])
            keys.append(root_index * n + v.tier[i])
        for a, b in itertools.pairwise(keys):
            model.Add(a < b)
        # Side-by-side copies on the substrate: order them in x then y as well.
        if all(i in ctx.roots and not ctx.lower[i] for i in members):
            for a, b in itertools.pairwise(members):
                model.Add(v.X[a] <= v.X[b])
