"""The core model: frozen values in integer micrometres (geometry) and SI units (thermal).

Everything downstream of loading (solver, validator, thermal model, drawings) imports only
this module's values. Design *files* have their own schema (:mod:`layoutopt.design_file`)
with explicit units; they are converted once into these values.

Conventions
-----------
- x to the east, y to the north (top view), z up from the seating plane (ball bottom).
- A die's ``width_um`` is its x extent and ``length_um`` its y extent *at rotation 0*.
- Rotations are counter-clockwise, in degrees, one of 0, 90, 180, 270. A placement's
  ``x_um, y_um`` is the lower-left corner of the rotated die.
- Pad edges are named by compass direction at rotation 0 and turn with the die.

Examples
--------
>>> rotate_edge(Edge.WEST, 90)
<Edge.SOUTH: 'south'>
>>> d = Die(id="D0", part="lpddr4x_16gb", kind=DieKind.DRAM, width_um=6500, length_um=8000,
...         thickness_um=40, power_w=0.05, max_junction_c=85.0, bond=BondType.WIRE_BOND,
...         pad_edges=frozenset({Edge.WEST}))
>>> d.size_um(90)
(8000, 6500)
>>> sorted(e.value for e in d.pad_edges_at(180))
['east']
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property

from shapely.geometry import Polygon

from layoutopt.ball_layer import ball_area_fraction, ball_layer_conductivity_w_per_m_k
from layoutopt.bondline import BumpArray, conductivity_w_per_m_k
from layoutopt.errors import DesignError
from layoutopt.thermal_spec import ThermalSpec, check_design_thermal

__all__ = [
    "EDGE_GEOMETRY",
    "JOINT_NAMES",
    "ROTATIONS_DEG",
    "Axis",
    "BallArray",
    "BallMap",
    "BallRole",
    "BallSpec",
    "BondType",
    "Corner",
    "Design",
    "Die",
    "DieKind",
    "Edge",
    "EdgeGeometry",
    "Envelope",
    "Family",
    "FanOut",
    "FingerRows",
    "HeightZone",
    "Interface",
    "InterfaceRole",
    "Layer",
    "Layout",
    "Material",
    "MechanicalProperties",
    "Objective",
    "ObjectiveMode",
    "Placement",
    "ProcessRules",
    "Rect",
    "Side",
    "StandardSize",
    "ThermalSpec",
    "WarpageModel",
    "WarpageSpec",
    "adapt_dies",
    "in_compass_order",
    "rotate_edge",
]

ROTATIONS_DEG: tuple[int, ...] = (0, 90, 180, 270)


class Family(StrEnum):
    """Package families, each with its own process rules."""

    EPOP = "epop"  # memory (NAND + controller + LPDDR) stacked in one package-on-package
    SIP = "sip"  # system in package: SoC, memory stacks, PMIC and passives side by side
    FOMS = "foms"  # fan-out memory: dies in mold over RDL, no substrate (FOMS-R)
    CMC = "cmc"  # compute + memory co-packaged side by side on RDL or a silicon bridge
    TSV_STACK = "tsv_stack"  # HBM-like: base die + core dies joined by micro-bumps
    POP = "pop"  # memory package on top of an SoC package


class DieKind(StrEnum):
    DRAM = "dram"
    NAND = "nand"
    CONTROLLER = "controller"
    LOGIC = "logic"  # SoC, compute, AP, HBM base die
    PMIC = "pmic"
    PASSIVE = "passive"


class BondType(StrEnum):
    """How a die connects to what is below it."""

    WIRE_BOND = "wire_bond"  # die attach film below, wires from pad edges to fingers
    FLIP_CHIP = "flip_chip"  # bumps + underfill below, pads face down
    MICRO_BUMP = "micro_bump"  # TSV stack: micro-bumps in a bond line (MR-MUF or TC-NCF)
    VERTICAL_WIRE = "vertical_wire"  # fan-out: die in mold, vertical wire / Cu pillar to RDL
    SMT = "smt"  # surface-mount passive on solder


# What the joint under a die of each bond is called in budgets and drawings.
JOINT_NAMES: dict[str, str] = {
    "wire_bond": "DAF",
    "flip_chip": "bumps + underfill",
    "micro_bump": "bond line",
    "vertical_wire": "die attach",
    "smt": "solder",
}


class Edge(StrEnum):
    WEST = "west"
    SOUTH = "south"
    EAST = "east"
    NORTH = "north"


class Side(StrEnum):
    """The face of the package a component sits on."""

    TOP = "top"  # on the substrate (or RDL), under the mold: every family
    BOTTOM = "bottom"  # under the substrate among the balls (double-sided SiP only)


class Axis(StrEnum):
    X = "x"
    Y = "y"


@dataclass(frozen=True)
class EdgeGeometry:
    """Where an edge of an axis-aligned rectangle lies: the axis its outward normal points
    along, and whether it is the low (west, south: ``outward == -1``) or the high side."""

    normal: Axis
    outward: int

    @property
    def along(self) -> Axis:
        """The axis the edge runs along."""
        return Axis.Y if self.normal is Axis.X else Axis.X


_SIDE_NAMES = frozenset(side.value for side in Side)

# The one table of per-edge geometry (solver, validator and drawings dispatch on it).
EDGE_GEOMETRY: dict[Edge, EdgeGeometry] = {
    Edge.WEST: EdgeGeometry(Axis.X, -1),
    Edge.SOUTH: EdgeGeometry(Axis.Y, -1),
    Edge.EAST: EdgeGeometry(Axis.X, +1),
    Edge.NORTH: EdgeGeometry(Axis.Y, +1),
}

# Counter-clockwise order: turning a die by 90° moves each edge one step along it.
_CCW: tuple[Edge, ...] = (Edge.WEST, Edge.SOUTH, Edge.EAST, Edge.NORTH)


def in_compass_order(edges: frozenset[Edge] | set[Edge]) -> tuple[Edge, ...]:
    """``edges`` in the fixed order west, south, east, north.

    A set of string enums iterates in an order that depends on ``PYTHONHASHSEED``;
    anything that reaches an output (a model, a file) iterates edges through this.

    >>> in_compass_order(frozenset({Edge.NORTH, Edge.WEST}))
    (<Edge.WEST: 'west'>, <Edge.NORTH: 'north'>)
    """
    return tuple(e for e in _CCW if e in edges)


def rotate_edge(edge: Edge, rotation_deg: int) -> Edge:
    """Where ``edge`` of a die points after turning the die ``rotation_deg`` CCW."""
    if rotation_deg not in ROTATIONS_DEG:
        raise ValueError(f"rotation must be one of {ROTATIONS_DEG}, not {rotation_deg}")
    return _CCW[(_CCW.index(edge) + rotation_deg // 90) % 4]


class Corner(StrEnum):
    """A corner of the package in the top view (x east, y north)."""

    SOUTH_WEST = "south_west"
    SOUTH_EAST = "south_east"
    NORTH_EAST = "north_east"
    NORTH_WEST = "north_west"


class InterfaceRole(StrEnum):
    """Which end of a bus a die is: the memory (device) or its controller (host)."""

    DEVICE = "device"
    HOST = "host"


class BallRole(StrEnum):
    """What a ball array connects: the board below, or (PoP) the package on top."""

    BOARD = "board"
    INTERFACE = "interface"  # PoP: the ring of balls between bottom and top package


class FanOut(StrEnum):
    """How a fan-out package is built: which way its dies face and where its RDL is.

    In each the RDL is on the dies' face side and faces the board; they differ in how the
    pads reach it. Only ``vertical_wire`` changes the stack-up (docs/rules.md ``z``): its
    stack is built face up on a carrier, so after flipping, tier 0 is farthest from the
    board and the last die placed is nearest the RDL.
    """

    NONE = "none"  # not a fan-out family
    FACE_DOWN_CHIP_FIRST = "face_down_chip_first"  # dies face down in mold, RDL built on them
    RDL_FIRST = "rdl_first"  # the RDL built first, dies bumped onto it face down
    CHIP_LAST = "chip_last"  # dies bumped face down onto a finished (tested) RDL
    # dies face up in a staircase on a carrier, a vertical wire standing on each pad, the
    # mold ground to the wire tips and the RDL built on that surface; flipped onto the board
    VERTICAL_WIRE = "vertical_wire"

    @property
    def flipped(self) -> bool:
        """Whether the stack is built away from the RDL and flipped (tier 0 farthest)."""
        return self is FanOut.VERTICAL_WIRE


class FingerRows(StrEnum):
    """How the bond fingers of one tier are laid out along a stack edge."""

    INLINE = "inline"  # one finger row per tier that bonds on the edge
    STAGGERED = "staggered"  # two offset rows per tier: half the finger spacing along the edge


@dataclass(frozen=True)
class Interface:
    """One I/O interface of a die: an LPDDR4X x16 channel, an eMMC 8-bit bus, a UFS link.

    ``signals`` counts the signal pads (and balls) of one instance; ``ranks`` is how many
    device dies of one part may share one channel of it as ranks (chip selects), which is
    how a package with several memory dies keeps its ball count.

    >>> Interface("lpddr4x_x16", count=2, signals=34).total_signals
    68
    """

    name: str
    count: int
    signals: int
    role: InterfaceRole = InterfaceRole.DEVICE
    ranks: int = 1
    # Whether a host end that no device in the package serves is wired to the balls.
    host_reaches_balls: bool = True

    @property
    def total_signals(self) -> int:
        return self.count * self.signals


@dataclass(frozen=True)
class MechanicalProperties:
    """In-plane elastic and thermal-expansion properties of a material, one matched set.

    Below the glass transition ``tg_c`` the material has ``youngs_modulus_gpa`` and
    ``cte_ppm_per_k`` (alpha 1); above it, the ``*_above_tg_*`` values (alpha 2, the rubbery
    modulus). ``tg_c`` is None for materials without a transition in the reflow range
    (silicon, copper, glass). A solder's melting (solidus) is written as its ``tg_c``, with
    a zero modulus above it.

    >>> emc = MechanicalProperties(18.0, 0.27, 11.0, tg_c=185.0, cte_above_tg_ppm_per_k=45.0,
    ...                            youngs_modulus_above_tg_gpa=1.0)
    >>> round(emc.thermal_strain(175.0, 25.0) * 1e6, 1)  # ppm, cooling below Tg
    -1650.0
    >>> round(emc.thermal_strain(175.0, 260.0) * 1e6, 1)  # 10 K below Tg, 75 K above
    3485.0
    """

    youngs_modulus_gpa: float
    poisson_ratio: float
    cte_ppm_per_k: float
    tg_c: float | None = None
    cte_above_tg_ppm_per_k: float | None = None
    youngs_modulus_above_tg_gpa: float | None = None
    source: str = ""
    confidence: str = "E"

    def _above(self, temperature_c: float) -> bool:
        return self.tg_c is not None and temperature_c > self.tg_c

    def modulus_gpa_at(self, temperature_c: float) -> float:
        """Young's modulus at ``temperature_c`` (the rubbery value above Tg)."""
        if self._above(temperature_c) and self.youngs_modulus_above_tg_gpa is not None:
            return self.youngs_modulus_above_tg_gpa
        return self.youngs_modulus_gpa

    def cte_ppm_per_k_at(self, temperature_c: float) -> float:
        """The CTE at ``temperature_c`` (alpha 2 above Tg)."""
        if self._above(temperature_c) and self.cte_above_tg_ppm_per_k is not None:
            return self.cte_above_tg_ppm_per_k
        return self.cte_ppm_per_k

    def thermal_strain(self, from_c: float, to_c: float) -> float:
        """Free thermal strain from ``from_c`` to ``to_c``: the integral of the CTE (alpha 1
        below Tg, alpha 2 above), dimensionless."""
        alpha1 = self.cte_ppm_per_k * 1e-6
        tg = self.tg_c
        if tg is None or self.cte_above_tg_ppm_per_k is None:
            return alpha1 * (to_c - from_c)
        alpha2 = self.cte_above_tg_ppm_per_k * 1e-6

        def strain_from_tg(t: float) -> float:  # signed integral of alpha from Tg to t
            return (alpha2 if t > tg else alpha1) * (t - tg)

        return strain_from_tg(to_c) - strain_from_tg(from_c)


@dataclass(frozen=True)
class Material:
    """A material with (possibly anisotropic) thermal conductivity, with its source.

    ``mechanical`` holds what the warpage model needs (None: not known; the warpage model
    then names the material and the missing field).
    """

    name: str
    k_xy_w_per_m_k: float
    k_z_w_per_m_k: float
    source: str = ""
    confidence: str = "E"  # H, M, L or E (estimate), as in the reference data
    mechanical: MechanicalProperties | None = None
    # Heat capacity (transient thermal); None where no value is known.
    density_kg_per_m3: float | None = None
    specific_heat_j_per_kg_k: float | None = None

    def __post_init__(self) -> None:
        for attr in ("k_xy_w_per_m_k", "k_z_w_per_m_k"):
            value = getattr(self, attr)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise DesignError(
                    "thermal conductivity must be positive and finite",
                    field=f"materials[{self.name}].{attr}",
                    value=value,
                    fix="give a positive conductivity in W/m/K, e.g. 0.9 for mold compound",
                )
        for attr in ("density_kg_per_m3", "specific_heat_j_per_kg_k"):
            value = getattr(self, attr)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise DesignError(
                    "must be positive and finite",
                    field=f"materials[{self.name}].{attr}",
                    value=value,
                    fix="give the value in SI units (domain_data.md §9.1), or leave it out",
                )

    @property
    def heat_capacity_j_per_m3_k(self) -> float | None:
        """Volumetric heat capacity ρ·c, or None when either is unknown."""
        if self.density_kg_per_m3 is None or self.specific_heat_j_per_kg_k is None:
            return None
        return self.density_kg_per_m3 * self.specific_heat_j_per_kg_k


@dataclass(frozen=True)
class Die:
    """One die or component, as designed (not yet placed)."""

    id: str
    part: str
    kind: DieKind
    width_um: int
    length_um: int
    thickness_um: int
    power_w: float
    max_junction_c: float
    bond: BondType
    pad_edges: frozenset[Edge] = frozenset()
    # Edges that carry the memory PHY (CMC): they must face the compute die.
    phy_edges: frozenset[Edge] = frozenset()
    # Bandwidth to the compute die, weights interconnect length in CMC objectives.
    bandwidth_gbps: float = 0.0
    # Thicknesses the process may thin this die to (TSV core dies), besides its own.
    allowed_thickness_um: tuple[int, ...] = ()
    # Relative power density map, rows south→north, columns west→east, at rotation 0.
    power_map: tuple[tuple[float, ...], ...] | None = None
    # Material of the die body (silicon for dies, a ceramic for passives).
    material: str = "silicon"
    # Memory capacity of the die (DRAM, NAND), for sweeps that trade capacity; 0: none.
    capacity_gbit: float = 0.0
    # I/O: the interfaces the die carries, and its wire-bond pads (signal and power) split
    # over its pad edges at ``pad_pitch_um`` (0: no pads modelled, so no wires drawn).
    interfaces: tuple[Interface, ...] = ()
    pad_count: int = 0
    pad_pitch_um: int = 0
    # Power from traffic (domain_data.md §12): energy per transferred bit and the power at
    # no traffic (refresh, leakage, PHY idle); None where the part gives no figure.
    energy_per_bit_pj: float | None = None
    background_power_w: float = 0.0

    def __post_init__(self) -> None:
        for attr in ("power_w", "background_power_w", "energy_per_bit_pj"):
            value = getattr(self, attr)
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise DesignError(
                    "must be zero or positive and finite",
                    field=f"dies[{self.id}].{attr}",
                    value=value,
                    fix="give the die power in W, e.g. 0.12 (energy per bit in pJ, e.g. 5)",
                )
        if self.power_map is not None:
            _check_power_map(self.power_map, f"dies[{self.id}].power_map")

    def power_at_w(self, traffic_bit_per_s: float) -> float:
        """Power at a data rate: ``background + energy per bit x rate`` (§12).

        >>> d = Die("M", "p", DieKind.DRAM, 1, 1, 1, 0.05, 85.0, BondType.WIRE_BOND,
        ...         energy_per_bit_pj=5.0, background_power_w=0.01)
        >>> round(d.power_at_w(8e9), 6)
        0.05
        """
        if self.energy_per_bit_pj is None:
            raise DesignError(
                f"die {self.id} has no energy per bit, so its power cannot follow its traffic",
                field=f"dies[{self.id}].energy_per_bit_pj",
                fix="give energy_per_bit_pj (and background_power) for the die, or a power",
            )
        return self.background_power_w + self.energy_per_bit_pj * 1e-12 * traffic_bit_per_s

    def size_um(self, rotation_deg: int) -> tuple[int, int]:
        """(x extent, y extent) after rotation."""
        if rotation_deg in (90, 270):
            return self.length_um, self.width_um
        return self.width_um, self.length_um

    def pad_edges_at(self, rotation_deg: int) -> frozenset[Edge]:
        return frozenset(rotate_edge(e, rotation_deg) for e in self.pad_edges)

    def phy_edges_at(self, rotation_deg: int) -> frozenset[Edge]:
        return frozenset(rotate_edge(e, rotation_deg) for e in self.phy_edges)

    def pads_on(self, edge: Edge) -> int:
        """Pads on pad edge ``edge`` (at rotation 0): ``pad_count`` split over the pad edges
        in compass order, the first edges taking the remainder.

        >>> d = Die("C", "c", DieKind.CONTROLLER, 10, 10, 10, 0.0, 85.0, BondType.WIRE_BOND,
        ...         pad_edges=frozenset({Edge.WEST, Edge.SOUTH}), pad_count=5)
        >>> d.pads_on(Edge.WEST), d.pads_on(Edge.SOUTH), d.pads_on(Edge.EAST)
        (3, 2, 0)
        """
        edges = [e for e in _CCW if e in self.pad_edges]
        if edge not in edges:
            return 0
        share, rest = divmod(self.pad_count, len(edges))
        return share + (1 if edges.index(edge) < rest else 0)

    @property
    def area_um2(self) -> int:
        return self.width_um * self.length_um

    @property
    def is_square(self) -> bool:
        return self.width_um == self.length_um


def _check_power_map(power_map: tuple[tuple[float, ...], ...], field: str) -> None:
    rows = len(power_map)
    cols = {len(row) for row in power_map}
    if rows == 0 or len(cols) != 1 or 0 in cols:
        raise DesignError(
            f"power map rows have different lengths {[len(r) for r in power_map]}",
            field=field,
            fix="give a rectangular grid: every row (south to north) the same number "
            "of columns (west to east)",
        )
    values = [v for row in power_map for v in row]
    if any(not math.isfinite(v) or v < 0 for v in values) or sum(values) <= 0:
        raise DesignError(
            "power map values must be finite, zero or positive, and not all zero",
            field=field,
            fix="give relative power densities with a positive sum, such as [[1, 2], [1, 1]]",
        )


@dataclass(frozen=True)
class ProcessRules:
    """A package family's process rules (all lengths in µm).

    One value object for every family: a rule a family does not use is zero or empty.
    Defaults and their sources live in the library data, not here.
    """

    family: Family
    name: str = ""
    # --- planar rules -------------------------------------------------------------
    die_edge_keepout_um: int = 0  # die edge to package (saw) edge
    finger_edge_keepout_um: int = 0  # bond finger to package edge
    die_spacing_um: int = 0  # between dies of different stacks
    # Type-pair spacing overrides: ((kind_a, kind_b), um), kinds sorted by value.
    pair_spacing_um: tuple[tuple[tuple[DieKind, DieKind], int], ...] = ()
    bond_finger_ring_um: int = 0  # beside each wire-bonded pad edge, at substrate level
    # Longest horizontal run from a wire-bonded pad edge to the stack's outer edge on that
    # side (the wire must reach its finger without a long span over other dies); 0: none.
    max_wire_span_um: int = 0
    underfill_fillet_um: int = 0  # keep-out beside each flip-chip die
    staircase_offset_um: int = 0  # exposed pad row per wire-bonded step
    max_overhang_um: int = 0  # how far a die may reach past the die below
    max_dies_per_stack: int = 1
    package_grid_um: int = 50  # package outline sizes are multiples of this (estimate)
    # --- vertical stack-up ------------------------------------------------------------
    ball_height_um: int = 0  # ball standoff (effective layer)
    substrate_thickness_um: int = 0  # 0 for fan-out (RDL) families
    rdl_layers: int = 0
    rdl_layer_thickness_um: int = 0
    die_attach_um: int = 0  # DAF under each wire-bonded die
    # Film-over-wire DAF under the first die of a turned staircase (it covers the pads of
    # the die below and embeds their wire loops, docs/rules.md ``film_over_wire``); 0: the
    # process builds no turned staircases.
    film_over_wire_um: int = 0
    flip_chip_gap_um: int = 0  # bump + underfill under a flip-chip die
    bond_line_um: int = 0  # micro-bump gap in a TSV stack (MR-MUF or TC-NCF)
    smt_gap_um: int = 0  # solder under a passive
    vertical_wire_gap_um: int = 0  # adhesive under a die in a fan-out stack
    fan_out: FanOut = FanOut.NONE  # how a fan-out family is built (orientation, RDL side)
    # Vertical-wire fan-out: mold between the RDL and the face of the die nearest it, which
    # the shortest vertical wires cross (docs/rules.md ``z``).
    vertical_wire_standoff_um: int = 0
    wire_loop_um: int = 0  # loop above the top of a wire-bonded die
    mold_clearance_um: int = 0  # mold over the highest wire loop
    mold_cap_um: int = 0  # mold over the top of a die without wires
    # PoP, two packages (``pop_gap_um`` sums them): over the bottom package's flip-chip
    # dies the bottom mold's cap (0: exposed die, the mold flush with the die tops), the
    # air gap under the top package that the interface balls span, the top substrate.
    pop_mold_cap_um: int = 0
    pop_air_gap_um: int = 0
    top_substrate_thickness_um: int = 0
    # --- ball-out (0: the family has no ball map, e.g. a KGSD on micro-bumps) ------------
    # Board balls, centre to centre; also sets the default warpage limit (JEITA ED-7306
    # by pitch, see layoutopt.mechanics.limits).
    ball_pitch_um: int = 0
    ball_diameter_um: int = 0
    min_ball_pitch_um: int = 0  # the finest pitch the family's assembly offers
    ball_edge_clearance_um: int = 0  # ball edge to body edge (and to bottom-side parts)
    ball_rows: int = 0  # 0: full array; n: n perimeter rows
    power_ground_ratio: float = 0.0  # power/ground balls per signal ball
    pop_ball_pitch_um: int = 0  # PoP interface ring around the bottom mold
    pop_ball_diameter_um: int = 0
    pop_ball_rows: int = 0
    pop_mold_margin_um: int = 0  # bottom mold beyond the bottom package's dies
    # --- bond fingers and wires (0: rule unused) -----------------------------------------
    finger_pitch_um: int = 0  # finger to finger along a row
    finger_row_pitch_um: int = 0  # row to row; every row past the first widens the ring
    finger_rows: FingerRows = FingerRows.INLINE
    max_wire_length_um: int = 0
    max_drop_angle_deg: float = 0.0  # steepest descent of a wire onto its finger
    wire_clearance_um: int = 0  # an upper tier's wire over a lower tier's
    substrate_layers: int = 0  # metal layers of the substrate (0 for RDL-only families)
    # Double-sided SiP: components allowed on the bottom face, and its height limit.
    double_sided: bool = False
    bottom_side_max_height_um: int = 0
    # CMC: maximum die-to-die distance between the compute die and each memory die.
    max_die_to_die_um: int = 0
    # TSV: the stack height limit (KGSD height).
    max_stack_height_um: int = 0
    # Building to a target height: the top die of each stack takes up what the target
    # leaves (a KGSD's top die is left thick and the mold ground flush to it), beyond its
    # allowed thicknesses; otherwise the remainder is mold.
    top_die_fill: bool = False
    # Which die kinds may sit on which (upper, lower); empty: no stacking.
    stack_pairs: tuple[tuple[DieKind, DieKind], ...] = ()
    # Which die kinds the family can hold at all.
    allowed_kinds: tuple[DieKind, ...] = tuple(DieKind)
    # How this family connects a die designed for another: e.g. fan-out turns a
    # wire-bonded die into a vertical-wire one, CMC bumps bare memory dies (flip-chip).
    bond_map: tuple[tuple[BondType, BondType], ...] = ()
    # --- materials of the layers (names in the design's material table) ---------------
    substrate_material: str = "substrate_2l"
    mold_material: str = "emc"
    die_attach_material: str = "daf"
    underfill_material: str = "underfill"
    bond_line_material: str = "underfill"
    # TSV stacks: the micro-bump arrays in the bond line (empty: the bond line is the bulk
    # fill). With them the bond line is its own derived material (layoutopt.bondline).
    bond_line_bumps: tuple[BumpArray, ...] = ()
    ball_material: str = "ball_layer"
    rdl_material: str = "rdl"
    # PoP: the top package's substrate; the interface balls and what fills around them
    # (air: no underfill between the packages). The ring's effective conductivity follows
    # from the balls' area fraction (layoutopt.pop.interface_material).
    top_substrate_material: str = "substrate_2l"
    pop_ball_material: str = "solder"
    pop_interface_fill_material: str = "air"

    def bond_for(self, bond: BondType) -> BondType:
        """The bond a die designed as ``bond`` gets in this family."""
        return dict(self.bond_map).get(bond, bond)

    def spacing_um(self, a: DieKind, b: DieKind) -> int:
        """Required spacing between dies of kinds ``a`` and ``b`` (different stacks)."""
        key = tuple(sorted((a, b), key=lambda k: k.value))
        for pair, value in self.pair_spacing_um:
            if pair == key:
                return value
        return self.die_spacing_um

    def attach_um(self, bond: BondType) -> int:
        """Thickness of the joint under a die of this bond type."""
        return {
            BondType.WIRE_BOND: self.die_attach_um,
            BondType.FLIP_CHIP: self.flip_chip_gap_um,
            BondType.MICRO_BUMP: self.bond_line_um,
            BondType.VERTICAL_WIRE: self.vertical_wire_gap_um,
            BondType.SMT: self.smt_gap_um,
        }[bond]

    @property
    def pop_gap_um(self) -> int:
        """PoP: from the top of a bottom-package flip-chip die to the top of the top
        package's substrate (bottom mold cap + air gap + top substrate).

        >>> ProcessRules(Family.POP, pop_mold_cap_um=0, pop_air_gap_um=30,
        ...              top_substrate_thickness_um=100).pop_gap_um
        130
        """
        return self.pop_mold_cap_um + self.pop_air_gap_um + self.top_substrate_thickness_um

    def on_top_package(self, upper: Die, lower: Die | None) -> bool:
        """Whether ``upper`` on ``lower`` crosses from a PoP's bottom package into its top
        package: it rests on the top substrate above a bottom-package flip-chip die."""
        return self.family is Family.POP and lower is not None and lower.bond is BondType.FLIP_CHIP

    def joint_um(self, upper: Die, lower: Die | None, *, film_over_wire: bool = False) -> int:
        """Thickness of the joint under ``upper``, which sits on ``lower`` (None: on the base).

        In a PoP the first die of the top package stands on the SoC through the interface
        and the top substrate (:attr:`pop_gap_um`), then its own die attach; the first die
        of a turned staircase (``film_over_wire``) sits on its film-over-wire DAF.
        """
        if film_over_wire and lower is not None:
            return self.film_over_wire_um
        if self.on_top_package(upper, lower):
            return self.pop_gap_um + self.attach_um(upper.bond)
        return self.attach_um(upper.bond)

    def joint_layers(
        self, upper: Die, lower: Die | None, *, film_over_wire: bool = False
    ) -> tuple[Layer, ...]:
        """The joint under ``upper`` as layers, bottom up; they sum to :meth:`joint_um`.

        One layer (the die's attach) except across a PoP's interface: bottom mold cap (if
        any), the air gap the interface balls span, the top substrate, the die attach.

        >>> die = Die("D", "p", DieKind.DRAM, 10, 10, 40, 0.0, 85.0, BondType.WIRE_BOND)
        >>> soc = Die("S", "p", DieKind.LOGIC, 10, 10, 100, 0.0, 85.0, BondType.FLIP_CHIP)
        >>> rules = ProcessRules(Family.POP, die_attach_um=10, pop_air_gap_um=30,
        ...                      top_substrate_thickness_um=100)
        >>> [(layer.name, layer.thickness_um) for layer in rules.joint_layers(die, soc)]
        [('PoP air gap', 30), ('top substrate', 100), ('DAF', 10)]
        """
        attach = Layer(
            JOINT_NAMES[upper.bond.value],
            self.attach_um(upper.bond),
            self.joint_material(upper, lower),
        )
        if film_over_wire and lower is not None:
            return (Layer("film-over-wire DAF", self.film_over_wire_um, attach.material),)
        if not self.on_top_package(upper, lower):
            return (Layer(attach.name, self.joint_um(upper, lower), attach.material),)
        layers = (
            Layer("bottom mold cap", self.pop_mold_cap_um, self.mold_material),
            Layer("PoP air gap", self.pop_air_gap_um, self.pop_interface_fill_material),
            Layer("top substrate", self.top_substrate_thickness_um, self.top_substrate_material),
            attach,
        )
        return tuple(layer for layer in layers if layer.thickness_um > 0)

    def joint_material(self, upper: Die, lower: Die | None) -> str:
        """Material of the attach directly under ``upper`` (which sits on ``lower``; None:
        the base). Across a PoP's interface it is the top-package die's own attach; the
        interface layers below it are :meth:`joint_layers`.

        An SMT passive stands on solder pads covering a small part of its area, the rest
        filled with mold, so mold is used (the conservative choice for heat).

        >>> die = Die("D", "p", DieKind.DRAM, 10, 10, 10, 0.0, 85.0, BondType.WIRE_BOND)
        >>> ProcessRules(Family.EPOP).joint_material(die, None)
        'daf'
        """
        return {
            BondType.WIRE_BOND: self.die_attach_material,
            BondType.FLIP_CHIP: self.underfill_material,
            BondType.MICRO_BUMP: self.bond_line_joint_material,
            BondType.VERTICAL_WIRE: self.die_attach_material,
            BondType.SMT: self.mold_material,
        }[upper.bond]

    @property
    def pop_ring_material(self) -> str:
        """PoP: the name of the interface ring's effective material (balls in the fill),
        which :meth:`Design.material` derives."""
        return self.pop_interface_fill_material + POP_RING_SUFFIX

    @property
    def bond_line_joint_material(self) -> str:
        """The material between micro-bumped dies: the fill itself, or, with bump arrays,
        the bumps in the fill (a material :meth:`Design.material` derives by this name)."""
        if not self.bond_line_bumps:
            return self.bond_line_material
        return self.bond_line_material + BOND_LINE_SUFFIX

    def top_clearance_um(self, die: Die) -> int:
        """What must stand above a die's top: wire loop and mold, or the mold cap alone; in
        a vertical-wire fan-out (stack flipped) the die's own adhesive, which tier 0 carries
        to the package top where the carrier was."""
        if self.fan_out.flipped:
            return self.attach_um(die.bond)
        if die.bond is BondType.WIRE_BOND:
            return self.wire_loop_um + self.mold_clearance_um
        return self.mold_cap_um

    @property
    def base_thickness_um(self) -> int:
        """Everything below the first die: balls, substrate and RDL."""
        return (
            self.ball_height_um
            + self.substrate_thickness_um
            + self.rdl_layers * self.rdl_layer_thickness_um
        )

    def can_stack(self, upper: DieKind, lower: DieKind) -> bool:
        return (upper, lower) in self.stack_pairs

    @property
    def rows_per_tier(self) -> int:
        """Finger rows each bonding tier takes on an edge (1 in line, 2 staggered)."""
        return 2 if self.finger_rows is FingerRows.STAGGERED else 1

    def ring_width_um(self, rows: int) -> int:
        """Width of a finger ring holding ``rows`` finger rows (0 rows: no ring).

        ``bond_finger_ring_um`` holds the first row (die-to-finger distance and the row);
        each further row adds ``finger_row_pitch_um``.

        >>> ProcessRules(Family.EPOP, bond_finger_ring_um=250, finger_row_pitch_um=100).ring_width_um(3)
        450
        """
        if rows <= 0 or self.bond_finger_ring_um <= 0:
            return 0
        return self.bond_finger_ring_um + (rows - 1) * self.finger_row_pitch_um


@dataclass(frozen=True)
class HeightZone:
    """Part of the outline with a lower ceiling (e.g. under a hinge)."""

    region: Polygon
    max_thickness_um: int
    name: str = ""


@dataclass(frozen=True)
class StandardSize:
    """A standard package body (library ``standards.yaml``): W x L, its height class.

    ``max_height_um`` None: no height class published (the envelope's ceiling holds).
    """

    name: str
    width_um: int
    length_um: int
    max_height_um: int | None = None
    balls: int | None = None
    families: tuple[Family, ...] = ()
    description: str = ""
    source: str = ""
    confidence: str = "E"

    @property
    def area_um2(self) -> int:
        return self.width_um * self.length_um


@dataclass(frozen=True)
class Envelope:
    """Where the package may go: outline, keep-outs, thickness ceiling (µm).

    ``target_height_um`` fixes the package height (a standard such as a 720 µm HBM KGSD):
    the package is built *to* it, not minimised. The dies take the thickest allowed values
    that fit and the rest is fill (a thicker top die, then mold); ``max_thickness_um`` is
    then at least the target. None: the height is minimised under ``max_thickness_um``.
    """

    outline: Polygon
    max_thickness_um: int
    keepouts: tuple[Polygon, ...] = ()
    keepout_names: tuple[str, ...] = ()
    height_zones: tuple[HeightZone, ...] = ()
    target_height_um: int | None = None
    # Standard bodies to snap to, smallest first (``outline: standard``); the outline is
    # then the largest of them, and the solve picks the smallest that holds a legal layout.
    standard_sizes: tuple[StandardSize, ...] = ()


class WarpageModel(StrEnum):
    """How warpage is computed (layoutopt.mechanics)."""

    LAMINATE = "laminate"  # closed form: the columns bonded into one uniform curvature
    PLATE = "plate"  # plate finite elements over the columns (scikit-fem), ~1-3 s


@dataclass(frozen=True)
class WarpageSpec:
    """Temperatures and limit of the warpage check (°C, µm).

    The package is taken stress-free at the mold cure (175 °C, domain_data.md §8.4 'Mold
    cure / post-mold cure temperature', M) and checked at room temperature and at the
    J-STD-020 Pb-free reflow peak (260 °C for packages under 1.6 mm, §8.4, M).
    ``max_warpage_um`` None takes the JEITA ED-7306 limit for the family's ball pitch
    (:func:`layoutopt.mechanics.limits.jeita_limit_um`); 0 means no limit.
    """

    stress_free_c: float = 175.0
    room_c: float = 25.0
    reflow_peak_c: float = 260.0
    max_warpage_um: int | None = None
    model: WarpageModel = WarpageModel.LAMINATE


class ObjectiveMode(StrEnum):
    """How the objectives combine."""

    LEXICOGRAPHIC = "lexicographic"  # footprint, then thickness, then interconnect
    WEIGHTED = "weighted"  # one sum of the weighted terms
    COST = "cost"  # cost per good package (layoutopt.economics); families ranked by it


@dataclass(frozen=True)
class Objective:
    """What to minimise.

    ``lexicographic``: footprint first, then thickness, then (CMC) the bandwidth-weighted
    interconnect length; temperatures are limits, not objectives. ``weighted``: one sum with
    the weights below, in the units named (interconnect: per mm of length times the die's
    bandwidth in Gbit/s, rounded to a whole number, at least 1). ``cost``: the cost per good
    package (:func:`layoutopt.economics.cost_report`); for given dies and processes it grows
    with the package area alone, so the solve minimises footprint then thickness, and the
    candidate families are ranked by the cost itself.
    """

    mode: ObjectiveMode = ObjectiveMode.LEXICOGRAPHIC
    weight_area_per_mm2: float = 1.0
    weight_thickness_per_mm: float = 0.0
    weight_interconnect_per_mm: float = 0.0


@dataclass(frozen=True)
class BallSpec:
    """What a design says about its ball-out; ``None`` takes the family's value, or (for
    ``count``) the count its dies' interfaces give (:func:`layoutopt.ballmap.ball_requirements`).

    ``keepouts`` are rectangles with no balls, placed relative to the package centre (a
    void over the host's die, a thermal pad); ``a1`` is the corner of ball A1 in the top view.
    The geometry (pitch, diameter, rows) applies to the design's own process; its
    alternatives use their families' (:meth:`Design.variants`), the count to all of them.
    """

    count: int | None = None
    pitch_um: int | None = None
    diameter_um: int | None = None
    rows: int | None = None
    keepouts: tuple[Rect, ...] = ()
    a1: Corner = Corner.NORTH_WEST
    interface_count: int | None = None
    interface_pitch_um: int | None = None
    interface_diameter_um: int | None = None
    interface_rows: int | None = None


@dataclass(frozen=True)
class Design:
    """A fully resolved design: dies, process rules, envelope, thermal spec, materials."""

    name: str
    dies: tuple[Die, ...]
    rules: ProcessRules
    envelope: Envelope
    thermal: ThermalSpec = field(default_factory=ThermalSpec)
    objective: Objective = field(default_factory=Objective)
    materials: tuple[Material, ...] = ()
    warpage: WarpageSpec = field(default_factory=WarpageSpec)
    # Other candidate families for the same dies and envelope.
    alternatives: tuple[ProcessRules, ...] = ()
    description: str = ""
    balls: BallSpec = field(default_factory=BallSpec)

    def __post_init__(self) -> None:
        check_design_thermal(self)

    @property
    def family(self) -> Family:
        return self.rules.family

    @cached_property
    def dies_by_id(self) -> Mapping[str, Die]:
        """The dies by id, built once per design (a scan per lookup made the validator
        and the bond plan O(n²): 35 s of a 50 s validation at 5,000 dies)."""
        found: dict[str, Die] = {}
        for d in self.dies:
            found.setdefault(d.id, d)
        return found

    def die(self, die_id: str) -> Die:
        try:
            return self.dies_by_id[die_id]
        except KeyError:
            raise KeyError(die_id) from None

    def material(self, name: str) -> Material:
        """The material ``name`` of this design; a bond line with micro-bumps (named
        ``<fill>_bond_line`` by :attr:`ProcessRules.bond_line_joint_material`) is derived
        from its fill and the bump arrays of the rules that name it."""
        for m in self.materials:
            if m.name == name:
                return m
        for rules in (self.rules, *self.alternatives):
            if rules.bond_line_bumps and rules.bond_line_joint_material == name:
                return _bond_line(self.material(rules.bond_line_material), rules)
            if rules.family is Family.POP and rules.pop_ring_material == name:
                return self._pop_ring(rules)
        raise KeyError(name)

    def _pop_ring(self, rules: ProcessRules) -> Material:
        """The PoP interface ring of ``rules``: its balls (at the design's interface
        geometry, else the family's) in the interface fill (:mod:`layoutopt.ball_layer`),
        with the board-ball layer's mechanics (separate balls carry little in-plane force)
        and the heat capacity mixed by volume."""
        own = rules is self.rules
        pitch = (own and self.balls.interface_pitch_um) or rules.pop_ball_pitch_um
        diameter = (own and self.balls.interface_diameter_um) or rules.pop_ball_diameter_um
        ball = self.material(rules.pop_ball_material)
        fill = self.material(rules.pop_interface_fill_material)
        k_xy, k_z = ball_layer_conductivity_w_per_m_k(
            diameter,
            pitch,
            ball.k_xy_w_per_m_k,
            ball.k_z_w_per_m_k,
            fill.k_xy_w_per_m_k,
            fill.k_z_w_per_m_k,
        )
        phi = ball_area_fraction(diameter, pitch)
        density = specific_heat = None
        if ball.heat_capacity_j_per_m3_k is not None and fill.heat_capacity_j_per_m3_k is not None:
            rho_c = phi * ball.heat_capacity_j_per_m3_k + (1 - phi) * fill.heat_capacity_j_per_m3_k
            density = phi * (ball.density_kg_per_m3 or 0.0) + (1 - phi) * (
                fill.density_kg_per_m3 or 0.0
            )
            specific_heat = rho_c / density
        return Material(
            name=rules.pop_ring_material,
            k_xy_w_per_m_k=k_xy,
            k_z_w_per_m_k=k_z,
            source=(
                f"derived (layoutopt.ball_layer): {diameter} um {ball.name} balls at {pitch} um "
                f"as columns of their lands ({100 * phi:.1f} % of the area) in {fill.name}"
            ),
            confidence="E",
            mechanical=self.material(rules.ball_material).mechanical,
            density_kg_per_m3=density,
            specific_heat_j_per_kg_k=specific_heat,
        )

    def variants(self) -> tuple[Design, ...]:
        """This design once per candidate family (its own rules first), each die connected
        the way that family connects it (``ProcessRules.bond_map``); an alternative keeps
        the ball count but takes its family's ball geometry."""
        family_geometry = replace(
            self.balls,
            pitch_um=None,
            diameter_um=None,
            rows=None,
            interface_pitch_um=None,
            interface_diameter_um=None,
            interface_rows=None,
        )
        return tuple(
            replace(
                self,
                rules=rules,
                dies=adapt_dies(self.dies, rules),
                alternatives=(),
                balls=self.balls if k == 0 else family_geometry,
            )
            for k, rules in enumerate((self.rules, *self.alternatives))
        )


def adapt_dies(dies: tuple[Die, ...], rules: ProcessRules) -> tuple[Die, ...]:
    """The dies with their bonds as the family makes them (see ``ProcessRules.bond_map``)."""
    return tuple(
        d if rules.bond_for(d.bond) is d.bond else replace(d, bond=rules.bond_for(d.bond))
        for d in dies
    )


@dataclass(frozen=True, order=True)
class Rect:
    """An axis-aligned rectangle in integer µm (lower-left corner and size).

    >>> Rect(0, 0, 10, 5).intersects(Rect(10, 0, 5, 5))
    False
    >>> Rect(0, 0, 10, 5).gap_um(Rect(13, 0, 5, 5))
    3
    """

    x_um: int
    y_um: int
    width_um: int
    length_um: int

    @property
    def x_max_um(self) -> int:
        return self.x_um + self.width_um

    @property
    def y_max_um(self) -> int:
        return self.y_um + self.length_um

    @property
    def area_um2(self) -> int:
        return self.width_um * self.length_um

    def side_um(self, edge: Edge) -> int:
        """The coordinate of side ``edge`` (x for west and east, y for south and north)."""
        geometry = EDGE_GEOMETRY[edge]
        low, high = self.span_um(geometry.normal)
        return high if geometry.outward > 0 else low

    def inset_um(self, inner: Rect, edge: Edge) -> int:
        """How far side ``edge`` of ``inner`` stands inside the same side of this rect.

        >>> Rect(0, 0, 10, 10).inset_um(Rect(2, 3, 4, 4), Edge.EAST)
        4
        """
        return EDGE_GEOMETRY[edge].outward * (self.side_um(edge) - inner.side_um(edge))

    def span_um(self, axis: Axis) -> tuple[int, int]:
        """(low, high) coordinates on ``axis``."""
        if axis is Axis.X:
            return self.x_um, self.x_max_um
        return self.y_um, self.y_max_um

    def intersects(self, other: Rect) -> bool:
        """True when the interiors overlap (touching edges do not count)."""
        return (
            self.x_um < other.x_max_um
            and other.x_um < self.x_max_um
            and self.y_um < other.y_max_um
            and other.y_um < self.y_max_um
        )

    def gap_um(self, other: Rect) -> int:
        """Chebyshev clearance: the larger of the x and y gaps (negative when overlapping)."""
        dx = max(other.x_um - self.x_max_um, self.x_um - other.x_max_um)
        dy = max(other.y_um - self.y_max_um, self.y_um - other.y_max_um)
        return max(dx, dy)

    def contains(self, other: Rect) -> bool:
        return (
            self.x_um <= other.x_um
            and self.y_um <= other.y_um
            and other.x_max_um <= self.x_max_um
            and other.y_max_um <= self.y_max_um
        )

    def expanded(self, west: int = 0, south: int = 0, east: int = 0, north: int = 0) -> Rect:
        return Rect(
            self.x_um - west,
            self.y_um - south,
            self.width_um + west + east,
            self.length_um + south + north,
        )

    def to_polygon(self) -> Polygon:
        from shapely.geometry import box

        return box(self.x_um, self.y_um, self.x_max_um, self.y_max_um)


@dataclass(frozen=True)
class Placement:
    """Where one die ended up.

    ``stack`` numbers the stacks of a layout from 0; ``tier`` counts up from 0 on the
    substrate (or RDL); ``on_die`` names the die directly below (``None`` at tier 0).
    ``side`` is :attr:`Side.TOP` except for components on the bottom face of a double-sided SiP,
    which hang under the substrate among the balls (z still measured up from the seating
    plane, see docs/rules.md ``z``). ``film_over_wire``: the die turns its stack's
    staircase; it rests on a film-over-wire DAF over the pads and wires of the die below
    (docs/rules.md ``film_over_wire``).
    """

    die_id: str
    x_um: int
    y_um: int
    width_um: int
    length_um: int
    rotation_deg: int
    z_bottom_um: int
    thickness_um: int
    stack: int
    tier: int
    on_die: str | None = None
    side: Side = Side.TOP
    film_over_wire: bool = False

    def __post_init__(self) -> None:
        # A side given by its name ("top") becomes the enum, so comparisons with ``is``
        # hold; any other value is kept for the validator to report (rule ``placement``).
        if not isinstance(self.side, Side) and self.side in _SIDE_NAMES:
            object.__setattr__(self, "side", Side(self.side))

    @property
    def rect(self) -> Rect:
        return Rect(self.x_um, self.y_um, self.width_um, self.length_um)

    @property
    def z_top_um(self) -> int:
        return self.z_bottom_um + self.thickness_um


@dataclass(frozen=True)
class Layer:
    """One layer of a thickness budget."""

    name: str
    thickness_um: int
    material: str = ""


@dataclass(frozen=True)
class BallArray:
    """Balls on a regular grid: ``columns`` x ``rows`` sites at the pitch, column 0 west and
    row 0 south; a perimeter array keeps only its outer ``perimeter_rows`` rings of sites.

    ``x0_um, y0_um`` is the centre of site (0, 0); ``depopulated`` lists the sites of the
    pattern left without a ball, as sorted ``(column, row)`` pairs.

    >>> a = BallArray(BallRole.BOARD, 350, 200, 450, 450, 4, 4, perimeter_rows=1,
    ...               depopulated=((0, 0),))
    >>> a.site_count, a.ball_count, a.centre_um(3, 0)
    (12, 11, (1500, 450))
    """

    role: BallRole
    pitch_um: int
    diameter_um: int
    x0_um: int
    y0_um: int
    columns: int
    rows: int
    perimeter_rows: int = 0
    depopulated: tuple[tuple[int, int], ...] = ()

    def in_pattern(self, column: int, row: int) -> bool:
        """Whether ``(column, row)`` is a site of the pattern (full or perimeter)."""
        if not (0 <= column < self.columns and 0 <= row < self.rows):
            return False
        k = self.perimeter_rows
        if k <= 0:
            return True
        return column < k or row < k or column >= self.columns - k or row >= self.rows - k

    def sites(self) -> Iterator[tuple[int, int]]:
        """Every site of the pattern, row by row from the south, west to east."""
        for row in range(self.rows):
            for column in range(self.columns):
                if self.in_pattern(column, row):
                    yield column, row

    def balls(self) -> Iterator[tuple[int, int]]:
        """The sites that carry a ball."""
        empty = set(self.depopulated)
        return ((c, r) for c, r in self.sites() if (c, r) not in empty)

    @property
    def site_count(self) -> int:
        if self.columns <= 0 or self.rows <= 0:
            return 0
        k = self.perimeter_rows
        inner = max(0, self.columns - 2 * k) * max(0, self.rows - 2 * k) if k > 0 else 0
        return self.columns * self.rows - inner

    @property
    def ball_count(self) -> int:
        return self.site_count - len(self.depopulated)

    def centre_um(self, column: int, row: int) -> tuple[int, int]:
        return self.x0_um + column * self.pitch_um, self.y0_um + row * self.pitch_um


@dataclass(frozen=True)
class BallMap:
    """The ball-out of a package: its board array and, for a PoP, the interface ring."""

    arrays: tuple[BallArray, ...]
    a1: Corner = Corner.NORTH_WEST

    def array(self, role: BallRole) -> BallArray | None:
        for a in self.arrays:
            if a.role is role:
                return a
        return None

    def translated(self, dx_um: int, dy_um: int) -> BallMap:
        """The same map moved with its package."""
        return replace(
            self,
            arrays=tuple(
                replace(a, x0_um=a.x0_um + dx_um, y0_um=a.y0_um + dy_um) for a in self.arrays
            ),
        )


@dataclass(frozen=True)
class Layout:
    """A solved (or hand-made) layout: package outline, placements, thickness budget."""

    design_name: str
    family: Family
    package: Rect
    thickness_um: int
    placements: tuple[Placement, ...]
    # The budget of the tallest stack, bottom to top; sums to ``thickness_um``.
    stack_up: tuple[Layer, ...] = ()
    # The balls under the package (None: the family has no ball map).
    ball_map: BallMap | None = None

    def placement(self, die_id: str) -> Placement:
        for p in self.placements:
            if p.die_id == die_id:
                return p
        raise KeyError(die_id)

    def stacks(self) -> dict[int, tuple[Placement, ...]]:
        """Placements grouped by stack, each bottom tier first."""
        groups: dict[int, list[Placement]] = {}
        for p in self.placements:
            groups.setdefault(p.stack, []).append(p)
        return {k: tuple(sorted(v, key=lambda p: p.tier)) for k, v in sorted(groups.items())}

    def __iter__(self) -> Iterator[Placement]:
        return iter(self.placements)

    @property
    def footprint_um2(self) -> int:
        return self.package.area_um2


BOND_LINE_SUFFIX = "_bond_line"
POP_RING_SUFFIX = "_pop_ring"


def _bond_line(fill: Material, rules: ProcessRules) -> Material:
    """The bond line of ``rules`` as one anisotropic material: bumps in ``fill``."""
    k_xy, k_z = conductivity_w_per_m_k(
        rules.bond_line_bumps, fill.k_xy_w_per_m_k, fill.k_z_w_per_m_k
    )
    arrays = ", ".join(
        f"{a.diameter_um} um at {a.pitch_um} um over {100 * a.coverage:g} %"
        for a in rules.bond_line_bumps
    )
    return replace(
        fill,
        name=fill.name + BOND_LINE_SUFFIX,
        k_xy_w_per_m_k=k_xy,
        k_z_w_per_m_k=k_z,
        source=f"derived (layoutopt.bondline): micro-bumps {arrays} in {fill.name}",
        confidence="E",
    )
