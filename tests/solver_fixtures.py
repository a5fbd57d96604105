"""Small hand-made designs for solver tests (independent of the library files)."""

from __future__ import annotations

from dataclasses import replace

from shapely.geometry import box

from layoutopt.library import load_library
from layoutopt.model import BondType, Design, Die, DieKind, Edge, Envelope, Family, ProcessRules

EPOP_RULES = ProcessRules(
    family=Family.EPOP,
    name="test_epop",
    die_edge_keepout_um=200,
    finger_edge_keepout_um=100,
    die_spacing_um=200,
    bond_finger_ring_um=250,
    staircase_offset_um=150,
    max_overhang_um=500,
    max_dies_per_stack=4,
    package_grid_um=50,
    ball_height_um=150,
    substrate_thickness_um=100,
    die_attach_um=10,
    wire_loop_um=60,
    mold_clearance_um=75,
    mold_cap_um=75,
    stack_pairs=(
        (DieKind.DRAM, DieKind.NAND),
        (DieKind.NAND, DieKind.DRAM),
        (DieKind.NAND, DieKind.NAND),
        (DieKind.CONTROLLER, DieKind.NAND),
        (DieKind.CONTROLLER, DieKind.DRAM),
    ),
)


def wb_die(
    die_id: str,
    kind: DieKind,
    width_um: int,
    length_um: int,
    t: int = 40,
    p: float = 0.05,
    pads: tuple[Edge, ...] = (Edge.WEST,),
) -> Die:
    return Die(
        id=die_id,
        part=die_id.lower(),
        kind=kind,
        width_um=width_um,
        length_um=length_um,
        thickness_um=t,
        power_w=p,
        max_junction_c=85.0,
        bond=BondType.WIRE_BOND,
        pad_edges=frozenset(pads),
    )


def epop_design(
    n_nand: int = 2, max_thickness_um: int = 700, outline_um=(10000, 12000), **rule_overrides: int
) -> Design:
    dies = [wb_die("DRAM0", DieKind.DRAM, 6500, 8000)]
    dies += [
        wb_die(f"NAND{k}", DieKind.NAND, 5500, 7000, pads=(Edge.SOUTH,)) for k in range(n_nand)
    ]
    dies.append(
        wb_die("CTRL0", DieKind.CONTROLLER, 2500, 2500, t=80, p=0.3, pads=(Edge.WEST, Edge.SOUTH))
    )
    return Design(
        name="test-epop",
        dies=tuple(dies),
        rules=replace(EPOP_RULES, **rule_overrides),
        envelope=Envelope(outline=box(0, 0, *outline_um), max_thickness_um=max_thickness_um),
        materials=load_library().materials,  # the thermal model uses the design's materials
    )


def double_sided_cap(thickness_um: int) -> Design:
    """A 0201-size capacitor on a double-sided SiP whose bottom face allows 140 um (test
    values, E): it may hang among the 150 um balls when solder 20 um + part fit."""
    cap = Die("C0", "cap0201", DieKind.PASSIVE, 600, 300, thickness_um, 0.0, 125.0, BondType.SMT)
    rules = replace(
        EPOP_RULES,
        family=Family.SIP,
        double_sided=True,
        bottom_side_max_height_um=140,
        smt_gap_um=20,
        max_dies_per_stack=1,
    )
    return Design("ds", (cap,), rules, Envelope(box(0, 0, 2000, 2000), 1000))


# --- one rule module alone (the primer's pattern) ---------------------------------------


def rule_model(design: Design, *modules: object, grid_um: int = 10, relax=()):  # type: ignore[no-untyped-def]
    """A fresh container with only ``modules`` built on it (every rule group on but those
    in ``relax``).

    Returns ``(model, variables, instance)``; a test fixes a few variables and asks
    :func:`status` whether the rest can hold.
    """
    from ortools.sat.python import cp_model

    from layoutopt.solver.instance import build_instance
    from layoutopt.solver.variables import create_variables

    instance = build_instance(design, grid_um)
    model = cp_model.CpModel()
    v = create_variables(model, instance)
    for group, literal in v.groups.items():
        model.add(literal == int(group not in relax))
    for module in modules:
        module.build(model, v, instance)  # type: ignore[attr-defined]
    return model, v, instance


def status(model) -> str:  # type: ignore[no-untyped-def]
    """``"feasible"`` (optimal or feasible) or ``"infeasible"``: the model's verdict."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    code = solver.solve(model)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "feasible"
    assert code == cp_model.INFEASIBLE, solver.status_name(code)
    return "infeasible"


def solved(model):  # type: ignore[no-untyped-def]
    """A solver holding a solution of ``model`` (which must be feasible)."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    assert solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return solver
