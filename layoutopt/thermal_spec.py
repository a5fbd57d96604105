"""The thermal part of the core model: boundaries, the board, housing, workloads, limits.

Frozen values in SI units (°C, W, s) and integer micrometres for geometry, like the rest of
:mod:`layoutopt.model` (which re-exports :class:`ThermalSpec`). Their invariants are checked
here, once, when a value is made: every thermal model can rely on them.

The board is either a real shape (``board_outline``, a polygon in the layout's frame, with
an optional layer stack) or, as a shorthand, the package grown by ``board_margin_um`` on
every side. The housing is a wall over the whole board at ``housing_gap_um`` above the
package top; the air in the gap conducts and radiates.

Examples
--------
>>> spec = ThermalSpec(housing_thickness_um=800, housing_gap_um=300, max_skin_c=43.0,
...                    skin_limits=(TimeLimit(48.0, 60.0), TimeLimit(43.0, 8 * 3600.0)))
>>> spec.has_housing, spec.skin_limits[0].duration_s
(True, 60.0)
>>> ThermalSpec(h_top_w_per_m2_k=-1.0)
Traceback (most recent call last):
...
layoutopt.errors.DesignError: thermal.h_top_w_per_m2_k = -1.0: heat transfer coefficient must be zero (adiabatic) or positive and finite. Fix: give h in W/m2/K, e.g. 12 for still air with radiation (domain_data.md §6).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from shapely.geometry import Polygon, box

from layoutopt.errors import DesignError

__all__ = [
    "ABSOLUTE_ZERO_C",
    "BoardLayer",
    "BodyLayer",
    "BodySite",
    "Compass",
    "HeatBody",
    "InitialState",
    "Phase",
    "SourceFace",
    "SurfaceSource",
    "ThermalSpec",
    "TimeLimit",
    "Workload",
]

ABSOLUTE_ZERO_C = -273.15


class SourceFace(StrEnum):
    """Where a surface heat source enters: a face of the board, or the outer skin."""

    BOARD_TOP = "board_top"  # e.g. the SoC or a camera module beside the package
    BOARD_BOTTOM = "board_bottom"  # e.g. the battery or a part on the other side
    SKIN = "skin"  # e.g. sunlight on the housing


class BodySite(StrEnum):
    """Where a heat-source body around the package sits."""

    BOARD = "board"  # on the board (or interposer) beside the package: a GPU, a camera module
    UNDER_PACKAGE = "under_package"  # between the board and the package: the host SoC of a PoP


class Compass(StrEnum):
    """A side of the package (layout frame: x east, y north)."""

    WEST = "west"
    EAST = "east"
    SOUTH = "south"
    NORTH = "north"


class InitialState(StrEnum):
    """Where a workload starts from."""

    STEADY = "steady"  # the steady state of the first phase (the device has run so for long)
    AMBIENT = "ambient"  # everything at the ambient (switched on cold)


@dataclass(frozen=True)
class BoardLayer:
    """One layer of the board stack, top first: copper covering ``copper_fraction`` of it,
    the rest ``dielectric`` (a design material)."""

    thickness_um: int
    copper_fraction: float = 0.0
    dielectric: str = "fr4_bare"


@dataclass(frozen=True)
class SurfaceSource:
    """Heat entering a face uniformly over ``region`` (µm, layout frame; None: the whole face)."""

    name: str
    face: SourceFace
    power_w: float
    region: Polygon | None = None


@dataclass(frozen=True)
class BodyLayer:
    """One layer of a heat-source body, bottom first; ``heated`` layers take its power
    (uniformly over their volume)."""

    thickness_um: int
    material: str
    heated: bool = True


@dataclass(frozen=True)
class HeatBody:
    """A heat source with a body around the package: a box of ``layers`` (bottom first)
    that conducts like its materials and dissipates ``power_w`` in its heated layers.

    On the board (``site`` BOARD) it stands on the board's top face, either at the corner
    ``(x_um, y_um)`` of the layout frame or beside the package: centred on its ``side``,
    ``gap_um`` from the package edge (shifted by ``offset_um`` along that side). Under the
    package (UNDER_PACKAGE, the host SoC below an ePOP or a PoP's top package) it lies
    between the board and the package, centred on the package and by default of its
    outline; the package then rests on it and the board top drops by its height.

    >>> gpu = HeatBody("gpu", 400.0, (BodyLayer(720, "silicon"),), width_um=25_000,
    ...                length_um=32_000, side=Compass.WEST, gap_um=1_000)
    >>> gpu.height_um, gpu.site.value
    (720, 'board')
    """

    name: str
    power_w: float
    layers: tuple[BodyLayer, ...]
    site: BodySite = BodySite.BOARD
    width_um: int | None = None
    length_um: int | None = None
    x_um: int | None = None
    y_um: int | None = None
    side: Compass | None = None
    gap_um: int = 0
    offset_um: int = 0

    @property
    def height_um(self) -> int:
        return sum(layer.thickness_um for layer in self.layers)


@dataclass(frozen=True)
class Phase:
    """One phase of a workload: how long, and the power of the dies and sources it names.

    Dies and sources the phase does not name keep their design power (``Die.power_w``,
    ``SurfaceSource.power_w``).
    """

    name: str
    duration_s: float
    die_power_w: tuple[tuple[str, float], ...] = ()
    source_power_w: tuple[tuple[str, float], ...] = ()

    def power_of(self, die_id: str, default_w: float) -> float:
        return dict(self.die_power_w).get(die_id, default_w)

    def source_power_of(self, name: str, default_w: float) -> float:
        return dict(self.source_power_w).get(name, default_w)


@dataclass(frozen=True)
class Workload:
    """A named sequence of phases (idle, capture, video, ...).

    ``checked``: the solver holds the time-based skin limits on it (a layout that breaks
    one is cut); False: it is simulated and answered only ("video can run 32 s before the
    skin reaches 48 °C"), for a use the product limits some other way.
    """

    name: str
    phases: tuple[Phase, ...]
    initial: InitialState = InitialState.STEADY
    checked: bool = True

    @property
    def duration_s(self) -> float:
        return sum(p.duration_s for p in self.phases)


@dataclass(frozen=True)
class TimeLimit:
    """A touch-temperature limit for a contact time: the skin must not stay above
    ``max_c`` for longer than ``duration_s`` at a stretch (IEC 62368-1 Table 38 style:
    48 °C for 1 min to 8 h, 43 °C beyond 8 h; domain_data.md §4.4, §9.4)."""

    max_c: float
    duration_s: float


@dataclass(frozen=True)
class ThermalSpec:
    """Boundary conditions and limits of the thermal check (SI units, °C).

    A heat-transfer coefficient of 0 makes its face adiabatic. Skin limits need a housing
    (the skin is its outer face).
    """

    # Defaults (domain_data.md): 25 °C, where IEC 62368-1 applies its touch limits (§4.4,
    # M); still-air h of a temple surface with radiation, 12 W/m²K (§6, E); a 0.5 mm board
    # (§5 'Temple mainboard PCB' 0.4-0.6 mm, E); 2 mm of board beyond the package (estimate).
    ambient_c: float = 25.0
    h_top_w_per_m2_k: float = 12.0
    h_bottom_w_per_m2_k: float = 12.0
    board_thickness_um: int = 500
    board_material: str = "pcb"
    board_margin_um: int = 2000  # board beyond the package edge, when there is no outline
    max_top_c: float | None = None  # package top surface limit
    max_skin_c: float | None = None  # outer housing surface limit (skin contact, steady)
    housing_thickness_um: int = 0  # housing wall over the board; 0: none
    housing_material: str = "housing_plastic"
    top_fixed_c: float | None = None  # fixed temperature on the top face (cold plate)
    bottom_fixed_c: float | None = None
    # The board as a shape (layout frame, µm) and its layer stack (top first); without
    # layers the board is ``board_material``.
    board_outline: Polygon | None = None
    board_layers: tuple[BoardLayer, ...] = ()
    # Air between the package top and the housing wall (conduction + linearised radiation).
    housing_gap_um: int = 0
    # Emissivity of the faces across the gap (mold, board; housing inner face): 0.9 is the
    # value behind domain_data.md §4.5 '→ radiation, ε = 0.9' (E).
    surface_emissivity: float = 0.9
    housing_emissivity: float = 0.9
    sources: tuple[SurfaceSource, ...] = ()
    # Heat sources with a body around the package (a GPU beside an HBM stack, the host SoC
    # under an ePOP): :class:`HeatBody`, placed relative to the package or the board.
    bodies: tuple[HeatBody, ...] = ()
    skin_limits: tuple[TimeLimit, ...] = ()
    workloads: tuple[Workload, ...] = ()

    def __post_init__(self) -> None:
        _check_spec(self)

    @property
    def has_housing(self) -> bool:
        return self.housing_thickness_um > 0

    @property
    def under_height_um(self) -> int:
        """Height of the body under the package (0: the package sits on the board)."""
        return sum(b.height_um for b in self.bodies if b.site is BodySite.UNDER_PACKAGE)

    @property
    def heat_source_names(self) -> tuple[str, ...]:
        """Names of the surface sources and bodies (a phase may set their power)."""
        return tuple(s.name for s in self.sources) + tuple(b.name for b in self.bodies)

    def workload(self, name: str) -> Workload:
        for w in self.workloads:
            if w.name == name:
                return w
        known = ", ".join(w.name for w in self.workloads) or "none"
        raise DesignError(
            f"no workload named {name!r} (the design has: {known})",
            field="thermal.workloads",
            value=name,
            fix="name one of the design's workloads, or add it under thermal.workloads",
        )


# ---------------------------------------------------------------------------------------
# Invariants
# ---------------------------------------------------------------------------------------


def _finite(value: float, field: str, what: str, fix: str) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value)):
        raise DesignError(f"{what} must be a finite number", field=field, value=value, fix=fix)


def _check_spec(spec: ThermalSpec) -> None:
    _finite(spec.ambient_c, "thermal.ambient_c", "the ambient", "give °C, e.g. 25")
    if spec.ambient_c <= ABSOLUTE_ZERO_C:
        raise DesignError(
            "the ambient is below absolute zero",
            field="thermal.ambient_c",
            value=spec.ambient_c,
            fix="give the ambient in °C, e.g. 25 (IEC 62368-1 measures at 25 °C)",
        )
    for name in ("h_top_w_per_m2_k", "h_bottom_w_per_m2_k"):
        value = getattr(spec, name)
        if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
            raise DesignError(
                "heat transfer coefficient must be zero (adiabatic) or positive and finite",
                field=f"thermal.{name}",
                value=value,
                fix="give h in W/m2/K, e.g. 12 for still air with radiation (domain_data.md §6)",
            )
    top_open = spec.h_top_w_per_m2_k > 0 or spec.top_fixed_c is not None
    if not top_open and spec.h_bottom_w_per_m2_k == 0 and spec.bottom_fixed_c is None:
        raise DesignError(
            "every face is adiabatic: the heat has no way out and no steady state exists",
            field="thermal.h_top_w_per_m2_k",
            value=0.0,
            fix="give h_top_w_per_m2_k or h_bottom_w_per_m2_k above 0, or a fixed face",
        )
    _check_limits(spec)
    _check_lengths(spec)
    _check_board(spec)
    _check_sources(spec)
    _check_bodies(spec)
    _check_workloads(spec)


def _check_lengths(spec: ThermalSpec) -> None:
    if spec.board_thickness_um <= 0:
        raise DesignError(
            "board thickness must be positive",
            field="thermal.board_thickness_um",
            value=spec.board_thickness_um,
            fix="give the board thickness, e.g. 500 um",
        )
    for name in ("board_margin_um", "housing_thickness_um", "housing_gap_um"):
        if getattr(spec, name) < 0:
            raise DesignError(
                "must be zero or positive",
                field=f"thermal.{name}",
                value=getattr(spec, name),
                fix="use 0 or a positive length",
            )
    if spec.housing_gap_um > 0 and not spec.has_housing:
        raise DesignError(
            "an air gap under a housing that is not there",
            field="thermal.housing_gap_um",
            value=spec.housing_gap_um,
            fix="give thermal.housing_thickness, or remove the gap",
        )
    for name in ("surface_emissivity", "housing_emissivity"):
        value = getattr(spec, name)
        if not (isinstance(value, int | float) and 0 < value <= 1):
            raise DesignError(
                "emissivity must be in (0, 1]",
                field=f"thermal.{name}",
                value=value,
                fix="give an emissivity, e.g. 0.9 for mold compound and plastics",
            )


def _check_limits(spec: ThermalSpec) -> None:
    for name in ("max_top_c", "max_skin_c", "top_fixed_c", "bottom_fixed_c"):
        value = getattr(spec, name)
        if value is None:
            continue
        _finite(value, f"thermal.{name}", "a temperature", "give °C")
        if name.startswith("max") and value <= spec.ambient_c:
            raise DesignError(
                f"limit is not above the ambient {spec.ambient_c:g} °C",
                field=f"thermal.{name}",
                value=value,
                fix=f"raise thermal.{name} above thermal.ambient_c or lower the ambient",
            )
        if value <= ABSOLUTE_ZERO_C:
            raise DesignError(
                "temperature below absolute zero", field=f"thermal.{name}", value=value, fix="°C"
            )
    skin_wanted = spec.max_skin_c is not None or spec.skin_limits
    if skin_wanted and not spec.has_housing:
        raise DesignError(
            "a skin limit needs a housing: without one (housing_thickness 0) there is no skin "
            "surface to check",
            field="thermal.max_skin_c" if spec.max_skin_c is not None else "thermal.skin_limits",
            value=spec.max_skin_c,
            fix="give thermal.housing_thickness (the wall over the board, e.g. '0.8 mm'), or "
            "limit the package top with thermal.max_top_c instead",
        )
    for i, limit in enumerate(spec.skin_limits):
        where = f"thermal.skin_limits[{i}]"
        _finite(limit.max_c, f"{where}.max_c", "a limit", "give °C, e.g. 48")
        if limit.max_c <= spec.ambient_c:
            raise DesignError(
                f"limit is not above the ambient {spec.ambient_c:g} °C",
                field=f"{where}.max_c",
                value=limit.max_c,
                fix="raise the limit above thermal.ambient_c",
            )
        if not (math.isfinite(limit.duration_s) and limit.duration_s > 0):
            raise DesignError(
                "a time limit needs a positive contact time",
                field=f"{where}.for",
                value=limit.duration_s,
                fix="give the contact time, e.g. for: '1 min' (48 °C) or '8 h' (43 °C)",
            )


def _check_board(spec: ThermalSpec) -> None:
    if spec.board_outline is not None:
        _check_polygon(spec.board_outline, "thermal.board.outline")
    if not spec.board_layers:
        return
    for i, layer in enumerate(spec.board_layers):
        where = f"thermal.board.layers[{i}]"
        if layer.thickness_um <= 0:
            raise DesignError(
                "layer thickness must be positive",
                field=f"{where}.thickness",
                value=layer.thickness_um,
                fix="give the layer thickness, e.g. '18 um' of copper, '60 um' of prepreg",
            )
        if not (0.0 <= layer.copper_fraction <= 1.0):
            raise DesignError(
                "copper fraction must be between 0 and 1",
                field=f"{where}.copper",
                value=layer.copper_fraction,
                fix="give the share of the layer's area that is copper, e.g. 0.7 for a plane",
            )
    total = sum(layer.thickness_um for layer in spec.board_layers)
    if total != spec.board_thickness_um:
        raise DesignError(
            f"the board layers add up to {total} um, not the board thickness",
            field="thermal.board_thickness_um",
            value=spec.board_thickness_um,
            fix="give either the layers or the thickness (the layers set it)",
        )


def _check_polygon(polygon: Polygon, field: str) -> None:
    if not isinstance(polygon, Polygon) or not polygon.is_valid or polygon.area <= 0:
        raise DesignError(
            "not a valid polygon with an area",
            field=field,
            fix="list the corners in order around the shape, edges not crossing",
        )


def _unique(names: Iterable[str], field: str, what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DesignError(
                f"{what} {name!r} is given twice", field=field, value=name, fix="rename one"
            )
        seen.add(name)


def _check_power(value: float, field: str) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise DesignError(
            "power must be zero or positive", field=field, value=value, fix="e.g. '120 mW'"
        )


def _check_sources(spec: ThermalSpec) -> None:
    _unique((s.name for s in spec.sources), "thermal.sources", "source")
    for s in spec.sources:
        where = f"thermal.sources[{s.name}]"
        _check_power(s.power_w, f"{where}.power")
        if s.region is not None:
            _check_polygon(s.region, f"{where}.region")
        if s.face is SourceFace.SKIN and not spec.has_housing:
            raise DesignError(
                "a skin source needs a housing",
                field=f"{where}.face",
                value=s.face.value,
                fix="give thermal.housing_thickness, or put the source on the board",
            )


def _check_bodies(spec: ThermalSpec) -> None:
    _unique(spec.heat_source_names, "thermal.around", "heat source")
    under = [b.name for b in spec.bodies if b.site is BodySite.UNDER_PACKAGE]
    if len(under) > 1:
        raise DesignError(
            "more than one body under the package",
            field=f"thermal.around[{under[1]}].under",
            value=", ".join(under),
            fix="give one body under the package (its layers can be the host's whole stack)",
        )
    for b in spec.bodies:
        _check_body(b, f"thermal.around[{b.name}]")


def _check_body(b: HeatBody, where: str) -> None:
    _check_power(b.power_w, f"{where}.power")
    if not b.layers:
        raise DesignError(
            "a body needs at least one layer",
            field=f"{where}.layers",
            fix="give height and material, or layers: [{thickness, material}]",
        )
    for i, layer in enumerate(b.layers):
        if layer.thickness_um <= 0:
            raise DesignError(
                "layer thickness must be positive",
                field=f"{where}.layers[{i}].thickness",
                value=layer.thickness_um,
                fix="give the layer's thickness, e.g. '100 um'",
            )
    if b.power_w > 0 and not any(layer.heated for layer in b.layers):
        raise DesignError(
            "the body has power but no heated layer",
            field=f"{where}.layers",
            fix="mark the layer that dissipates (the die) heated: true",
        )
    for name in ("width_um", "length_um"):
        value = getattr(b, name)
        if value is not None and value <= 0:
            raise DesignError(
                "must be positive",
                field=f"{where}.{name.removesuffix('_um')}",
                value=value,
                fix="give the body's size, e.g. '9 mm'",
            )
    if b.site is BodySite.UNDER_PACKAGE:
        if b.side is not None or b.x_um is not None or b.y_um is not None:
            raise DesignError(
                "a body under the package is centred on it: it takes no position",
                field=f"{where}.at" if b.side is None else f"{where}.beside",
                fix="remove the position, or put the body on the board (site: board)",
            )
        return
    if b.width_um is None or b.length_um is None:
        raise DesignError(
            "a body on the board needs its size",
            field=f"{where}.width" if b.width_um is None else f"{where}.length",
            fix="give width and length, e.g. width: '25 mm', length: '32 mm'",
        )
    at = b.x_um is not None and b.y_um is not None
    if at == (b.side is not None) or (b.x_um is None) != (b.y_um is None):
        raise DesignError(
            "a body on the board needs exactly one position",
            field=f"{where}.at",
            fix="give at: {x, y} (its corner in the board frame) or beside: {side, gap} "
            "(centred on a side of the package)",
        )
    if b.gap_um < 0:
        raise DesignError(
            "the gap to the package must be zero or positive",
            field=f"{where}.beside.gap",
            value=b.gap_um,
            fix="give the clearance between the package edge and the body, e.g. '1 mm'",
        )


def _check_workloads(spec: ThermalSpec) -> None:
    _unique((w.name for w in spec.workloads), "thermal.workloads", "workload")
    sources = set(spec.heat_source_names)
    for w in spec.workloads:
        where = f"thermal.workloads[{w.name}]"
        if not w.phases:
            raise DesignError(
                "a workload needs at least one phase",
                field=f"{where}.phases",
                fix="list phases with a name, a duration and the dies' powers",
            )
        _unique((p.name for p in w.phases), f"{where}.phases", "phase")
        for i, p in enumerate(w.phases):
            at = f"{where}.phases[{i}]"
            if not (isinstance(p.duration_s, int | float) and math.isfinite(p.duration_s)) or (
                p.duration_s <= 0
            ):
                raise DesignError(
                    "a phase needs a positive duration",
                    field=f"{at}.duration",
                    value=p.duration_s,
                    fix="give how long the phase lasts, e.g. '30 s' or '10 min'",
                )
            _unique((d for d, _ in p.die_power_w), f"{at}.power", "die")
            for die_id, power in p.die_power_w:
                _check_power(power, f"{at}.power[{die_id}]")
            for name, power in p.source_power_w:
                _check_power(power, f"{at}.sources[{name}]")
                if name not in sources:
                    raise DesignError(
                        f"phase {p.name!r} names a source the design does not have",
                        field=f"{at}.sources",
                        value=name,
                        fix="use one of: " + (", ".join(sorted(sources)) or "(none defined)"),
                    )


def check_design_thermal(design: object) -> None:
    """Invariants across the design: limits above ambient, workloads name real dies,
    the board holds every place the package may go. ``design`` is a
    :class:`layoutopt.model.Design` (not imported: the model imports this module)."""
    spec: ThermalSpec = design.thermal  # type: ignore[attr-defined]
    dies = design.dies  # type: ignore[attr-defined]
    for die in dies:
        if die.max_junction_c <= spec.ambient_c:
            raise DesignError(
                f"junction limit of {die.id} is not above the ambient {spec.ambient_c:g} °C",
                field=f"dies[{die.id}].max_junction_c",
                value=die.max_junction_c,
                fix="raise max_junction_c above thermal.ambient_c or lower the ambient",
            )
    ids = [d.id for d in dies]
    for w in spec.workloads:
        for i, p in enumerate(w.phases):
            for die_id, _power in p.die_power_w:
                if die_id not in ids:
                    raise DesignError(
                        f"phase {p.name!r} of workload {w.name!r} names a die the design "
                        "does not have",
                        field=f"thermal.workloads[{w.name}].phases[{i}].power",
                        value=die_id,
                        fix="use one of the design's die ids: " + ", ".join(ids),
                    )
    outline = design.envelope.outline  # type: ignore[attr-defined]
    board = spec.board_outline
    _check_bodies_on_design(design, spec)
    if board is not None and not board.buffer(1e-6).covers(outline):
        raise DesignError(
            "the board outline does not hold the whole envelope outline, so a package "
            "could be placed off the board",
            field="thermal.board.outline",
            fix="grow the board outline to cover envelope.outline (both in the same frame)",
        )


def _check_bodies_on_design(design: object, spec: ThermalSpec) -> None:
    """Each body's materials are the design's; a body at a fixed corner is on the board."""
    board = spec.board_outline
    for b in spec.bodies:
        for i, layer in enumerate(b.layers):
            try:
                design.material(layer.material)  # type: ignore[attr-defined]
            except KeyError:
                known = ", ".join(m.name for m in design.materials)  # type: ignore[attr-defined]
                raise DesignError(
                    "unknown material",
                    field=f"thermal.around[{b.name}].layers[{i}].material",
                    value=layer.material,
                    fix=f"use one of the design's materials: {known}",
                ) from None
        if board is not None and b.x_um is not None and b.y_um is not None:
            # A body at a fixed corner can be checked now; one placed by the package is
            # checked when the layout is known (layoutopt.thermal.around).
            w, length = b.width_um or 0, b.length_um or 0
            if not board.buffer(1e-6).covers(box(b.x_um, b.y_um, b.x_um + w, b.y_um + length)):
                bx0, by0, bx1, by1 = board.bounds
                raise DesignError(
                    f"the body (x {b.x_um / 1000:g}..{(b.x_um + w) / 1000:g} mm, y "
                    f"{b.y_um / 1000:g}..{(b.y_um + length) / 1000:g} mm) is not on the board "
                    f"(x {bx0 / 1000:g}..{bx1 / 1000:g} mm, y {by0 / 1000:g}..{by1 / 1000:g} mm)",
                    field=f"thermal.around[{b.name}].at",
                    fix="move or shrink the body, or grow thermal.board.outline",
                )
