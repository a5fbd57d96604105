"""Assemble the CP-SAT model: the variables container, every rule module, no-good cuts
and the rule-group switches.

>>> from shapely.geometry import box
>>> from layoutopt.model import BondType, Design, Die, DieKind, Envelope, Family, ProcessRules
>>> die = Die("C0", "ctrl", DieKind.CONTROLLER, 2000, 1000, 80, 0.1, 85.0, BondType.FLIP_CHIP)
>>> design = Design("one", (die,), ProcessRules(Family.SIP), Envelope(box(0, 0, 5000, 5000), 900))
>>> built = build_model(design, 10)
>>> sorted(built.v.dies), built.model.validate()
(['C0'], '')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ortools.sat.python import cp_model

from layoutopt.model import Design
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.instance import Instance, build_instance
from layoutopt.solver.rules import balls, cmc, package, spacing, stacking, thickness, wires
from layoutopt.solver.structure import Structure
from layoutopt.solver.variables import Variables, create_variables

__all__ = ["RULE_MODULES", "BuiltModel", "build_model"]


class RuleModule(Protocol):
    """A rule module: reads the container and adds the constraints of its rules."""

    def build(self, model: cp_model.CpModel, v: Variables, instance: Instance) -> None: ...


# Every rule module of the model. Each adds constraints over the container only, so the
# order does not matter; it is fixed so that the model (and a one-worker answer) is.
RULE_MODULES: tuple[RuleModule, ...] = (
    thickness,
    stacking,
    spacing,
    package,
    balls,
    wires,
    cmc,
)


@dataclass(frozen=True)
class BuiltModel:
    model: cp_model.CpModel
    v: Variables
    instance: Instance


def build_model(
    design: Design,
    grid_um: int,
    *,
    forbidden: Iterable[Structure] = (),
    relax: frozenset[RuleGroup] = frozenset(),
    assume: bool = False,
) -> BuiltModel:
    """The full model. Rule groups in ``relax`` are switched off; with ``assume`` the
    other groups' literals become assumptions (for infeasibility cores), else they are
    fixed true. ``forbidden`` structures are excluded by no-good cuts."""
    instance = build_instance(design, grid_um)
    model = cp_model.CpModel()
    v = create_variables(model, instance, loose_tiers=assume or RuleGroup.STACK_LIMIT in relax)
    for module in RULE_MODULES:
        module.build(model, v, instance)
    for structure in forbidden:
        model.add_bool_or([fact.literal(v).negated() for fact in structure.facts])
    for group, literal in v.groups.items():
        if group in relax:
            model.add(literal == 0)
        elif not assume:
            model.add(literal == 1)
    if assume:
        model.add_assumptions([lit for group, lit in v.groups.items() if group not in relax])
    return BuiltModel(model, v, instance)
