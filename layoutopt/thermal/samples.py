"""Hand-made designs and layouts for thermal tests, benchmarks and examples.

They do not come from the solver (which is written separately): each placement's z follows
the ``z`` rule of docs/rules.md by construction. Default numbers cite
``/work/shared/reference/domain_data.md`` §6 (all estimates, **E**, unless noted).

Examples
--------
>>> design, layout = epop_sample()
>>> len(layout.placements), layout.package.width_um
(5, 12000)
"""

from __future__ import annotations

from dataclasses import replace

from shapely.geometry import box

from layoutopt.model import (
    BondType,
    Design,
    Die,
    DieKind,
    Edge,
    Envelope,
    Family,
    Layout,
    Material,
    Placement,
    ProcessRules,
    Rect,
    ThermalSpec,
)

__all__ = [
    "epop_rules",
    "epop_sample",
    "library_materials",
    "single_die_sample",
    "stack_layout",
]


def library_materials() -> tuple[Material, ...]:
    """The built-in library's materials (each with its source): what the samples use."""
    from layoutopt.library import load_library

    return load_library().materials


def epop_rules() -> ProcessRules:
    """ePOP stack-up defaults (domain_data.md §6, all E)."""
    return ProcessRules(
        family=Family.EPOP,
        name="epop-sample",
        ball_height_um=180,  # §6 'Ball standoff at 0.4 mm pitch'
        substrate_thickness_um=100,  # §6 '2-layer substrate'
        die_attach_um=10,  # §6 'DAF per layer'
        flip_chip_gap_um=40,  # bump + underfill (estimate)
        wire_loop_um=60,  # §6 'Wire loop above top die'
        mold_clearance_um=100,  # §6 'Mold clearance above loop'
        mold_cap_um=100,
        max_dies_per_stack=8,
        stack_pairs=(
            (DieKind.NAND, DieKind.NAND),
            (DieKind.DRAM, DieKind.NAND),
            (DieKind.DRAM, DieKind.DRAM),
        ),
    )


def stack_layout(design: Design, package: Rect, stacks: list[list[tuple[str, int, int]]]) -> Layout:
    """A layout of ``stacks`` (each a bottom-first list of (die id, x_um, y_um), rotation 0).

    z follows docs/rules.md 'z'; the thickness follows the 'thickness' rule.
    """
    rules = design.rules
    placements = []
    top = rules.base_thickness_um
    for s, stack in enumerate(stacks):
        z, lower = rules.base_thickness_um, None
        for tier, (die_id, x, y) in enumerate(stack):
            die = design.die(die_id)
            z_bottom = z + rules.joint_um(die, lower)
            placements.append(
                Placement(
                    die_id,
                    x,
                    y,
                    die.width_um,
                    die.length_um,
                    0,
                    z_bottom,
                    die.thickness_um,
                    s,
                    tier,
                    lower.id if lower else None,
                )
            )
            z, lower = z_bottom + die.thickness_um, die
            top = max(top, z + rules.top_clearance_um(die))
    return Layout(design.name, design.family, package, top, tuple(placements))


def epop_sample(size_um: int = 12000, thermal: ThermalSpec | None = None) -> tuple[Design, Layout]:
    """A 12 x 12 mm ePOP: two NAND, two DRAM on them (one stack) and a controller beside.

    Powers are wearable-class estimates (domain_data.md §4.3, E).
    """
    dies = (
        Die(
            "N0",
            "nand",
            DieKind.NAND,
            7500,
            9300,
            40,
            0.15,
            85.0,
            BondType.WIRE_BOND,
            frozenset({Edge.WEST}),
        ),
        Die(
            "N1",
            "nand",
            DieKind.NAND,
            7500,
            9300,
            40,
            0.15,
            85.0,
            BondType.WIRE_BOND,
            frozenset({Edge.WEST}),
        ),
        Die(
            "M0",
            "lpddr",
            DieKind.DRAM,
            6500,
            8000,
            40,
            0.3,
            85.0,
            BondType.WIRE_BOND,
            frozenset({Edge.WEST}),
        ),
        Die(
            "M1",
            "lpddr",
            DieKind.DRAM,
            6500,
            8000,
            40,
            0.3,
            85.0,
            BondType.WIRE_BOND,
            frozenset({Edge.WEST}),
        ),
        Die(
            "C0",
            "ctrl",
            DieKind.CONTROLLER,
            2500,
            2500,
            80,
            0.5,
            85.0,
            BondType.WIRE_BOND,
            frozenset({Edge.EAST}),
            power_map=((1.0, 1.0), (1.0, 3.0)),
        ),
    )
    design = Design(
        name="epop-thermal-sample",
        dies=dies,
        rules=epop_rules(),
        envelope=Envelope(box(0, 0, 20000, 20000), 1500),
        thermal=thermal or ThermalSpec(),
        materials=library_materials(),
    )
    off = (size_um - 12000) // 2
    layout = stack_layout(
        design,
        Rect(0, 0, size_um, size_um),
        [
            [
                ("N0", 600 + off, 1350 + off),
                ("N1", 600 + off, 1350 + off),
                ("M0", 1200 + off, 2000 + off),
                ("M1", 1200 + off, 2000 + off),
            ],
            [("C0", 8900 + off, 4750 + off)],
        ],
    )
    return design, layout


def single_die_sample(
    *,
    package_um: int = 8000,
    die_um: int = 4000,
    power_w: float = 1.0,
    thermal: ThermalSpec | None = None,
    die_x_um: int | None = None,
    power_map: tuple[tuple[float, ...], ...] | None = None,
) -> tuple[Design, Layout]:
    """One wire-bonded die on an ePOP stack-up, centred unless ``die_x_um`` is given."""
    die = Die(
        "D0",
        "test",
        DieKind.CONTROLLER,
        die_um,
        die_um,
        100,
        power_w,
        125.0,
        BondType.WIRE_BOND,
        power_map=power_map,
    )
    design = Design(
        name="single-die",
        dies=(die,),
        rules=epop_rules(),
        envelope=Envelope(box(0, 0, 20000, 20000), 1500),
        thermal=thermal or ThermalSpec(),
        materials=library_materials(),
    )
    x = (package_um - die_um) // 2 if die_x_um is None else die_x_um
    layout = stack_layout(
        design, Rect(0, 0, package_um, package_um), [[("D0", x, (package_um - die_um) // 2)]]
    )
    return replace(design), layout
