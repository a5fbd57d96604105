"""Building a package *to* a target height instead of minimising it.

Standards fix the height: an HBM KGSD is 720 µm (775 µm for HBM4) whatever its core count
(domain_data.md §3.5 'HBM KGSD height', 'HBM4 height limit'), and a memory package is sold
in a height class. With ``envelope.target_height_um`` set the solver places the dies under
that ceiling as usual; this pass then

1. gives each part the thickest allowed thickness that still fits (every die of one part
   takes the same value: one part is one wafer, thinned once), maximising the total die
   thickness over the package (thicker dies handle and warp better, and spread heat); ties
   go to the thicker choice for the part listed first in the design;
2. fills what remains, per stack, with a thicker top die: up to the target where the
   process fills in silicon (``rules.top_die_fill``: a KGSD's top die is left thick and the
   mold ground flush to it, domain_data.md §2.4 'HBM3 / HBM3E 12-Hi vs 8-Hi die'), else to
   the thickest value its part allows; the rest is mold up to the target
   (:data:`layoutopt.stackup.FILL_LAYER`). Silicon is chosen first because it conducts
   ~150x better than mold (§4.1: Si 130, EMC ~0.9 W/m·K) on the path to the cold plate.

The die thicknesses change none of the planar rules (placement, spacing, rings, reach), so
the footprint the solver proved stays optimal; only z moves, recomputed by the rules of
docs/rules.md ``z``. The validator checks the result like any other layout.

>>> from layoutopt.design_file import design_from_text
>>> from layoutopt.solver import SolveOptions, solve
>>> d = design_from_text('''
... process: hbm_mr_muf
... dies: [{part: hbm3e_base}, {part: hbm3e_core_24gb, count: 8}]
... envelope: {outline: {width: "12 mm", length: "12 mm"}, height: "720 um"}
... ''')
>>> layout = solve(d, SolveOptions(thermal=False)).layout
>>> layout.thickness_um  # built to the standard, not minimised (60 + 8 x (17 + 30) = 436)
720
>>> [p.thickness_um for p in layout.placements][-3:]  # 50 um cores; the top die fills
[50, 50, 174]
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import replace

from layoutopt.model import Design, Die, Layout, Placement
from layoutopt.stackup import package_thickness_um, stack_up

__all__ = ["fill_to_height", "restack", "thickness_groups"]

# Above this many uniform combinations the choice is greedy (part by part, in design order,
# each the thickest that fits with the rest at their thinnest) instead of exhaustive.
_MAX_COMBINATIONS = 4096


def thickness_groups(design: Design) -> tuple[tuple[tuple[str, ...], tuple[int, ...]], ...]:
    """Die ids that share one thickness choice (same part, same options), with the options
    thickest first; groups with a single option are left out. Design order."""
    groups: dict[tuple[str, int, tuple[int, ...]], list[str]] = {}
    for die in design.dies:
        groups.setdefault((die.part, die.thickness_um, die.allowed_thickness_um), []).append(die.id)
    out = []
    for (_, nominal, allowed), ids in groups.items():
        options = tuple(sorted({nominal, *allowed}, reverse=True))
        if len(options) > 1:
            out.append((tuple(ids), options))
    return tuple(out)


def restack(
    design: Design, placements: Sequence[Placement], thickness_um: Mapping[str, int]
) -> tuple[Placement, ...]:
    """The placements with the given die thicknesses and every top-side z recomputed from
    the joints (docs/rules.md ``z``); bottom-side components keep theirs."""
    rules = design.rules
    by_id = {p.die_id: p for p in placements}
    done: dict[str, Placement] = {}
    for p in sorted(placements, key=lambda p: (p.tier, p.die_id)):
        th = thickness_um.get(p.die_id, p.thickness_um)
        die = design.die(p.die_id)
        if p.side != "top":
            done[p.die_id] = p
            continue
        if p.on_die is None:
            z = rules.base_thickness_um + rules.joint_um(die, None)
        else:
            lower = done.get(p.on_die, by_id[p.on_die])
            lower_die = design.die(lower.die_id)
            z = lower.z_top_um + rules.joint_um(die, lower_die, film_over_wire=p.film_over_wire)
        done[p.die_id] = replace(p, z_bottom_um=z, thickness_um=th)
    return tuple(done[p.die_id] for p in placements)


def _fits(design: Design, placements: Sequence[Placement], target_um: int) -> bool:
    """Every top-side stack under the target, and within the stack-height limit if any."""
    rules = design.rules
    roots: dict[int, int] = {}
    for p in placements:
        if p.side != "top":
            continue
        if p.z_top_um + rules.top_clearance_um(design.die(p.die_id)) > target_um:
            return False
        if p.tier == 0:
            roots[p.stack] = p.z_bottom_um
    limit = rules.max_stack_height_um
    return limit <= 0 or all(
        p.z_top_um - roots.get(p.stack, p.z_bottom_um) <= limit
        for p in placements
        if p.side == "top"
    )


def _uniform_choice(
    design: Design, placements: Sequence[Placement], target_um: int
) -> dict[str, int] | None:
    groups = thickness_groups(design)

    def assign(choice: Sequence[int]) -> dict[str, int]:
        return {die_id: t for (ids, _), t in zip(groups, choice, strict=True) for die_id in ids}

    def ok(choice: Sequence[int]) -> bool:
        return _fits(design, restack(design, placements, assign(choice)), target_um)

    placed = {p.die_id for p in placements}
    combos = 1
    for _, options in groups:
        combos *= len(options)
    if combos <= _MAX_COMBINATIONS:
        best: tuple[int, tuple[int, ...]] | None = None
        for choice in itertools.product(*(options for _, options in groups)):
            silicon = sum(
                t * sum(i in placed for i in ids)
                for (ids, _), t in zip(groups, choice, strict=True)
            )
            score = (silicon, choice)
            if (best is None or score > best) and ok(choice):
                best = score
        return None if best is None else assign(best[1])
    choice = [options[-1] for _, options in groups]
    if not ok(choice):
        return None
    for k, (_, options) in enumerate(groups):
        for t in options:  # thickest first
            trial = [*choice[:k], t, *choice[k + 1 :]]
            if ok(trial):
                choice = trial
                break
    return assign(choice)


def _top_die_fill(
    design: Design, placements: tuple[Placement, ...], target_um: int
) -> tuple[Placement, ...]:
    """Each stack's top die as thick as the target allows: any thickness when the process
    fills with the top die (``rules.top_die_fill``), else its thickest allowed value."""
    rules = design.rules
    tops: dict[int, Placement] = {}
    roots: dict[int, int] = {}
    for p in placements:
        if p.side != "top":
            continue
        if p.stack not in tops or p.tier > tops[p.stack].tier:
            tops[p.stack] = p
        if p.tier == 0:
            roots[p.stack] = p.z_bottom_um
    for stack in sorted(tops):
        top = tops[stack]
        die: Die = design.die(top.die_id)
        room = target_um - top.z_top_um - rules.top_clearance_um(die)
        if rules.max_stack_height_um > 0:
            room = min(room, rules.max_stack_height_um - (top.z_top_um - roots[stack]))
        allowed = [t for t in {die.thickness_um, *die.allowed_thickness_um} if t > top.thickness_um]
        if rules.top_die_fill and room > 0:
            best = top.thickness_um + room
        else:
            best = max((t for t in allowed if t - top.thickness_um <= room), default=0)
        if best > top.thickness_um:
            placements = restack(design, placements, {top.die_id: best})
    return placements


def fill_to_height(design: Design, layout: Layout) -> Layout:
    """``layout`` built to ``design.envelope.target_height_um`` (unchanged without one).

    The layout must already fit under the target (the solver's ceiling); when no uniform
    choice of thicknesses fits (the solver thinned dies of one part unevenly) the layout's
    own thicknesses are kept and only the mold fill is added.
    """
    target = design.envelope.target_height_um
    if target is None:
        return layout
    chosen = _uniform_choice(design, layout.placements, target)
    placements = layout.placements
    if chosen is not None:
        placements = _top_die_fill(design, restack(design, placements, chosen), target)
    return replace(
        layout,
        placements=placements,
        thickness_um=package_thickness_um(design, placements),
        stack_up=stack_up(design, placements),
    )
