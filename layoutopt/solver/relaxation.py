"""A lower bound on the footprint from the largest dies alone, kept out of the model.

CP-SAT's own bound on a large package is weak: on the 50-part SiP it proves 124-139 mm²
in 60 s against a 162 mm² answer (14 % gap), because it must branch over the 44
passives before the big parts' arrangement counts. The design with only its largest
parts is a *relaxation*: remove from a legal layout every stack whose dies are not kept
and what is left is a legal layout of the kept dies, in the same package. So the
smallest package of the kept dies bounds the design's from below, and with few dies
CP-SAT proves that optimum in a second or two (the SiP's eight largest parts: 149.3 mm²
in 0.6 s; the 24 largest: 150.9 mm² in 3-5 s, load 3-4; benchmarks/README.md).

Why the restriction is legal (so the bound is valid; ``tests/test_solver_relaxation.py``
checks it on legal layouts):

- dies are removed by *stacking components*: the dies that may rest on one another in
  any layout (:attr:`~layoutopt.solver.instance.Instance.lower`, closed both ways), so
  every stack of a layout is kept or removed whole, and no kept die loses what it rests
  on, nor a wire its finger ring;
- every other rule is over one die, one stack or a pair of them (spacing, fillets and
  rings, keep-outs, height zones, wires), so removing dies only drops constraints;
- the design-wide terms weaken or are switched off: fewer dies need no more stacks, the
  package's least size follows the smallest kept die (which it holds), the redundant area
  and thickness sums are over the kept dies (which the layout holds); the ball count is
  not monotone (a host die removed sends its memory's channels to the board), so the
  ball map is relaxed; the compute die of a co-packaged design (the most powerful logic
  die) is always kept, since without it another logic die would get its PHY rules.

The bound is of the first stage only (footprint: package-grid cells) and of the model
without thermal cuts, which bounds every cut model too. Each rung keeps more of the
largest components (:data:`RUNG_DIES`); a rung that proves its optimum passes it to the
next as a floor (its dies are a subset of the next rung's), an unproven rung still
counts its best bound, and the ladder stops there, or once a rung bounds no more than
the dies that lie on the substrate cover by themselves. It is not run where the first
rung's dies cover less than that area (their arrangement would not beat the model's own
area bound: the Bookshelf packages, flip-chip blocks without spacing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from layoutopt.deadline import Deadline
from layoutopt.model import Design
from layoutopt.solver.build import build_model
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.instance import Instance, build_instance
from layoutopt.solver.run import charge, cp_solver
from layoutopt.thermal_spec import ThermalSpec

__all__ = ["RUNG_DIES", "RelaxedBound", "footprint_bound", "ladder", "relaxed_design"]

# Dies kept by each rung (whole components, so a rung may hold a few more). On the 50-part
# SiP, 2 workers, load 3-4: 8 dies 149.3 mm2 proven in 0.6 s, 16 and 24 dies 150.9 mm2 in
# 1.3 and 3-5.5 s; 32 dies unproven in 30 s (its bound 134.9).
RUNG_DIES = (8, 16, 24, 32)


@dataclass(frozen=True)
class RelaxedBound:
    """The best bound of the ladder: ``cells`` package-grid cells of footprint, from the
    relaxation that kept ``dies`` dies; ``proven``: that relaxation's optimum (else
    CP-SAT's bound on it); ``rungs``: (dies kept, cells, proven) per rung run."""

    cells: int
    dies: int
    proven: bool
    rungs: tuple[tuple[int, int, bool], ...]


def _components(instance: Instance) -> list[tuple[str, ...]]:
    """The stacking components (dies that may share a stack), each in design order,
    largest die first (ties: design order); the compute die's component leads."""
    parent = {d: d for d in instance.die_ids}

    def find(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for upper in instance.die_ids:
        for lower in instance.lower[upper]:
            parent[find(upper)] = find(lower)
    groups: dict[str, list[str]] = {}
    for d in instance.die_ids:  # design order inside each component and between ties
        groups.setdefault(find(d), []).append(d)

    def key(ids: list[str]) -> tuple[bool, int, int]:
        largest = max(instance.die(d).width_um * instance.die(d).length_um for d in ids)
        return (instance.compute_id not in ids, -largest, instance.position[ids[0]])

    return [tuple(ids) for ids in sorted(groups.values(), key=key)]


def ladder(
    instance: Instance, rung_dies: tuple[int, ...] = RUNG_DIES
) -> tuple[tuple[str, ...], ...]:
    """The dies each rung keeps: the leading components until ``rung_dies`` dies, in
    design order; rungs that would keep every die are left out (that is the model)."""
    components = _components(instance)
    rungs: list[tuple[str, ...]] = []
    for want in rung_dies:
        kept: list[str] = []
        for ids in components:
            if len(kept) >= want:
                break
            kept += ids
        if len(kept) >= len(instance.die_ids):
            break
        if not rungs or len(kept) > len(rungs[-1]):
            rungs.append(tuple(sorted(kept, key=instance.position.__getitem__)))
    return tuple(rungs)


def relaxed_design(design: Design, keep: tuple[str, ...]) -> Design:
    """``design`` with only the dies ``keep`` (and no thermal spec: the bound is of the
    placement, and the spec may name removed dies)."""
    kept = set(keep)
    return replace(
        design,
        dies=tuple(d for d in design.dies if d.id in kept),
        thermal=ThermalSpec(),
        alternatives=(),
    )


def _area_um2(instance: Instance, ids: tuple[str, ...]) -> int:
    return sum(instance.die(d).width_um * instance.die(d).length_um for d in ids)


def _base_um2(instance: Instance) -> int:
    """The area that the dies which never rest on another cover by themselves (on one
    face, or half of it on two): the model's own area bound is at least this."""
    grounded = tuple(d for d in instance.die_ids if not instance.lower[d])
    return _area_um2(instance, grounded) // (2 if instance.bottom_ok else 1)


def _rung(
    design: Design,
    keep: tuple[str, ...],
    *,
    grid_um: int,
    floor: int,
    workers: int,
    seed: int,
    deadline: Deadline,
) -> tuple[int, bool] | None:
    """The least footprint (cells) of the dies ``keep``, or CP-SAT's bound on it, and
    whether it is proven; None when the run found no bound above ``floor``."""
    built = build_model(
        relaxed_design(design, keep), grid_um, relax=frozenset({RuleGroup.BALL_MAP})
    )
    cells = built.v.package.area_steps
    if floor > 0:
        built.model.add(cells >= floor)  # the last rung's optimum: a subset of these dies
    built.model.minimize(cells)
    size = len(built.model.proto.constraints)
    solver = cp_solver(workers=workers, seed=seed, deadline=deadline, constraints=size)
    status = solver.solve(built.model)
    charge(deadline, solver)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value), True
    if status == cp_model.INFEASIBLE:
        # No layout of these dies with at least ``floor`` cells: impossible, since the
        # last rung's optimum is one of them; not claimed, so no bound from this rung.
        return None
    bound = solver.best_objective_bound
    if not math.isfinite(bound):
        return None
    return max(floor, math.ceil(bound - 1e-6)), False


def footprint_bound(
    design: Design,
    *,
    grid_um: int,
    workers: int,
    seed: int,
    deadline: Deadline,
    rung_dies: tuple[int, ...] = RUNG_DIES,
) -> RelaxedBound | None:
    """The best footprint bound of the ladder within ``deadline`` (None: no rung, or none
    bounded anything)."""
    instance = build_instance(design, grid_um)
    steps = ladder(instance, rung_dies)
    base_um2 = _base_um2(instance)
    if not steps or _area_um2(instance, steps[0]) < base_um2:
        # The largest dies cover less than the model's own area bound counts: their
        # arrangement would not raise it (the Bookshelf packages: 8 of 50 flip-chip
        # blocks, whose rung was not even proven in 5 s at a 1 um grid).
        return None
    base_cells = base_um2 // design.rules.package_grid_um**2
    rungs: list[tuple[int, int, bool]] = []
    best: tuple[int, int, bool] | None = None
    floor = 0
    for keep in steps:
        if deadline.expired():
            break
        got = _rung(
            design,
            keep,
            grid_um=grid_um,
            floor=floor,
            workers=workers,
            seed=seed,
            deadline=deadline,
        )
        if got is None:
            break
        cells, proven = got
        rungs.append((len(keep), cells, proven))
        if best is None or cells > best[0]:
            best = (cells, len(keep), proven)
        if not proven or cells <= base_cells:
            break
        floor = cells
    if best is None:
        return None
    return RelaxedBound(best[0], best[1], best[2], tuple(rungs))
