"""Write the fixed layouts that the drawing golden tests render.

Run from the repo root: ``python tests/data/layouts/make_layouts.py``. The layouts are
hand-made (never solver output, which may change) and legal by docs/rules.md. Numbers come
from /work/shared/reference/domain_data.md; every value there used here is an estimate (E)
unless noted:

- ePOP outline 8.0 x 9.5 mm, legacy 0.8 mm height class (§6 "Legacy ePOP outline", H).
- DRAM die 6.5 x 8.0 x 0.04 mm, NAND 512 Gb 5.5 x 7.0 x 0.04 mm, controller 2.5 x 2.5 mm (§6).
- DAF 10 um, staircase 150 um, wire loop 60 um, mold over loop 100 um, 2-layer substrate
  100 um, ball standoff 180 um (§6 rows of those names).
- Die-to-finger 250 um (§2.4 "Die-to-bond-finger distance", 150-400), SiP die edge 300 um,
  spacing 300 um, finger to edge 150 um (§3.6), flip-chip gap 80 um (§3.2 C4 70-100),
  4-layer substrate 200 um (§3.1 150-250), mold cap 100 um (§2.5 50-150).
- HBM-like stack: core die 30 um (§6 "HBM core die thickness", M), bond line 15 um (§6 MR-MUF
  15-20, E), stack height limit 720 um (§6 "HBM stack height", M/H), footprint ~11 mm (§3.5, L).
"""

from __future__ import annotations

from pathlib import Path

from shapely.geometry import box

from layoutopt.layout_io import LayoutRecord, write_layout
from layoutopt.model import (
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
)
from layoutopt.thermal.report import DieTemperature, ThermalReport

HERE = Path(__file__).parent
WB, FC, MB, SMT = BondType.WIRE_BOND, BondType.FLIP_CHIP, BondType.MICRO_BUMP, BondType.SMT


def die(id, part, kind, w, l, t, power, bond, pads=()):  # noqa: E741 - l is the die length
    return Die(
        id=id,
        part=part,
        kind=kind,
        width_um=w,
        length_um=l,
        thickness_um=t,
        power_w=power,
        max_junction_c=85.0 if kind is not DieKind.LOGIC else 105.0,
        bond=bond,
        pad_edges=frozenset(pads),
    )


def place(d: Die, x, y, z, stack, tier, on=None, rot=0, side="top"):
    w, l = d.size_um(rot)  # noqa: E741
    return Placement(d.id, x, y, w, l, rot, z, d.thickness_um, stack, tier, on, side)


def budget(*pairs):
    return tuple(Layer(name, t, mat) for name, t, mat in pairs)


def epop() -> LayoutRecord:
    rules = ProcessRules(
        family=Family.EPOP,
        name="epop-default",
        die_edge_keepout_um=200,
        finger_edge_keepout_um=100,
        die_spacing_um=300,
        bond_finger_ring_um=250,
        staircase_offset_um=150,
        max_overhang_um=500,
        max_dies_per_stack=4,
        ball_height_um=180,
        substrate_thickness_um=100,
        die_attach_um=10,
        wire_loop_um=60,
        mold_clearance_um=100,
        mold_cap_um=100,
        stack_pairs=(
            (DieKind.DRAM, DieKind.DRAM),
            (DieKind.NAND, DieKind.DRAM),
            (DieKind.CONTROLLER, DieKind.NAND),
        ),
    )
    d0 = die("D0", "lpddr4x_16gb", DieKind.DRAM, 6500, 8000, 40, 0.15, WB, [Edge.WEST])
    d1 = die("D1", "lpddr4x_16gb", DieKind.DRAM, 6500, 8000, 40, 0.15, WB, [Edge.WEST])
    n0 = die("N0", "nand_512gb_tlc", DieKind.NAND, 5500, 7000, 40, 0.10, WB, [Edge.WEST])
    c0 = die(
        "C0", "emmc_ctrl", DieKind.CONTROLLER, 2500, 2500, 80, 0.20, WB, [Edge.WEST, Edge.SOUTH]
    )
    env = Envelope(
        outline=box(-1000, -1000, 9000, 11000),
        max_thickness_um=800,
        keepouts=(box(6000, 9800, 9000, 11000),),
        keepout_names=("screw boss",),
    )
    design = Design(
        "epop_wearable",
        (d0, d1, n0, c0),
        rules,
        env,
        description="ePOP golden layout: 2 DRAM + NAND + controller staircase",
    )
    z = 280  # balls 180 + substrate 100
    ps = (
        place(d0, 500, 500, z + 10, 0, 0),
        place(d1, 650, 500, z + 60, 0, 1, "D0"),
        place(n0, 800, 800, z + 110, 0, 2, "D1"),
        place(c0, 1000, 1000, z + 160, 0, 3, "N0"),
    )
    stack_up = budget(
        ("balls", 180, "ball_layer"),
        ("substrate", 100, "substrate_2l"),
        ("DAF", 10, "daf"),
        ("D0", 40, "silicon"),
        ("DAF", 10, "daf"),
        ("D1", 40, "silicon"),
        ("DAF", 10, "daf"),
        ("N0", 40, "silicon"),
        ("DAF", 10, "daf"),
        ("C0", 80, "silicon"),
        ("wire loop", 60, "emc"),
        ("mold over loop", 100, "emc"),
    )
    layout = Layout("epop_wearable", Family.EPOP, Rect(0, 0, 8000, 9500), 680, ps, stack_up)
    thermal = ThermalReport(
        model="compact",
        ambient_c=25.0,
        dies=tuple(
            DieTemperature(i, t, t - 1.0, 85.0)
            for i, t in (("D0", 41.2), ("D1", 41.8), ("N0", 42.0), ("C0", 43.5))
        ),
        top_surface_c=39.9,
        skin_c=37.1,
        max_skin_c=43.0,
        total_power_w=0.6,
        hottest_die_id="C0",
        hottest_c=43.5,
        hottest_xyz_um=(2250.0, 2250.0, 480.0),
    )
    return LayoutRecord(
        design, layout, thermal, {"status": "optimal", "objective": 76000000.0, "time_s": 0.42}
    )


def sip() -> LayoutRecord:
    rules = ProcessRules(
        family=Family.SIP,
        name="sip-default",
        die_edge_keepout_um=300,
        finger_edge_keepout_um=150,
        die_spacing_um=300,
        bond_finger_ring_um=250,
        underfill_fillet_um=200,
        staircase_offset_um=150,
        max_overhang_um=300,
        max_dies_per_stack=2,
        ball_height_um=180,
        substrate_thickness_um=200,
        die_attach_um=10,
        flip_chip_gap_um=80,
        smt_gap_um=30,
        wire_loop_um=60,
        mold_clearance_um=100,
        mold_cap_um=100,
        double_sided=True,
        bottom_side_max_height_um=160,
        stack_pairs=((DieKind.DRAM, DieKind.DRAM),),
    )
    soc = die("U1", "soc_ar1", DieKind.LOGIC, 5000, 5000, 150, 1.2, FC)
    m0 = die("M0", "lpddr4x_8gb", DieKind.DRAM, 4000, 5000, 40, 0.1, WB, [Edge.EAST])
    m1 = die("M1", "lpddr4x_8gb", DieKind.DRAM, 4000, 5000, 40, 0.1, WB, [Edge.EAST])
    pm = die("P1", "pmic_small", DieKind.PMIC, 2000, 2000, 100, 0.15, FC)
    caps = [
        die(f"C{i}", "cap_01005", DieKind.PASSIVE, 400, 200, 130, 0.0, SMT) for i in range(1, 5)
    ]
    cb = die("C9", "cap_01005", DieKind.PASSIVE, 400, 200, 130, 0.0, SMT)
    env = Envelope(
        outline=box(0, 0, 14000, 11000),
        max_thickness_um=1000,
        height_zones=(HeightZone(box(12500, 0, 14000, 11000), 700, "hinge"),),
    )
    design = Design(
        "sip_glasses",
        (soc, m0, m1, pm, *caps, cb),
        rules,
        env,
        description="double-sided SiP golden layout",
    )
    base = 380
    ps = [
        place(soc, 500, 500, base + 80, 0, 0),
        place(m0, 6150, 500, base + 10, 1, 0),
        place(m1, 6000, 500, base + 60, 1, 1, "M0"),
        place(pm, 500, 6200, base + 80, 2, 0),
        place(cb, 9000, 7500, 180 - 30 - 130, 7, 0, side="bottom"),
    ]
    for i, c in enumerate(caps):
        ps.append(place(c, 3200 + i * 900, 7000, base + 30, 3 + i, 0, rot=90 if i % 2 else 0))
    stack_up = budget(
        ("balls", 180, "ball_layer"),
        ("substrate", 200, "substrate_4l"),
        ("bumps + underfill", 80, "underfill"),
        ("U1", 150, "silicon"),
        ("mold cap", 100, "emc"),
    )
    layout = Layout("sip_glasses", Family.SIP, Rect(0, 0, 11000, 9000), 710, tuple(ps), stack_up)
    return LayoutRecord(design, layout, None, {"status": "feasible", "gap": 0.03, "time_s": 5.0})


def tsv() -> LayoutRecord:
    rules = ProcessRules(
        family=Family.TSV_STACK,
        name="hbm-like",
        die_edge_keepout_um=500,
        die_spacing_um=500,
        underfill_fillet_um=200,
        max_dies_per_stack=13,
        ball_height_um=180,
        substrate_thickness_um=200,
        flip_chip_gap_um=80,
        bond_line_um=15,
        mold_cap_um=100,
        max_stack_height_um=720,
        stack_pairs=((DieKind.DRAM, DieKind.LOGIC), (DieKind.DRAM, DieKind.DRAM)),
    )
    base_die = die("B0", "hbm_base", DieKind.LOGIC, 10000, 11000, 60, 3.0, FC)
    cores = [
        die(f"K{i:02d}", "hbm_core_24gb", DieKind.DRAM, 10000, 11000, 30, 0.4, MB)
        for i in range(1, 13)
    ]
    env = Envelope(outline=box(0, 0, 12000, 13000), max_thickness_um=1200)
    design = Design(
        "hbm_12hi",
        (base_die, *cores),
        rules,
        env,
        description="TSV stack golden layout: base die + 12 core dies",
    )
    ps = [place(base_die, 1000, 1000, 460, 0, 0)]
    z = 520
    below = "B0"
    for i, c in enumerate(cores, start=1):
        ps.append(place(c, 1000, 1000, z + 15, 0, i, below))
        z += 45
        below = c.id
    stack_up = budget(
        ("balls", 180, "ball_layer"),
        ("substrate", 200, "substrate_4l"),
        ("bumps + underfill", 80, "underfill"),
        ("B0", 60, "silicon"),
        ("12 x (bond line 15 + core 30)", 540, "silicon"),
        ("mold cap", 100, "emc"),
    )
    layout = Layout(
        "hbm_12hi", Family.TSV_STACK, Rect(0, 0, 12000, 13000), 1160, tuple(ps), stack_up
    )
    return LayoutRecord(design, layout, None, {"status": "optimal", "time_s": 0.1})


def main() -> None:
    for name, make in (("epop", epop), ("sip", sip), ("tsv", tsv)):
        write_layout(HERE / f"{name}.json", make())


if __name__ == "__main__":
    main()
