"""Compute-memory co-packaging: memory PHY edges face the compute die, within reach.

Rule: docs/rules.md ``phy_facing``. It also ties each memory die's link variables
(:class:`~layoutopt.solver.variables.LinkVars`) to the geometry: the gap is the facing
distance, the doubled centre offset along the edge bounds ``offset2_um`` from below (the
objective minimises it, so it is tight at an optimum). Doubled lengths keep centre
offsets integral.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.model import EDGE_GEOMETRY, in_compass_order
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.instance import Instance
from layoutopt.solver.variables import Variables

__all__ = ["build"]


def build(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    rules = instance.design.rules
    if not v.links or instance.compute_id is None:
        return
    compute = v.dies[instance.compute_id].box
    reach = v.groups[RuleGroup.DIE_TO_DIE]
    for die_id, link in v.links.items():
        memory = v.dies[die_id]
        mem = memory.box
        for rotation, literal in memory.rotation.items():
            for edge in in_compass_order(memory.die.phy_edges_at(rotation)):
                along = EDGE_GEOMETRY[edge].along
                model.add(mem.gap_beyond(compute, edge) == link.gap_um).only_enforce_if(literal)
                # The projections on the other axis overlap (positive length).
                model.add(mem.low(along) < compute.high(along)).only_enforce_if(literal)
                model.add(compute.low(along) < mem.high(along)).only_enforce_if(literal)
                offset2 = mem.centre2(along) - compute.centre2(along)
                model.add(link.offset2_um >= offset2).only_enforce_if(literal)
                model.add(link.offset2_um >= -offset2).only_enforce_if(literal)
        if rules.max_die_to_die_um > 0:
            model.add(link.gap_um <= rules.max_die_to_die_um).only_enforce_if(reach)
