"""Small builders for readable hand-made designs and layouts in tests (all lengths in µm).

Anyone may reuse these (import ``layout_builders`` from a test module in ``tests/``).
A layout is built by placing dies bottom-up; stack numbers, tiers, ``on_die``, z, the
package thickness and its thickness budget follow the stacking of ``docs/rules.md``::

    b = LayoutBuilder(design, package_um=(8000, 10000))
    b.place("NAND0", 350, 200)                  # a new stack, tier 0
    b.place("NAND1", 500, 200, on="NAND0")      # tier 1 of the same stack
    layout = b.build()

Then break one thing with :func:`with_placement` or :func:`dataclasses.replace`.

The default process numbers below are test values taken from the reference data
(``/work/shared/reference/domain_data.md``); every one is an estimate (confidence E) unless
marked otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from shapely.geometry import Polygon, box

from layoutopt.ballmap import place_balls
from layoutopt.library import load_library
from layoutopt.model import (
    BallSpec,
    BondType,
    Design,
    Die,
    DieKind,
    Edge,
    Envelope,
    Family,
    HeightZone,
    Layer,
    Layout,
    Placement,
    ProcessRules,
    Rect,
    Side,
)

__all__ = [
    "EXAMPLES",
    "LayoutBuilder",
    "ballout_example",
    "bonded_example",
    "cmc_example",
    "double_sided_example",
    "epop_example",
    "make_design",
    "make_die",
    "make_rules",
    "pop_example",
    "sip_example",
    "tsv_example",
    "with_placement",
]

_EDGE_LETTERS = {"W": Edge.WEST, "S": Edge.SOUTH, "E": Edge.EAST, "N": Edge.NORTH}

# Test process numbers (µm), each with its source in domain_data.md.
_TEST_RULES: dict[str, Any] = {
    "die_edge_keepout_um": 200,  # §3.6 'Die edge to package (saw) edge' 0.2–0.4 mm (E)
    "finger_edge_keepout_um": 100,  # §3.6 'Bond finger to package edge' ≥ 0.1–0.2 mm (E)
    "die_spacing_um": 200,  # §3.6 'Die-to-die spacing, wire-bonded dies' 0.2–0.5 mm (E)
    "bond_finger_ring_um": 250,  # §2.4 'Die-to-bond-finger distance' 150–400 µm (E)
    "underfill_fillet_um": 100,  # §3.6 'Die-to-die spacing, flip-chip dies' 0.1–0.3 mm (E)
    "staircase_offset_um": 150,  # §6 'Staircase offset per die' 0.15 mm (E)
    "max_overhang_um": 200,  # no reference row: a test value (E)
    "package_grid_um": 50,  # no reference row: the model default
    "ball_height_um": 180,  # §6 'Ball standoff at 0.4 mm pitch' 0.18 mm (E)
    "substrate_thickness_um": 100,  # §6 '2-layer substrate' 0.10 mm (E)
    "die_attach_um": 10,  # §6 'DAF per layer' 0.010 mm (E)
    "flip_chip_gap_um": 60,  # §3.2 'Cu pillar height' 50–70 µm (H), rounded
    "smt_gap_um": 20,  # no reference row: a test value (E)
    "wire_loop_um": 60,  # §6 'Wire loop above top die' 0.06 mm (E)
    "mold_clearance_um": 100,  # §6 'Mold clearance above loop' 0.10 mm (E)
    "mold_cap_um": 100,  # §2.5 'Mold cap over top die (no wires)' 50–150 µm (E)
}


def make_die(
    die_id: str,
    kind: str,
    width_um: int,
    length_um: int,
    thickness_um: int,
    bond: str,
    *,
    pads: str = "",
    phy: str = "",
    power_w: float = 0.1,
    allowed_thickness_um: tuple[int, ...] = (),
    pad_count: int = 0,
    pad_pitch_um: int = 0,
) -> Die:
    """A die; ``pads`` and ``phy`` are edge letters at rotation 0, e.g. ``"WE"``;
    ``pad_count`` wire-bond pads at ``pad_pitch_um`` split over the pad edges."""
    return Die(
        id=die_id,
        part=f"test_{kind}",
        kind=DieKind(kind),
        width_um=width_um,
        length_um=length_um,
        thickness_um=thickness_um,
        power_w=power_w,
        max_junction_c=85.0,
        bond=BondType(bond),
        pad_edges=frozenset(_EDGE_LETTERS[c] for c in pads),
        phy_edges=frozenset(_EDGE_LETTERS[c] for c in phy),
        allowed_thickness_um=allowed_thickness_um,
        pad_count=pad_count,
        pad_pitch_um=pad_pitch_um,
    )


def make_rules(family: str, **overrides: Any) -> ProcessRules:
    """Process rules with the test numbers above; ``stack_pairs`` as ``("nand", "nand")``."""
    values = dict(_TEST_RULES)
    values.update(overrides)
    values["stack_pairs"] = tuple(
        (DieKind(up), DieKind(lo)) for up, lo in values.get("stack_pairs", ())
    )
    values["pair_spacing_um"] = tuple(
        (tuple(sorted((DieKind(a), DieKind(b)), key=lambda k: k.value)), um)
        for (a, b), um in values.get("pair_spacing_um", ())
    )
    return ProcessRules(family=Family(family), name=f"test_{family}", **values)


def make_design(
    name: str,
    dies: tuple[Die, ...],
    rules: ProcessRules,
    *,
    outline_um: tuple[int, int] = (20000, 20000),
    max_thickness_um: int = 1000,
    keepouts: tuple[Polygon, ...] = (),
    keepout_names: tuple[str, ...] = (),
    height_zones: tuple[HeightZone, ...] = (),
) -> Design:
    """A design whose envelope outline is the box ``(0, 0) .. outline_um``."""
    envelope = Envelope(
        outline=box(0, 0, *outline_um),
        max_thickness_um=max_thickness_um,
        keepouts=keepouts,
        keepout_names=keepout_names,
        height_zones=height_zones,
    )
    return Design(
        name=name, dies=dies, rules=rules, envelope=envelope, materials=load_library().materials
    )


@dataclass
class LayoutBuilder:
    """Place dies bottom-up, then :meth:`build` a layout with z and thickness filled in."""

    design: Design
    package_um: tuple[int, int]
    package_origin_um: tuple[int, int] = (0, 0)
    _placed: list[Placement] = field(default_factory=list)

    def place(
        self,
        die_id: str,
        x_um: int,
        y_um: int,
        *,
        rotation_deg: int = 0,
        on: str | None = None,
        side: Side = Side.TOP,
        thickness_um: int | None = None,
        film_over_wire: bool = False,
    ) -> LayoutBuilder:
        """Place a die; ``on`` stacks it on an already placed die (else a new stack);
        ``film_over_wire`` turns the staircase there (its film covers the pads below)."""
        die = self.design.die(die_id)
        width_um, length_um = die.size_um(rotation_deg)
        if on is None:
            stack = 1 + max((p.stack for p in self._placed), default=-1)
            tier = 0
        else:
            lower = next(p for p in self._placed if p.die_id == on)
            stack, tier = lower.stack, lower.tier + 1
        self._placed.append(
            Placement(
                die_id=die_id,
                x_um=x_um,
                y_um=y_um,
                width_um=width_um,
                length_um=length_um,
                rotation_deg=rotation_deg,
                z_bottom_um=0,
                thickness_um=die.thickness_um if thickness_um is None else thickness_um,
                stack=stack,
                tier=tier,
                on_die=on,
                side=side,
                film_over_wire=film_over_wire,
            )
        )
        return self

    def build(self) -> Layout:
        rules = self.design.rules
        placed: dict[str, Placement] = {}
        for p in self._placed:
            die = self.design.die(p.die_id)
            if p.side is Side.BOTTOM:
                z = rules.ball_height_um - rules.joint_um(die, None) - p.thickness_um
            elif p.on_die is None:
                z = rules.base_thickness_um + rules.joint_um(die, None)
            else:
                lower = placed[p.on_die]
                lower_die = self.design.die(lower.die_id)
                z = lower.z_top_um + rules.joint_um(die, lower_die, film_over_wire=p.film_over_wire)
            placed[p.die_id] = replace(p, z_bottom_um=z)
        top = [p for p in placed.values() if p.side is Side.TOP]
        stack_up = [
            Layer(name, um)
            for name, um in (
                ("balls", rules.ball_height_um),
                ("substrate", rules.substrate_thickness_um),
                ("rdl", rules.rdl_layers * rules.rdl_layer_thickness_um),
            )
            if um
        ]
        thickness = rules.base_thickness_um
        if top:
            highest = max(top, key=lambda p: p.z_top_um + rules.top_clearance_um(self._die(p)))
            thickness = highest.z_top_um + rules.top_clearance_um(self._die(highest))
            chain = [highest]
            while chain[-1].on_die is not None:
                chain.append(placed[chain[-1].on_die])
            level = rules.base_thickness_um
            for p in reversed(chain):
                stack_up.append(Layer(f"joint under {p.die_id}", p.z_bottom_um - level))
                stack_up.append(Layer(p.die_id, p.thickness_um, "silicon"))
                level = p.z_top_um
            stack_up.append(Layer("mold", thickness - level, rules.mold_material))
        package = Rect(*self.package_origin_um, *self.package_um)
        placements = tuple(placed.values())
        return Layout(
            design_name=self.design.name,
            family=self.design.family,
            package=package,
            thickness_um=thickness,
            placements=placements,
            stack_up=tuple(stack_up),
            ball_map=place_balls(self.design, package, placements),
        )

    def _die(self, p: Placement) -> Die:
        return self.design.die(p.die_id)


def with_placement(layout: Layout, die_id: str, **changes: Any) -> Layout:
    """``layout`` with one placement changed (e.g. ``x_um=...``), all else kept."""
    placements = tuple(
        replace(p, **changes) if p.die_id == die_id else p for p in layout.placements
    )
    return replace(layout, placements=placements)


# --------------------------------------------------------------------------------------
# Legal example layouts, one per package family shape (reused by validator tests and
# anyone who needs a small known-legal layout). Numbers are worked out in the comments.
# --------------------------------------------------------------------------------------


def epop_example(**rule_overrides: Any) -> tuple[Design, Layout]:
    """ePOP-like: a NAND–NAND–DRAM staircase (pads west) and a flip-chip controller north.

    Package 8000 x 10000 um (domain_data.md §6 'Wearable ePOP outline' 8.0 × 9.5 × 0.6 mm,
    lengthened to fit the test controller), envelope ceiling 600 um.

    z: base 180 + 100 = 280; NAND0 290..330, NAND1 340..380, DRAM0 390..430; top
    430 + 60 loop + 100 mold = 590. CTRL0 280 + 60 = 340..420 (+100 cap = 520).
    Finger ring (west) x 100..350; keep regions: stack 0 x 100..6000, y 200..7200; stack 1
    (controller + 100 fillet) x 2900..5100, y 7500..9700: 300 um apart (rule 200).
    """
    overrides: dict[str, Any] = {
        "max_dies_per_stack": 4,
        "stack_pairs": (("nand", "nand"), ("dram", "nand")),
    }
    overrides.update(rule_overrides)
    rules = make_rules("epop", **overrides)
    dies = (
        # §6 'NAND die (512 Gb TLC)' 5.5 × 7.0 × 0.04 mm (E)
        make_die("NAND0", "nand", 5500, 7000, 40, "wire_bond", pads="W"),
        make_die("NAND1", "nand", 5500, 7000, 40, "wire_bond", pads="W"),
        # a small LPDDR die: test value (E)
        make_die("DRAM0", "dram", 4500, 6000, 40, "wire_bond", pads="W"),
        # §6 'Controller die' 2.5 × 2.5 × 0.08 mm (E), made 2.0 mm to fit
        make_die("CTRL0", "controller", 2000, 2000, 80, "flip_chip"),
    )
    design = make_design("epop_test", dies, rules, max_thickness_um=600)
    b = LayoutBuilder(design, package_um=(8000, 10000))
    b.place("NAND0", 350, 200)
    b.place("NAND1", 500, 200, on="NAND0")
    b.place("DRAM0", 650, 400, on="NAND1")
    b.place("CTRL0", 3000, 7600)
    return design, b.build()


def sip_example(**rule_overrides: Any) -> tuple[Design, Layout]:
    """SiP-like side by side: flip-chip SoC, wire-bonded DRAM (pads west), PMIC, a passive.

    Package 13450 x 9800 um. SoC keep x 100..6300; DRAM0 ring x 6500..6750 (gap 200);
    PMIC keep y 6500..9700 (gap 200 above the SoC keep); passive C0 (turned 90°) at
    x 4000..4300, y 7000..7600 (logic–passive spacing 150, others 200).
    """
    rules = make_rules(
        "sip",
        max_dies_per_stack=1,
        pair_spacing_um=((("passive", "logic"), 150),),
        **rule_overrides,
    )
    dies = (
        make_die("SOC", "logic", 6000, 6000, 100, "flip_chip", power_w=1.5),
        # §6 'DRAM die (16 Gb)' 6.5 × 8.0 × 0.04 mm (E)
        make_die("DRAM0", "dram", 6500, 8000, 40, "wire_bond", pads="W"),
        make_die("PMIC", "pmic", 3000, 3000, 200, "flip_chip"),
        make_die("C0", "passive", 600, 300, 300, "smt", power_w=0.0),  # an 0201 part
    )
    design = make_design("sip_test", dies, rules)
    b = LayoutBuilder(design, package_um=(13450, 9800))
    b.place("SOC", 200, 200)
    b.place("DRAM0", 6750, 200)
    b.place("PMIC", 200, 6600, rotation_deg=90)  # square: any rotation
    b.place("C0", 4000, 7000, rotation_deg=90)
    return design, b.build()


def tsv_example(**rule_overrides: Any) -> tuple[Design, Layout]:
    """HBM-like TSV stack: a flip-chip base die and four micro-bumped core dies.

    Core dies may be thinned to 30 or 40 um (nominal 50); CORE3 is at 30 um.
    Stack height: 100 + 3 × (10 + 50) + 10 + 30 = 320 um (limit 720 um, domain_data.md
    §3.5 'HBM KGSD height' 720 µm, M/H). Bond line 10 um: §6 'HBM inter-die gap' (E).
    """
    overrides: dict[str, Any] = {
        "max_dies_per_stack": 5,
        "stack_pairs": (("dram", "logic"), ("dram", "dram")),
        "bond_line_um": 10,
        "max_stack_height_um": 720,
        "staircase_offset_um": 0,
        "bond_finger_ring_um": 0,
    }
    overrides.update(rule_overrides)
    rules = make_rules("tsv_stack", **overrides)
    cores = tuple(
        make_die(f"CORE{i}", "dram", 10000, 11000, 50, "micro_bump", allowed_thickness_um=(30, 40))
        for i in range(4)
    )
    base = make_die("BASE", "logic", 10000, 11000, 100, "flip_chip", power_w=5.0)
    design = make_design("tsv_test", (base, *cores), rules)
    b = LayoutBuilder(design, package_um=(10400, 11400))
    b.place("BASE", 200, 200)
    below = "BASE"
    for i in range(4):
        b.place(f"CORE{i}", 200, 200, on=below, thickness_um=30 if i == 3 else None)
        below = f"CORE{i}"
    return design, b.build()


def cmc_example(**rule_overrides: Any) -> tuple[Design, Layout]:
    """CMC: a compute die between two memory stacks whose PHY edges face it.

    HBM0 (PHY east) x 200..8200; GPU x 8350..18350, y 700..10700; HBM1 turned 180° (PHY
    now west) x 18500..26500, y 201..11201. Die-to-die gaps 150 um (limit 200); a small
    IO logic die (lower power, so not the compute die) north of the GPU.
    Interconnect: HBM0 150 + 0 = 150 um; HBM1 150 + 1 = 151 um.
    """
    overrides: dict[str, Any] = {
        "die_spacing_um": 50,
        "underfill_fillet_um": 50,
        "max_die_to_die_um": 200,
    }
    overrides.update(rule_overrides)
    rules = make_rules("cmc", **overrides)
    dies = (
        make_die("GPU", "logic", 10000, 10000, 100, "flip_chip", power_w=50.0),
        make_die("HBM0", "dram", 8000, 11000, 300, "flip_chip", phy="E", power_w=5.0),
        make_die("HBM1", "dram", 8000, 11000, 300, "flip_chip", phy="E", power_w=5.0),
        make_die("IO", "logic", 2000, 2000, 100, "flip_chip", power_w=1.0),
    )
    design = make_design("cmc_test", dies, rules, outline_um=(30000, 20000))
    b = LayoutBuilder(design, package_um=(26700, 13200))
    b.place("HBM0", 200, 200)
    b.place("GPU", 8350, 700)
    b.place("HBM1", 18500, 201, rotation_deg=180)
    b.place("IO", 12000, 11000)
    return design, b.build()


def double_sided_example(**rule_overrides: Any) -> tuple[Design, Layout]:
    """Double-sided SiP: a flip-chip SoC on top, two passives hanging under the substrate.

    Bottom passives: z = 180 ball − 20 solder − 150 = 10 um; joint + part = 170 um, the
    bottom-side limit (test value, E). C1 x 1000..1600 and C2 x 1800..2400: 200 um apart.
    """
    overrides: dict[str, Any] = {"double_sided": True, "bottom_side_max_height_um": 170}
    overrides.update(rule_overrides)
    rules = make_rules("sip", **overrides)
    dies = (
        make_die("SOC", "logic", 4000, 4000, 100, "flip_chip", power_w=1.0),
        make_die("C1", "passive", 600, 300, 150, "smt", power_w=0.0),
        make_die("C2", "passive", 600, 300, 150, "smt", power_w=0.0),
    )
    design = make_design("double_sided_test", dies, rules)
    b = LayoutBuilder(design, package_um=(4400, 4400))
    b.place("SOC", 200, 200)
    b.place("C1", 1000, 1000, side=Side.BOTTOM)
    b.place("C2", 1800, 1000, side=Side.BOTTOM)
    return design, b.build()


# Bond-finger and wire test numbers (µm), each from domain_data.md (all E).
_BOND_RULES: dict[str, Any] = {
    "finger_pitch_um": 80,  # §2.4 'Bond-finger pitch on substrate' 60–100 µm (E)
    "finger_row_pitch_um": 100,  # no row: an 80 µm finger and a 20 µm gap (E)
    "max_drop_angle_deg": 45.0,  # no row: a test value (E)
    "max_wire_length_um": 3000,  # no row: a test value (E)
    "wire_clearance_um": 25,  # §2.5 'Au/Cu wire Ø in memory stacks' 15–20 µm: a wire and a gap (E)
}


def bonded_example(**rule_overrides: Any) -> tuple[Design, Layout]:
    """Two DRAM dies in a staircase bonding west: 60 pads each at 100 um, straight wires.

    Fingers: DRAM0 in row 0 (200 um out), DRAM1 in row 1 (300 um out); the west ring is
    250 + 100 = 350 um wide (x 100..450). z: base 280; DRAM0 290..330, DRAM1 340..380.
    DRAM0 wires: loop top 390, drop 110 over 200 um: level run 90, 45°, 60 + 90 + 155.6 =
    305.6 um. DRAM1: loop top 440, drop 160 over 450 um: run 290, 45°, 576.3 um. Upper
    over lower: min(440 - 390, 100 x tan 45°) = 50 um (rule 25).
    """
    overrides: dict[str, Any] = {
        **_BOND_RULES,
        "max_dies_per_stack": 2,
        "stack_pairs": (("dram", "dram"),),
    }
    overrides.update(rule_overrides)
    rules = make_rules("epop", **overrides)
    dies = tuple(
        make_die(
            f"DRAM{i}",
            "dram",
            4500,
            6000,
            40,
            "wire_bond",
            pads="W",
            pad_count=60,
            pad_pitch_um=100,
        )
        for i in range(2)
    )
    design = make_design("bonded_test", dies, rules, max_thickness_um=600)
    b = LayoutBuilder(design, package_um=(6000, 6500))
    b.place("DRAM0", 450, 250)
    b.place("DRAM1", 600, 250, on="DRAM0")
    return design, b.build()


def ballout_example(**rule_overrides: Any) -> tuple[Design, Layout]:
    """A controller in a 0.4 mm-pitch full ball array with one bottom-side passive.

    Package 5000 x 5000 um, balls 0.25 mm with 0.25 mm clearance (domain_data.md §1.5,
    §10.3): 11 x 11 sites, x0 = y0 = 500 um (centred). The 01005 cap C0 hangs under the
    substrate at x 2000..2400, y 2000..2200; balls within 250 um of it (edge to edge) are
    depopulated: 7 sites, so 114 balls for the 100 the design needs.
    """
    overrides: dict[str, Any] = {
        "double_sided": True,
        "bottom_side_max_height_um": 170,
        "ball_pitch_um": 400,  # §1.5 'Mobile FBGA ball pitch range' 0.40–1.00 mm (H)
        "ball_diameter_um": 250,  # §1.5 'Ball Ø / standoff at 0.4 mm pitch' ≈ 0.25 (E)
        "ball_edge_clearance_um": 250,  # §10.3 'Minimum clearance ... to body edge' 0.25 (H)
        "min_ball_pitch_um": 400,
    }
    overrides.update(rule_overrides)
    rules = make_rules("sip", **overrides)
    dies = (
        make_die("CTRL0", "controller", 4000, 4000, 100, "flip_chip", power_w=0.5),
        make_die("C0", "passive", 400, 200, 130, "smt", power_w=0.0),
    )
    design = replace(make_design("ballout_test", dies, rules), balls=BallSpec(count=100))
    b = LayoutBuilder(design, package_um=(5000, 5000))
    b.place("CTRL0", 500, 500)
    b.place("C0", 2000, 2000, side="bottom")
    return design, b.build()


def pop_example(**rule_overrides: Any) -> tuple[Design, Layout]:
    """A package on package: a 6 x 6 mm SoC (flip-chip, exposed die) in the bottom package,
    two DRAM dies in a staircase in the top package on its own substrate.

    z (um): base 180 + 100; SoC on 60 um bumps at 340..440; air gap 30 and top substrate
    100 (the interface balls stand 60 + 100 + 30 = 190); DRAM0 on 10 um DAF at 580..620,
    DRAM1 at 630..670; thickness 670 + 60 loop + 100 mold = 830. The bottom mold is the SoC
    grown by 300 um (1950..8550); the two-row ring at 0.4 mm (0.25 mm balls, 0.25 mm
    clearance) has 25 x 25 sites from 450 um, its inner row at 850 um, 1100 um from the mold
    (more than the 375 um reach).
    """
    overrides: dict[str, Any] = {
        "max_dies_per_stack": 3,
        "stack_pairs": (("dram", "logic"), ("dram", "dram")),
        "pop_air_gap_um": 30,  # processes.yaml pop: 180 um standoff less the bottom package
        "top_substrate_thickness_um": 100,  # §6 '2-layer substrate' 0.10 mm (E)
        "pop_ball_pitch_um": 400,  # §1.5 'PoP interface balls' at 0.4-0.5 mm (L)
        "pop_ball_diameter_um": 250,  # §1.5 'Ball Ø / standoff at 0.4 mm pitch' ≈ 0.25 (E)
        "pop_ball_rows": 2,
        "pop_mold_margin_um": 300,
        "ball_edge_clearance_um": 250,  # §10.3 'Minimum clearance ... to body edge' 0.25 (H)
        "ball_pitch_um": 400,  # §1.5 'Mobile FBGA ball pitch range' 0.40–1.00 mm (H)
        "ball_diameter_um": 250,
        "min_ball_pitch_um": 400,
    }
    overrides.update(rule_overrides)
    rules = make_rules("pop", **overrides)
    dies = (
        make_die("SOC", "logic", 6000, 6000, 100, "flip_chip", power_w=2.0),
        make_die(
            "DRAM0", "dram", 5000, 6000, 40, "wire_bond", pads="W", pad_count=8, pad_pitch_um=200
        ),
        make_die(
            "DRAM1", "dram", 5000, 6000, 40, "wire_bond", pads="W", pad_count=8, pad_pitch_um=200
        ),
    )
    design = make_design("pop_test", dies, rules)
    design = replace(design, balls=BallSpec(count=200, interface_count=150))
    b = LayoutBuilder(design, package_um=(10500, 10500))
    b.place("SOC", 2250, 2250)
    b.place("DRAM0", 2500, 2250, on="SOC")
    b.place("DRAM1", 2650, 2250, on="DRAM0")
    return design, b.build()


EXAMPLES = {
    "pop": pop_example,
    "epop": epop_example,
    "sip": sip_example,
    "tsv": tsv_example,
    "cmc": cmc_example,
    "double_sided": double_sided_example,
    "bonded": bonded_example,
    "ballout": ballout_example,
}


def hybrid_stack_example(overhang_um: int = 0, family: str = "sip") -> tuple[Design, Layout]:
    """A wire-bonded DRAM (pads west) on the back of a flip-chip SoC, one substrate.

    Package 8000 x 8000 um; SoC at x 1000..7000 (fillet 100 um: x 900..7100); the DRAM's
    west edge ``overhang_um`` west of the SoC's, its 250 um finger ring just west of that.
    """
    rules = make_rules(
        family, max_dies_per_stack=2, stack_pairs=(("dram", "logic"),), max_overhang_um=500
    )
    dies = (
        make_die("SOC", "logic", 6000, 6000, 100, "flip_chip", power_w=1.0),
        make_die("DRAM0", "dram", 5000, 5000, 40, "wire_bond", pads="W"),
    )
    design = make_design("hybrid_test", dies, rules)
    b = LayoutBuilder(design, package_um=(8000, 8000))
    b.place("SOC", 1000, 1000)
    b.place("DRAM0", 1000 - overhang_um, 1500, on="SOC")
    return design, b.build()
