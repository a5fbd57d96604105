"""Package warpage at room temperature and reflow peak, from the package's columns.

Model
-----
1. The package body is cut into columns (:func:`layoutopt.mechanics.columns.package_columns`):
   die columns (substrate, joints, dies, mold over them) and mold-only columns.
2. Each layer is linear elastic with its biaxial modulus ``E(T) / (1 - nu)`` (the glassy
   value below Tg, the rubbery one above) and its CTE (alpha 1 below Tg, alpha 2 above,
   §8.2, §8.3). From the stress-free temperature (175 °C mold cure, domain_data.md §8.4)
   the curvature is built up step by step between Tgs, each step with the properties of its
   range (incremental thermo-elasticity: stress built while a layer was glassy stays when it
   softens; no jump at Tg). Without a Tg in the range this is exactly Hsueh's closed form.
3. The columns are bonded into one plate with one mid-plane strain and one curvature
   (:func:`layoutopt.mechanics.laminate.columns_curvature`: Hsueh's multilayer balance with
   each layer weighted by its column's area). Each column's own free curvature (the same
   balance over that column alone) is reported too: it shows which part drives the bow.
4. Warpage is the corner-to-corner bow of that uniform curvature over the package
   diagonal, ``kappa L^2 / 8`` (§8.6), which is also the peak-to-valley against the
   least-squares plane of the paraboloid, as JEITA ED-7306 measures it (§8.5). Sign:
   positive when the corners rise above the centre (top surface concave, "smile"), negative
   when they fall below it ("cry").

Assumptions and their limits
----------------------------
- *Uniform curvature.* A stiff die column and a compliant mold rim bend differently;
  one curvature over the diagonal averages them. The per-column curvatures bound the
  local bow; where they differ a lot, the corners (usually mold-only) curve less or more
  than the average says. A 2D plate finite-element model (scikit-fem) over the same columns
  is the next step where that matters: ``warpage: {model: plate}``
  (:mod:`layoutopt.mechanics.plate_fe`). Measured on the shipped designs, the two agree
  within a few µm where one column dominates and differ where die and mold regions bend
  apart (the README lists both).
- *Quasi-elastic.* No viscoelastic relaxation, no cure shrinkage (it moves the effective
  stress-free temperature, §8.2 Phansalkar et al.), no plasticity or creep of solder.
  Elastic models of EMC warpage are known to miss these (§8.2, H).
- *Perfect bonding, Kirchhoff plate, small deflection*: bows are ~0.1 mm on 10 mm bodies.
- *In-plane isotropy*: substrates and RDL use their in-plane values; z-direction CTEs
  do not bend the plate.
- The board-side balls are not part of the body; a PoP's inter-package ball layer is a
  compliant layer with no stiffness once molten (library ``ball_layer``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np

from layoutopt.mechanics.columns import Column, mechanical_properties, package_columns
from layoutopt.mechanics.laminate import columns_curvature, grouped_curvatures, sagitta
from layoutopt.mechanics.limits import warpage_limit
from layoutopt.model import (
    BondType,
    Design,
    Family,
    Layout,
    MechanicalProperties,
    WarpageModel,
)

__all__ = [
    "ColumnWarpage",
    "WarpagePoint",
    "WarpageReport",
    "body_materials",
    "check_mechanical_inputs",
    "warpage_report",
]

_UM = 1e-6  # metres per micrometre
CURVE_STEP_C = 5.0  # temperature step of the warpage-against-temperature curve


@dataclass(frozen=True)
class WarpagePoint:
    """Package curvature (1/m, > 0: centre up) and signed warpage (µm) at one temperature."""

    temperature_c: float
    curvature_per_m: float
    warpage_um: float


@dataclass(frozen=True)
class ColumnWarpage:
    """One column: its area, thickness, dies and free curvatures at room and peak (1/m)."""

    label: str
    area_mm2: float
    thickness_um: int
    layers: tuple[str, ...]
    curvature_room_per_m: float
    curvature_peak_per_m: float


@dataclass(frozen=True)
class WarpageReport:
    """The warpage check of one layout (µm, °C)."""

    model: str
    stress_free_c: float
    diagonal_mm: float
    room: WarpagePoint
    peak: WarpagePoint
    curve: tuple[WarpagePoint, ...]
    columns: tuple[ColumnWarpage, ...]
    max_warpage_um: float | None = None
    limit_source: str = ""

    @property
    def worst(self) -> WarpagePoint:
        """The point of the curve with the largest warpage magnitude."""
        return max(self.curve, key=lambda p: (abs(p.warpage_um), -p.temperature_c))

    def violations(self) -> tuple[str, ...]:
        """The broken limit, in words with the numbers (empty when within it)."""
        if self.max_warpage_um is None:
            return ()
        worst = self.worst
        if abs(worst.warpage_um) <= self.max_warpage_um:
            return ()
        return (
            f"warpage {worst.warpage_um:+.0f} um at {worst.temperature_c:g} °C exceeds the "
            f"limit of {self.max_warpage_um:g} um ({self.limit_source})",
        )

    @property
    def ok(self) -> bool:
        return not self.violations()


def body_materials(design: Design) -> tuple[tuple[str, str], ...]:
    """(material, field that names it) of every layer the package body can have: the dies,
    the substrate or RDL, the mold, and the joint of each die's bond."""
    rules = design.rules
    found: dict[str, str] = {}
    for die in design.dies:
        found.setdefault(die.material, f"dies[{die.id}].material")
    if rules.substrate_thickness_um:
        found.setdefault(rules.substrate_material, "rules.substrate_material")
    if rules.rdl_layers:
        found.setdefault(rules.rdl_material, "rules.rdl_material")
    found.setdefault(rules.mold_material, "rules.mold_material")
    joints = {
        BondType.WIRE_BOND: "die_attach_material",
        BondType.VERTICAL_WIRE: "die_attach_material",
        BondType.FLIP_CHIP: "underfill_material",
        BondType.MICRO_BUMP: "bond_line_material",
    }
    for die in design.dies:
        if die.bond in joints:
            key = joints[die.bond]
            found.setdefault(getattr(rules, key), f"rules.{key}")
    if design.family is Family.POP:
        # The interface ring takes the ball layer's mechanics (layoutopt.pop.ring_material).
        found.setdefault(rules.ball_material, "rules.ball_material (PoP interface ring)")
        found.setdefault(rules.top_substrate_material, "rules.top_substrate_material")
    return tuple(found.items())


def check_mechanical_inputs(design: Design) -> None:
    """Raise :class:`DesignError` naming the first body material without mechanical
    properties (the design-file loader calls this, so the error comes before any solve)."""
    for name, field in body_materials(design):
        mechanical_properties(design, name, field)


@dataclass(frozen=True)
class _Arrays:
    """Every layer of every column as flat arrays (SI), for the balance at any temperature;
    each layer's material as an index into ``props`` (a body has few materials and many
    layers)."""

    z0_m: np.ndarray
    z1_m: np.ndarray
    weight_m2: np.ndarray
    column: np.ndarray  # column index of each layer
    material: np.ndarray  # index into props of each layer
    props: tuple[MechanicalProperties, ...]


def _arrays(design: Design, columns: tuple[Column, ...]) -> _Arrays:
    plies = [(k, ply) for k, c in enumerate(columns) for ply in c.plies]
    found: dict[MechanicalProperties, int] = {}
    material = [
        found.setdefault(mechanical_properties(design, p.material, p.field), len(found))
        for _, p in plies
    ]
    return _Arrays(
        z0_m=np.array([p.z0_um * _UM for _, p in plies]),
        z1_m=np.array([p.z1_um * _UM for _, p in plies]),
        weight_m2=np.array([columns[k].area_um2 * _UM * _UM for k, _ in plies]),
        column=np.array([k for k, _ in plies], dtype=int),
        material=np.array(material, dtype=int),
        props=tuple(found),
    )


def _intervals(arrays: _Arrays, t_from: float, t_to: float) -> list[tuple[float, float]]:
    """The temperature steps from ``t_from`` to ``t_to``, split at every Tg in between
    (inside a step every property is constant)."""
    lo, hi = sorted((t_from, t_to))
    cuts = sorted(
        {lo, hi} | {p.tg_c for p in arrays.props if p.tg_c is not None and lo < p.tg_c < hi}
    )
    steps = list(itertools.pairwise(cuts))
    return steps if t_to >= t_from else [(b, a) for a, b in reversed(steps)]


def _step(arrays: _Arrays, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Each layer's biaxial modulus (Pa) and free strain over the step from ``a`` to ``b``
    (°C), with the properties of the step's range (its mid-point)."""
    mid = 0.5 * (a + b)
    modulus = np.array(
        [p.modulus_gpa_at(mid) * 1e9 / (1.0 - p.poisson_ratio) for p in arrays.props]
    )
    strain = np.array([p.cte_ppm_per_k_at(mid) * 1e-6 * (b - a) for p in arrays.props])
    return modulus[arrays.material], strain[arrays.material]


def _curvature(arrays: _Arrays, t_from: float, t_to: float) -> float:
    """Curvature (1/m) of the bonded package built up from ``t_from`` (stress-free) to
    ``t_to``, incrementally.

    In each step the layers have the modulus and CTE of that temperature range, and the
    step's free strains ``alpha dT`` add their curvature: a layer above its Tg is soft, so
    what it does there adds little stress, and stress built while glassy stays (the
    incremental thermo-elastic method; a secant modulus would make the curve jump at Tg).
    """
    total = 0.0
    for a, b in _intervals(arrays, t_from, t_to):
        modulus, strain = _step(arrays, a, b)
        if not modulus.any():
            continue  # nothing stiff in this range (a column of molten solder only)
        total += columns_curvature(arrays.z0_m, arrays.z1_m, modulus, strain, arrays.weight_m2)[1]
    return total


def _package_point(
    arrays: _Arrays, stress_free_c: float, t_c: float, diag_m: float
) -> WarpagePoint:
    kappa = _curvature(arrays, stress_free_c, t_c)
    # Corners minus centre of w = -kappa r^2 / 2: positive (corners up) for kappa < 0.
    return WarpagePoint(t_c, kappa, -sagitta(kappa, diag_m) / _UM)


def _column_curvatures(arrays: _Arrays, stress_free_c: float, t_c: float, n: int) -> list[float]:
    """Each column's own free curvature (1/m), built up as :func:`_curvature` does; a step
    in which a column has nothing stiff adds nothing to it."""
    total = np.zeros(n)
    for a, b in _intervals(arrays, stress_free_c, t_c):
        modulus, strain = _step(arrays, a, b)
        kappa = grouped_curvatures(
            arrays.z0_m, arrays.z1_m, modulus, strain, arrays.weight_m2, arrays.column, n
        )
        total += np.nan_to_num(kappa, nan=0.0)
    return [float(k) for k in total]


def _curve_temperatures(design: Design, arrays: _Arrays) -> list[float]:
    """Room to peak every few kelvin, plus every Tg in between (where the curve kinks)."""
    spec = design.warpage
    lo, hi = spec.room_c, spec.reflow_peak_c
    steps = math.floor((hi - lo) / CURVE_STEP_C + 1e-9)
    temps = {round(lo + k * CURVE_STEP_C, 6) for k in range(steps + 1)} | {lo, hi}
    temps |= {p.tg_c for p in arrays.props if p.tg_c is not None and lo < p.tg_c < hi}
    return sorted(temps)


def warpage_report(design: Design, layout: Layout) -> WarpageReport:
    """The warpage of ``layout`` at room temperature, reflow peak and in between.

    Raises :class:`DesignError` when a material of the package body has no mechanical
    properties (naming the material and the field that uses it).
    """
    spec = design.warpage
    columns = package_columns(design, layout)
    arrays = _arrays(design, columns)
    pkg = layout.package
    diag_m = math.hypot(pkg.width_um, pkg.length_um) * _UM
    temperatures = _curve_temperatures(design, arrays)
    curve = tuple(_package_point(arrays, spec.stress_free_c, t, diag_m) for t in temperatures)
    if spec.model is WarpageModel.PLATE:
        from layoutopt.mechanics.plate_fe import plate_warpage_um

        plate = plate_warpage_um(
            design, layout, tuple(temperatures), stress_free_c=spec.stress_free_c
        )
        # Warpage from the plate; the curvature column keeps the closed form's average.
        curve = tuple(
            replace(point, warpage_um=w) for point, w in zip(curve, plate.warpage_um, strict=True)
        )
    by_t = {p.temperature_c: p for p in curve}
    room_k = _column_curvatures(arrays, spec.stress_free_c, spec.room_c, len(columns))
    peak_k = _column_curvatures(arrays, spec.stress_free_c, spec.reflow_peak_c, len(columns))
    limit = warpage_limit(design)
    return WarpageReport(
        model=spec.model.value,
        stress_free_c=spec.stress_free_c,
        diagonal_mm=diag_m * 1e3,
        room=by_t[spec.room_c],
        peak=by_t[spec.reflow_peak_c],
        curve=curve,
        columns=tuple(
            ColumnWarpage(
                label=c.label,
                area_mm2=c.area_um2 / 1e6,
                thickness_um=c.thickness_um,
                layers=tuple(f"{p.material} {p.thickness_um} um" for p in c.plies),
                curvature_room_per_m=kr,
                curvature_peak_per_m=kp,
            )
            for c, kr, kp in zip(columns, room_k, peak_k, strict=True)
        ),
        max_warpage_um=None if limit.max_warpage_um is None else float(limit.max_warpage_um),
        limit_source=limit.source,
    )
