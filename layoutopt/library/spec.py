"""The file form of dies, process rules and materials: what people write, with units.

The built-in library (``data/*.yaml``) and design files share these pydantic models, so a
design can override any library value with the same key and unit it is written with.
Lengths are written with a unit (``"40 um"``, ``"9.5 mm"``) and held as integer µm once
validated; powers as ``"120 mW"``; temperatures as plain numbers in keys named ``*_c``.

This module also turns a pydantic ``ValidationError`` into a :class:`DesignError` that
names the dotted field, the value and the fix (the first error only: one thing to fix at
a time keeps the message readable).

Examples
--------
>>> DieFields.model_validate({"width": "6.5 mm", "power": "50 mW"}).width
6500
>>> die_overrides_um(DieFields.model_validate({"thickness": "40 um"}))
{'thickness_um': 40}
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from layoutopt.errors import DesignError
from layoutopt.model import (
    BondType,
    BumpArray,
    DieKind,
    Edge,
    FanOut,
    FingerRows,
    InterfaceRole,
    Material,
    MechanicalProperties,
)
from layoutopt.units import (
    UnitError,
    parse_bandwidth_bit_per_s,
    parse_duration_s,
    parse_length_um,
    parse_power_w,
)

__all__ = [
    "Bandwidth",
    "Celsius",
    "Confidence",
    "Coordinate",
    "DieFields",
    "Duration",
    "FieldSource",
    "InterfaceUse",
    "Length",
    "MaterialSpec",
    "MechanicalSpec",
    "PairSpacingSpec",
    "PositiveLength",
    "Power",
    "RulesFields",
    "die_overrides_um",
    "dotted_path",
    "nearest",
    "rules_overrides_um",
    "to_core_material",
    "to_core_mechanical",
    "validation_error",
]

_LENGTH_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*(um|µm|μm|mm|cm|mil)\s*$"
_POWER_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*(W|mW|uW|µW)\s*$"


def _unit_error(err: UnitError, example: str) -> PydanticCustomError:
    text = str(err)
    if err.fix:
        fix = err.fix
    elif "must be" in text:  # a sign problem, not a unit problem
        fix = f"give a positive value with its unit, e.g. {example!r}"
    else:
        fix = f"write a number and a unit, e.g. {example!r}"
    return PydanticCustomError("unit", "{message}", {"message": text, "fix": fix})


def _length(value: object) -> int:
    try:
        return parse_length_um(value)
    except UnitError as err:
        raise _unit_error(err, "40 um") from None


def _positive_length(value: object) -> int:
    try:
        return parse_length_um(value, allow_zero=False)
    except UnitError as err:
        raise _unit_error(err, "40 um") from None


def _coordinate(value: object) -> int:
    # Polygon points may lie left of or below the origin, so a sign is allowed here only.
    if isinstance(value, str) and value.strip().startswith("-"):
        return -_length(value.strip()[1:])
    return _length(value)


def _power(value: object) -> float:
    try:
        return parse_power_w(value)
    except UnitError as err:
        raise _unit_error(err, "120 mW") from None


_LENGTH_SCHEMA = {"type": "string", "pattern": _LENGTH_PATTERN, "examples": ["40 um", "9.5 mm"]}

Length = Annotated[
    int,
    BeforeValidator(_length),
    WithJsonSchema({**_LENGTH_SCHEMA, "description": "length with a unit, zero or positive"}),
]
"""A length written with its unit, held as integer µm (zero allowed)."""

PositiveLength = Annotated[
    int,
    BeforeValidator(_positive_length),
    WithJsonSchema({**_LENGTH_SCHEMA, "description": "length with a unit, positive"}),
]
"""A length written with its unit, held as integer µm (must be positive)."""

Coordinate = Annotated[
    int,
    BeforeValidator(_coordinate),
    WithJsonSchema({**_LENGTH_SCHEMA, "description": "coordinate with a unit, may be negative"}),
]
"""A signed coordinate written with its unit, held as integer µm."""

Power = Annotated[
    float,
    BeforeValidator(_power),
    WithJsonSchema({"type": "string", "pattern": _POWER_PATTERN, "examples": ["120 mW", "1.5 W"]}),
]
"""A power written with its unit, held in watts."""

ABSOLUTE_ZERO_C = -273.15


def _celsius(value: float) -> float:
    if not value > ABSOLUTE_ZERO_C:
        raise PydanticCustomError(
            "temperature",
            "{value} °C is not above absolute zero (-273.15 °C)",
            {"value": value, "fix": "give the temperature in °C, e.g. 25"},
        )
    return value


Celsius = Annotated[
    float,
    AfterValidator(_celsius),
    WithJsonSchema({"type": "number", "exclusiveMinimum": ABSOLUTE_ZERO_C, "description": "°C"}),
]
"""A temperature in °C, finite and above absolute zero."""


def _duration(value: object) -> float:
    try:
        return parse_duration_s(value)
    except UnitError as err:
        raise _unit_error(err, "1 min") from None


def _bandwidth(value: object) -> float:
    try:
        return parse_bandwidth_bit_per_s(value)
    except UnitError as err:
        raise _unit_error(err, "2 GB/s") from None


Duration = Annotated[
    float,
    BeforeValidator(_duration),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*(ms|s|min|h)\s*$",
            "examples": ["30 s", "10 min", "8 h"],
        }
    ),
]
"""A duration written with its unit, held in seconds (positive)."""

Bandwidth = Annotated[
    float,
    BeforeValidator(_bandwidth),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*(Gb|Mb|GB|MB|TB)/s\s*$",
            "examples": ["2 GB/s", "16 Gb/s"],
        }
    ),
]
"""A data rate written with its unit (bytes ``B`` or bits ``b`` per second), held in bit/s."""

Confidence = Literal["H", "M", "L", "E"]


class _Strict(BaseModel):
    # NaN and infinity are never a dimension, power or temperature: every comparison with
    # NaN is false, so a NaN would pass every later check.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FieldSource(_Strict):
    """Where one value comes from (a row of domain_data.md) and how sure it is."""

    source: str
    confidence: Confidence


class InterfaceUse(_Strict):
    """One interface a die carries: a library interface name, how many, which end."""

    interface: str = Field(description="library interface name, e.g. lpddr4x_x16")
    count: Annotated[int, Field(ge=1)] = 1
    role: InterfaceRole = InterfaceRole.DEVICE


class DieFields(_Strict):
    """Every die field a library part sets and a design may override (all optional here)."""

    kind: DieKind | None = None
    width: PositiveLength | None = Field(None, description="x extent at rotation 0")
    length: PositiveLength | None = Field(None, description="y extent at rotation 0")
    thickness: PositiveLength | None = None
    power: Power | None = None
    max_junction_c: Celsius | None = None
    bond: BondType | None = None
    pad_edges: list[Edge] | None = Field(None, description="wire-bond pad edges at rotation 0")
    phy_edges: list[Edge] | None = Field(None, description="memory PHY edges (CMC)")
    bandwidth_gbps: Annotated[float, Field(ge=0)] | None = None
    allowed_thickness: list[PositiveLength] | None = Field(
        None, description="thicknesses the process may thin the die to (TSV core dies)"
    )
    power_map: list[list[Annotated[float, Field(ge=0)]]] | None = Field(
        None, description="relative power density, rows south to north, columns west to east"
    )
    material: str | None = None
    capacity_gbit: Annotated[float, Field(ge=0)] | None = Field(
        None, description="memory capacity of the die in Gbit (DRAM, NAND)"
    )
    interfaces: list[InterfaceUse] | None = Field(
        None, description="I/O interfaces the die carries (library interface names)"
    )
    pads: Annotated[int, Field(ge=0)] | None = Field(
        None, description="wire-bond pads, split over the pad edges"
    )
    pad_pitch: PositiveLength | None = Field(None, description="pad to pad along a pad edge")
    energy_per_bit_pj: Annotated[float, Field(ge=0)] | None = Field(
        None, description="energy per transferred bit (pJ), for power from traffic"
    )
    background_power: Power | None = Field(
        None, description="power at no traffic (refresh, leakage, idle PHY)"
    )


class PairSpacingSpec(_Strict):
    """A spacing between two die kinds that differs from ``die_spacing``."""

    kinds: tuple[DieKind, DieKind]
    spacing: Length


class BumpArraySpec(_Strict):
    """A micro-bump array in a TSV stack's bond line (see :mod:`layoutopt.bondline`)."""

    diameter: PositiveLength
    pitch: PositiveLength
    coverage: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        description="fraction of the die area the array covers"
    )

    @model_validator(mode="after")
    def _fits_pitch(self) -> BumpArraySpec:
        if self.diameter > self.pitch:
            raise ValueError(
                f"a bump of {self.diameter} um is wider than its pitch of {self.pitch} um; "
                "give a diameter at most the pitch"
            )
        return self


class RulesFields(_Strict):
    """Process-rule fields as written: every ``*_um`` field of ``ProcessRules`` without
    its suffix, with a unit. All optional: a library process sets them, a design overrides."""

    die_edge_keepout: Length | None = None
    finger_edge_keepout: Length | None = None
    die_spacing: Length | None = None
    pair_spacing: list[PairSpacingSpec] | None = None
    bond_finger_ring: Length | None = None
    underfill_fillet: Length | None = None
    staircase_offset: Length | None = None
    max_overhang: Length | None = None
    max_dies_per_stack: Annotated[int, Field(ge=1)] | None = None
    package_grid: PositiveLength | None = None
    ball_height: Length | None = None
    substrate_thickness: Length | None = None
    rdl_layers: Annotated[int, Field(ge=0)] | None = None
    rdl_layer_thickness: Length | None = None
    die_attach: Length | None = None
    film_over_wire: Length | None = Field(
        None, description="DAF under the first die of a turned staircase; 0: no turns"
    )
    flip_chip_gap: Length | None = None
    bond_line: Length | None = None
    smt_gap: Length | None = None
    vertical_wire_gap: Length | None = None
    fan_out: FanOut | None = Field(
        None, description="fan-out build: face_down_chip_first, rdl_first, chip_last, vertical_wire"
    )
    vertical_wire_standoff: Length | None = Field(
        None, description="vertical-wire fan-out: mold between the RDL and the nearest die's face"
    )
    wire_loop: Length | None = None
    mold_clearance: Length | None = None
    mold_cap: Length | None = None
    pop_mold_cap: Length | None = Field(
        None, description="PoP: bottom mold over the bottom package's dies; 0: exposed die"
    )
    pop_air_gap: Length | None = Field(
        None, description="PoP: air gap between the bottom package and the top substrate"
    )
    top_substrate_thickness: Length | None = Field(
        None, description="PoP: the top package's substrate"
    )
    ball_pitch: Length | None = Field(
        None, description="board-side ball pitch; sets the default warpage limit"
    )
    substrate_layers: Annotated[int, Field(ge=0)] | None = None
    double_sided: bool | None = None
    top_die_fill: bool | None = None
    bottom_side_max_height: Length | None = None
    max_die_to_die: Length | None = None
    max_stack_height: Length | None = None
    max_wire_span: Length | None = None
    ball_diameter: Length | None = None
    min_ball_pitch: Length | None = None
    ball_edge_clearance: Length | None = None
    ball_rows: Annotated[int, Field(ge=0)] | None = Field(
        None, description="perimeter ball rows; 0: a full array"
    )
    power_ground_ratio: Annotated[float, Field(ge=0)] | None = Field(
        None, description="power/ground balls per signal ball"
    )
    pop_ball_pitch: Length | None = None
    pop_ball_diameter: Length | None = None
    pop_ball_rows: Annotated[int, Field(ge=0)] | None = None
    pop_mold_margin: Length | None = None
    finger_pitch: Length | None = None
    finger_row_pitch: Length | None = None
    finger_rows: FingerRows | None = Field(
        None, description="one finger row per bonding tier (inline) or two (staggered)"
    )
    max_wire_length: Length | None = None
    max_drop_angle_deg: Annotated[float, Field(ge=0, lt=90)] | None = None
    wire_clearance: Length | None = None
    stack_pairs: list[tuple[DieKind, DieKind]] | None = Field(
        None, description="(upper kind, lower kind) pairs that may stack"
    )
    allowed_kinds: list[DieKind] | None = None
    bond_map: dict[BondType, BondType] | None = Field(
        None, description="how this family connects a die designed with another bond"
    )
    substrate_material: str | None = None
    mold_material: str | None = None
    die_attach_material: str | None = None
    underfill_material: str | None = None
    bond_line_material: str | None = None
    bond_line_bumps: list[BumpArraySpec] | None = Field(
        None, description="micro-bump arrays in the bond line (TSV stacks): its conductivity"
    )
    ball_material: str | None = None
    rdl_material: str | None = None
    top_substrate_material: str | None = None
    pop_ball_material: str | None = None
    pop_interface_fill_material: str | None = Field(
        None, description="PoP: what fills around the interface balls (air: no underfill)"
    )


class MechanicalSpec(_Strict):
    """In-plane mechanical properties of a material, one matched set (domain_data.md §8).

    ``tg_c`` is optional (no transition in the reflow range); when it is given, the CTE and
    the modulus above it must be given too. ``field_sources`` name the row behind a value
    whose source differs from ``source`` (an estimate inside a sourced set, say).
    """

    youngs_modulus_gpa: Annotated[float, Field(gt=0)]
    poisson_ratio: Annotated[float, Field(ge=0, lt=0.5)]
    cte_ppm_per_k: float = Field(description="CTE below Tg (alpha 1)")
    tg_c: float | None = Field(None, description="glass transition (or solidus) temperature")
    cte_above_tg_ppm_per_k: float | None = Field(None, description="CTE above Tg (alpha 2)")
    youngs_modulus_above_tg_gpa: Annotated[float, Field(ge=0)] | None = None
    source: str = ""
    confidence: Confidence = "E"
    field_sources: dict[str, FieldSource] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _above_tg_complete(self) -> MechanicalSpec:
        if self.tg_c is None:
            return self
        missing = [
            key
            for key in ("cte_above_tg_ppm_per_k", "youngs_modulus_above_tg_gpa")
            if getattr(self, key) is None
        ]
        if missing:
            raise PydanticCustomError(
                "mechanical",
                "tg_c is given without {missing}",
                {
                    "missing": " and ".join(missing),
                    "fix": "give the CTE and modulus above Tg, or remove tg_c",
                },
            )
        return self


class MaterialSpec(_Strict):
    """A material: ``k_w_per_m_k`` (isotropic) or both ``k_xy_w_per_m_k`` and ``k_z_w_per_m_k``;
    ``mechanical`` for the warpage model."""

    k_w_per_m_k: Annotated[float, Field(gt=0)] | None = None
    k_xy_w_per_m_k: Annotated[float, Field(gt=0)] | None = None
    k_z_w_per_m_k: Annotated[float, Field(gt=0)] | None = None
    density_kg_per_m3: Annotated[float, Field(gt=0)] | None = None
    specific_heat_j_per_kg_k: Annotated[float, Field(gt=0)] | None = None
    description: str = ""
    source: str = ""
    confidence: Confidence = "E"
    mechanical: MechanicalSpec | None = None
    heat_capacity_source: str = Field("", description="where density and specific heat come from")
    heat_capacity_confidence: Confidence = "E"


# File key -> core field, for keys whose core name carries a unit suffix.
_DIE_KEYS_UM = {"width": "width_um", "length": "length_um", "thickness": "thickness_um"}
_DIE_KEYS_RENAMED = {
    "power": "power_w",
    "allowed_thickness": "allowed_thickness_um",
    "pads": "pad_count",
    "pad_pitch": "pad_pitch_um",
    "background_power": "background_power_w",
}


def die_overrides_um(spec: DieFields) -> dict[str, Any]:
    """The fields ``spec`` sets, as keyword arguments of :class:`layoutopt.model.Die`."""
    out: dict[str, Any] = {}
    for key in DieFields.model_fields:
        value = getattr(spec, key)
        if key not in spec.model_fields_set or value is None:
            continue
        core = _DIE_KEYS_UM.get(key) or _DIE_KEYS_RENAMED.get(key) or key
        if key in ("pad_edges", "phy_edges"):
            value = frozenset(value)
        elif key == "allowed_thickness":
            value = tuple(sorted(set(value)))
        elif key == "power_map":
            value = tuple(tuple(float(v) for v in row) for row in value)
        elif key in ("max_junction_c", "capacity_gbit"):
            value = float(value)
        elif key == "interfaces":
            value = tuple(value)  # InterfaceUse: resolved against the library by the caller
        out[core] = value
    return out


_RULES_PLAIN = {
    "ball_rows",
    "pop_ball_rows",
    "power_ground_ratio",
    "finger_rows",
    "fan_out",
    "max_drop_angle_deg",
    "max_dies_per_stack",
    "rdl_layers",
    "substrate_layers",
    "double_sided",
    "top_die_fill",
    "stack_pairs",
    "allowed_kinds",
    "pair_spacing",
}


def rules_overrides_um(spec: RulesFields) -> dict[str, Any]:
    """The fields ``spec`` sets, as keyword arguments of :class:`layoutopt.model.ProcessRules`."""
    out: dict[str, Any] = {}
    for key in RulesFields.model_fields:
        value = getattr(spec, key)
        if key not in spec.model_fields_set or value is None:
            continue
        if key == "pair_spacing":
            pairs = {}
            for item in value:
                kinds = tuple(sorted(item.kinds, key=lambda k: k.value))
                pairs[kinds] = item.spacing
            out["pair_spacing_um"] = tuple(sorted(pairs.items()))
        elif key == "stack_pairs":
            out[key] = tuple(dict.fromkeys(tuple(p) for p in value))
        elif key == "allowed_kinds":
            out[key] = tuple(dict.fromkeys(value))
        elif key == "bond_line_bumps":
            out[key] = tuple(BumpArray(b.diameter, b.pitch, b.coverage) for b in value)
        elif key == "bond_map":
            out[key] = tuple(sorted(value.items(), key=lambda item: item[0].value))
        elif key in _RULES_PLAIN or key.endswith("_material"):
            out[key] = value
        else:
            out[key + "_um"] = value
    return out


def to_core_material(name: str, spec: MaterialSpec, *, where: str = "") -> Material:
    """A core :class:`~layoutopt.model.Material` from its file form.

    >>> to_core_material("silicon", MaterialSpec(k_w_per_m_k=130)).k_z_w_per_m_k
    130.0
    """
    iso = spec.k_w_per_m_k
    if iso is not None and (spec.k_xy_w_per_m_k is not None or spec.k_z_w_per_m_k is not None):
        raise DesignError(
            "give either k_w_per_m_k or k_xy_w_per_m_k with k_z_w_per_m_k, not both",
            field=where or name,
            fix="keep k_w_per_m_k for an isotropic material, or the pair for an anisotropic one",
        )
    if iso is None and (spec.k_xy_w_per_m_k is None or spec.k_z_w_per_m_k is None):
        raise DesignError(
            "a material needs its thermal conductivity",
            field=where or name,
            fix="add k_w_per_m_k, or both k_xy_w_per_m_k and k_z_w_per_m_k",
        )
    k_xy = float(iso if iso is not None else spec.k_xy_w_per_m_k)  # type: ignore[arg-type]
    k_z = float(iso if iso is not None else spec.k_z_w_per_m_k)  # type: ignore[arg-type]
    return Material(
        name,
        k_xy,
        k_z,
        source=spec.source,
        confidence=spec.confidence,
        density_kg_per_m3=spec.density_kg_per_m3,
        specific_heat_j_per_kg_k=spec.specific_heat_j_per_kg_k,
        mechanical=None if spec.mechanical is None else to_core_mechanical(spec.mechanical),
    )


def to_core_mechanical(spec: MechanicalSpec) -> MechanicalProperties:
    """The core :class:`~layoutopt.model.MechanicalProperties` of a ``mechanical:`` block; its
    confidence is the worst of the set's and of its ``field_sources``."""
    codes = [spec.confidence, *(s.confidence for s in spec.field_sources.values())]
    return MechanicalProperties(
        youngs_modulus_gpa=spec.youngs_modulus_gpa,
        poisson_ratio=spec.poisson_ratio,
        cte_ppm_per_k=spec.cte_ppm_per_k,
        tg_c=spec.tg_c,
        cte_above_tg_ppm_per_k=spec.cte_above_tg_ppm_per_k,
        youngs_modulus_above_tg_gpa=spec.youngs_modulus_above_tg_gpa,
        source=spec.source,
        confidence=max(codes, key="HMLE".index),
    )


def nearest(name: str, choices: typing.Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``name`` (difflib), or None.

    >>> nearest("lpddr4_16gb", ["lpddr4x_16gb", "nand_tlc_512gb"])
    'lpddr4x_16gb'
    """
    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.5)
    return found[0] if found else None


def dotted_path(loc: typing.Sequence[str | int]) -> str:
    """``("dies", 2, "thickness")`` -> ``"dies[2].thickness"``.

    >>> dotted_path(("dies", 2, "thickness"))
    'dies[2].thickness'
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _model_at(model: type[BaseModel], loc: typing.Sequence[str | int]) -> type[BaseModel] | None:
    """The pydantic model class that holds the last element of ``loc``."""
    tp: Any = model
    for part in loc[:-1]:
        tp = _step(tp, part)
        if tp is None:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0]
        else:
            return tp


def _step(tp: Any, part: str | int) -> Any:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (list, tuple):
        args = typing.get_args(tp)
        return args[0] if args else None
    if origin is dict:
        return typing.get_args(tp)[1]
    if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
        field = tp.model_fields.get(part)
        return field.annotation if field else None
    return None


def validation_error(
    err: ValidationError,
    model: type[BaseModel],
    *,
    file: str | None = None,
    prefix: typing.Sequence[str | int] = (),
    error_type: type[DesignError] = DesignError,
) -> DesignError:
    """The first error of ``err`` as a :class:`DesignError` with field, value and fix."""
    first = err.errors(include_url=False)[0]
    loc = tuple(prefix) + tuple(first["loc"])
    field = dotted_path(loc) or None
    kind = first["type"]
    ctx = first.get("ctx") or {}
    value = first.get("input")
    message = first["msg"].removeprefix("Value error, ")
    fix: str | None = ctx.get("fix") if isinstance(ctx, dict) else None
    holder = _model_at(model, tuple(first["loc"]))
    allowed = sorted(holder.model_fields) if holder is not None else []
    key = str(first["loc"][-1]) if first["loc"] else ""
    if kind == "extra_forbidden":
        message = f"unknown key {key!r}"
        guess = nearest(key, allowed)
        fix = (f"did you mean {guess!r}? " if guess else "") + (
            f"allowed keys here: {', '.join(allowed)}" if allowed else "remove it"
        )
        value = None
    elif kind == "missing":
        message = f"missing required key {key!r}"
        fix = f"add {key!r}"
        value = None
    elif kind == "enum" and "expected" in ctx:
        fix = f"use one of {ctx['expected']}"
    elif kind in ("greater_than", "greater_than_equal"):
        bound = ctx.get("gt", ctx.get("ge"))
        fix = f"use a value {'above' if kind == 'greater_than' else 'at least'} {bound}"
    elif kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        what = "a whole number" if kind.startswith("int") else "a number"
        fix = f"write {what} here, without quotes or units (e.g. 25)"
    elif kind == "finite_number":
        fix = "give a finite number (not .nan or .inf)"
    elif kind in ("less_than", "less_than_equal"):
        bound = ctx.get("lt", ctx.get("le"))
        fix = f"use a value {'below' if kind == 'less_than' else 'at most'} {bound}"
    elif kind == "literal_error" and "expected" in ctx:
        fix = f"use one of {ctx['expected']}"
    elif kind in ("model_type", "dict_type"):
        fix = "write a mapping of keys to values here" + (
            f" (keys: {', '.join(sorted(_unwrap_model_fields(model, first['loc'])))})"
            if _unwrap_model_fields(model, first["loc"])
            else ""
        )
    elif kind == "list_type":
        fix = "write a list here (YAML '- item' lines or [a, b])"
    elif fix is None:
        fix = "correct the value as the message says"
    return error_type(message, file=file, field=field, value=value, fix=fix)


def _unwrap_model_fields(model: type[BaseModel], loc: typing.Sequence[str | int]) -> list[str]:
    tp: Any = model
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return []
    tp = _unwrap(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []
