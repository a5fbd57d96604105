"""Design files: the YAML people write, validated and converted once into the core model.

A design names library parts and a library process, may override any of their values
(same keys, same units as the library), and describes the envelope, the thermal boundary
conditions and the objective. Lengths carry a unit (``"9.5 mm"``, ``"40 um"``), powers
too (``"120 mW"``); temperatures are plain numbers in keys ending ``_c``; conductivities
end ``_w_per_m_k``, heat transfer coefficients ``_w_per_m2_k``.

Every bad input raises :class:`layoutopt.errors.DesignError` naming the file, the dotted
field (``dies[2].thickness``), the value and the fix. Numbers are finite (no ``.nan`` or
``.inf``), temperatures above absolute zero, lengths and powers within
:mod:`layoutopt.limits`; what a file may ask for (dies, polygon corners, power-map cells,
values in all) is bounded by :class:`~layoutopt.limits.DesignLimits`, checked before the
work that grows with it. A thermal limit that cannot be checked is an error, not a silent
no-op: ``max_skin_c`` needs a housing (``housing_thickness`` > 0), since without one there
is no skin surface; limit the package top with ``max_top_c`` instead.

Die ids: an entry with ``count: n`` expands to ``n`` identical dies. Without ``id`` they
are named by the part's prefix and a running number per prefix in file order
(``NAND0``, ``NAND1``, ...); with ``id: X`` a single die is ``X`` and ``n > 1`` dies are
``X0 .. X{n-1}``.

Examples
--------
>>> text = '''
... name: tiny
... process: epop
... dies:
...   - part: lpddr4x_16gb
...   - {part: nand_tlc_512gb, count: 2}
... envelope:
...   outline: {width: "10 mm", length: "12 mm"}
...   max_thickness: "0.6 mm"
... '''
>>> design = design_from_text(text)
>>> [d.id for d in design.dies]
['DRAM0', 'NAND0', 'NAND1']
>>> design.envelope.max_thickness_um
600
"""

from __future__ import annotations

import collections.abc
import json
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import shapely
import yaml
from pydantic import Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError
from shapely.geometry import Polygon, box
from shapely.validation import explain_validity

from layoutopt.ballmap import ball_requirements
from layoutopt.errors import DesignError, LibraryError
from layoutopt.files import read_text
from layoutopt.library.library import Library, load_library
from layoutopt.library.spec import (
    Bandwidth,
    Celsius,
    Coordinate,
    DieFields,
    Duration,
    Length,
    MaterialSpec,
    PositiveLength,
    Power,
    RulesFields,
    _Strict,
    die_overrides_um,
    nearest,
    rules_overrides_um,
    to_core_material,
    validation_error,
)
from layoutopt.library.standards import load_standards, standard, standards_for
from layoutopt.limits import MAX_LENGTH_UM, MAX_POWER_W, DesignLimits
from layoutopt.mechanics.warpage import check_mechanical_inputs
from layoutopt.model import (
    BallSpec,
    BondType,
    Corner,
    Design,
    Die,
    Edge,
    Envelope,
    Family,
    HeightZone,
    Material,
    Objective,
    ObjectiveMode,
    ProcessRules,
    Rect,
    StandardSize,
    ThermalSpec,
    WarpageModel,
    WarpageSpec,
    adapt_dies,
)
from layoutopt.thermal_spec import (
    BoardLayer,
    BodyLayer,
    BodySite,
    Compass,
    HeatBody,
    InitialState,
    Phase,
    SourceFace,
    SurfaceSource,
    TimeLimit,
    Workload,
)

__all__ = [
    "SCHEMA_VERSION",
    "DesignFile",
    "check_design",
    "design_from_text",
    "design_json_schema",
    "design_schema_text",
    "interchangeable_dies",
    "load_design",
]

SCHEMA_VERSION = 1

# ---------------------------------------------------------------------------------------
# The file schema
# ---------------------------------------------------------------------------------------


class DieSpec(DieFields):
    """One ``dies:`` entry: a library part (optionally overridden) or a custom die."""

    part: str | None = Field(None, description="library part name; omit for a custom die")
    id: str | None = Field(None, description="die id; with count > 1, ids are id0, id1, ...")
    count: Annotated[int, Field(ge=1)] = 1
    traffic: Bandwidth | None = Field(
        None,
        description="the die's steady data rate: power = background + energy per bit x rate",
    )

    @model_validator(mode="after")
    def _power_or_traffic(self) -> DieSpec:
        if self.traffic is not None and self.power is not None:
            raise PydanticCustomError(
                "power",
                "give either power or traffic (which sets the power), not both",
                {"fix": "keep traffic for a memory die whose part has an energy per bit"},
            )
        return self


class ShapeSpec(_Strict):
    """A rectangle (``width`` and ``length``, optional lower-left ``x``, ``y``) or a
    polygon (``points``: a list of ``[x, y]`` pairs with units, not closed)."""

    x: Coordinate = 0
    y: Coordinate = 0
    width: PositiveLength | None = None
    length: PositiveLength | None = None
    points: list[tuple[Coordinate, Coordinate]] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ShapeSpec:
        rect = self.width is not None or self.length is not None
        if self.points is not None and (
            rect or "x" in self.model_fields_set or "y" in self.model_fields_set
        ):
            raise PydanticCustomError(
                "shape",
                "give either width/length (x, y) or points, not both",
                {"fix": "keep width and length for a rectangle, or points for a polygon"},
            )
        if self.points is None and (self.width is None or self.length is None):
            raise PydanticCustomError(
                "shape",
                "a shape needs width and length, or points",
                {
                    "fix": "write {width: '10 mm', length: '12 mm'} or "
                    "{points: [['0 mm', '0 mm'], ['10 mm', '0 mm'], ['10 mm', '12 mm']]}"
                },
            )
        return self


class KeepoutSpec(ShapeSpec):
    """A named area the package must not overlap (a screw boss, a connector)."""

    name: str = ""


class HeightZoneSpec(_Strict):
    """Part of the outline with a lower thickness ceiling."""

    name: str = ""
    region: ShapeSpec
    max_thickness: PositiveLength


class BallKeepoutSpec(_Strict):
    """A rectangle without balls, placed relative to the package centre."""

    name: str = ""
    x: Coordinate = Field(description="west edge, from the package centre")
    y: Coordinate = Field(description="south edge, from the package centre")
    width: PositiveLength
    length: PositiveLength


class InterfaceBallsSpec(_Strict):
    """PoP: the ring of interface balls to the top package, outside the bottom mold."""

    count: Annotated[int, Field(ge=1)] | None = Field(None, description="default: from the dies")
    pitch: PositiveLength | None = None
    diameter: PositiveLength | None = None
    rows: Annotated[int, Field(ge=1)] | None = Field(None, description="perimeter rows")


class BallsSpec(_Strict):
    """The ball-out: count (default: from the dies' interfaces) and, for this design's own
    process, the pitch, ball diameter and perimeter rows (0: a full array)."""

    count: Annotated[int, Field(ge=1)] | None = Field(None, description="default: from the dies")
    pitch: PositiveLength | None = None
    diameter: PositiveLength | None = None
    rows: Annotated[int, Field(ge=0)] | None = Field(None, description="perimeter rows; 0: full")
    a1: Corner = Field(Corner.NORTH_WEST, description="corner of ball A1 in the top view")
    keepouts: list[BallKeepoutSpec] = Field(default_factory=list)
    interface: InterfaceBallsSpec | None = None


class EnvelopeSpec(_Strict):
    outline: ShapeSpec | None = Field(
        None,
        description="where the package may go: a shape; or 'standard' (the smallest "
        "standard body of the family that holds a legal layout), or {standard: name or "
        "[names]} (the smallest of those), library standards.yaml",
    )
    standard_outline: str | list[str] | None = Field(
        None, description="set from outline: standard / {standard: ...}; not written"
    )
    max_thickness: PositiveLength | None = Field(
        None, description="thickness ceiling; the height is minimised under it"
    )
    height: PositiveLength | None = Field(
        None,
        description="fixed package height (a standard, e.g. '720 um' for an HBM KGSD): the "
        "thickest allowed dies and a fill (thicker top die, then mold) meet it",
    )
    keepouts: list[KeepoutSpec] = Field(default_factory=list)
    height_zones: list[HeightZoneSpec] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _standard(cls, data: Any) -> Any:
        """``outline: standard`` and ``outline: {standard: ...}`` name standard bodies."""
        if not isinstance(data, dict):
            return data
        outline = data.get("outline")
        if outline == "standard":
            return {
                **{k: v for k, v in data.items() if k != "outline"},
                "standard_outline": "standard",
            }
        if isinstance(outline, dict) and set(outline) == {"standard"}:
            rest = {k: v for k, v in data.items() if k != "outline"}
            return {**rest, "standard_outline": outline["standard"]}
        return data

    @model_validator(mode="after")
    def _one_height(self) -> EnvelopeSpec:
        if self.outline is None and self.standard_outline is None:
            raise PydanticCustomError(
                "envelope",
                "the envelope needs an outline",
                {"fix": "write outline: {width: '10 mm', length: '12 mm'} or outline: standard"},
            )
        if self.max_thickness is None and self.height is None:
            raise PydanticCustomError(
                "envelope",
                "the envelope needs max_thickness (a ceiling) or height (a fixed target)",
                {"fix": "write e.g. max_thickness: '0.6 mm' or height: '720 um'"},
            )
        if self.max_thickness is not None and self.height is not None:
            if self.height > self.max_thickness:
                raise PydanticCustomError(
                    "envelope",
                    "height ({height} um) is above max_thickness ({ceiling} um)",
                    {
                        "height": self.height,
                        "ceiling": self.max_thickness,
                        "fix": "lower height or raise max_thickness (or drop it)",
                    },
                )
        return self


_PositiveFloat = Annotated[float, Field(gt=0)]


class BoardLayerSpec(_Strict):
    """One layer of the board, top first: ``copper`` is the share of its area that is copper
    (a plane ~0.7-0.9, signal layers less), the rest ``dielectric``."""

    thickness: PositiveLength
    copper: Annotated[float, Field(ge=0, le=1)] = 0.0
    dielectric: str = "fr4_bare"


class BoardSpec(_Strict):
    """The board as it is: its outline (the same frame as ``envelope.outline``, which it must
    hold) and, optionally, its layer stack (top first; the layers set the board thickness)."""

    outline: ShapeSpec | None = Field(
        None, description="omit: the package and the bodies around it grown by board_margin"
    )
    layers: list[BoardLayerSpec] = Field(default_factory=list)


class SourceSpec(_Strict):
    """Heat entering a face over a region: a part beside the package (``board_top``), the
    battery under the board (``board_bottom``), sunlight on the housing (``skin``)."""

    name: str
    face: SourceFace
    power: Power
    region: ShapeSpec | None = Field(None, description="omit for the whole face")


class BodyLayerSpec(_Strict):
    """One layer of a body around the package, bottom first; ``heated`` layers dissipate."""

    thickness: PositiveLength
    material: str
    heated: bool = True


class BesideSpec(_Strict):
    """Beside the package: centred on its ``side``, ``gap`` from its edge, shifted by
    ``offset`` along that side (east / north positive)."""

    side: Compass
    gap: Length = 0
    offset: Coordinate = 0


class AtSpec(_Strict):
    """A fixed corner (lower left) in the board frame, the frame of ``envelope.outline``."""

    x: Coordinate
    y: Coordinate


class AroundSpec(_Strict):
    """A heat source with a body around the package: the GPU beside an HBM stack on the
    interposer, a camera module beside the glasses' package (on the board, ``beside`` the
    package or ``at`` a corner), or the host SoC the package sits on (``under: true``)."""

    name: str
    power: Power
    under: bool = Field(False, description="between the board and the package (PoP host)")
    beside: BesideSpec | None = None
    at: AtSpec | None = None
    width: PositiveLength | None = Field(None, description="under: default the package's")
    length: PositiveLength | None = Field(None, description="under: default the package's")
    height: PositiveLength | None = Field(None, description="one layer: height + material")
    material: str | None = None
    layers: list[BodyLayerSpec] | None = Field(None, description="bottom first")

    @model_validator(mode="after")
    def _one_body(self) -> AroundSpec:
        single = self.height is not None or self.material is not None
        if single == (self.layers is not None) or (
            single and (self.height is None or self.material is None)
        ):
            raise PydanticCustomError(
                "body",
                "give the body as height and material, or as layers, not both or neither",
                {
                    "fix": "write height: '720 um', material: silicon, or layers: "
                    "[{thickness: '130 um', material: substrate_2l}, ...]"
                },
            )
        return self


class TrafficSpec(_Strict):
    """A memory die's power from its traffic: background + energy per bit x data rate."""

    bandwidth: Bandwidth


class PhaseSpec(_Strict):
    """One phase of a workload. Dies and sources not named keep their design power."""

    name: str
    duration: Duration
    power: dict[str, Power | TrafficSpec] = Field(
        default_factory=dict, description="die id -> power, or {bandwidth: '2 GB/s'}"
    )
    sources: dict[str, Power] = Field(default_factory=dict, description="source name -> power")


class WorkloadSpec(_Strict):
    initial: InitialState = Field(
        InitialState.STEADY, description="steady: from the first phase's steady state"
    )
    phases: list[PhaseSpec] = Field(min_length=1)
    checked: bool = Field(
        True,
        description="the solver holds the time-based skin limits on this workload; false: "
        "it is only simulated and answered (how long each phase runs before a limit)",
    )


class TimeLimitSpec(_Strict):
    """A touch limit for a contact time: ``{max_c: 48, for: "1 min"}``."""

    max_c: float
    for_: Duration = Field(alias="for", description="contact time the limit is for")

    @model_validator(mode="before")
    @classmethod
    def _needs_time(cls, data: Any) -> Any:
        if isinstance(data, dict) and "for" not in data:
            raise PydanticCustomError(
                "time_limit",
                "a skin limit needs the contact time it is for",
                {
                    "fix": "write e.g. {max_c: 48, for: '1 min'} (IEC 62368-1: 48 °C for "
                    "1 min-8 h, 43 °C beyond 8 h), or use max_skin_c for a steady limit"
                },
            )
        return data


class ThermalFile(_Strict):
    """Boundary conditions and limits; maps onto :class:`layoutopt.model.ThermalSpec`."""

    ambient_c: Celsius = 25.0
    h_top_w_per_m2_k: Annotated[float, Field(ge=0)] = Field(12.0, description="0: adiabatic")
    h_bottom_w_per_m2_k: Annotated[float, Field(ge=0)] = Field(12.0, description="0: adiabatic")
    board_thickness: PositiveLength = Field(500, description="default '0.5 mm'")
    board_material: str = "pcb"
    board_margin: Length = Field(
        2000, description="shorthand board: the package grown by this on every side"
    )
    board: BoardSpec | None = Field(None, description="the board as a shape (outline, layers)")
    max_top_c: Celsius | None = None
    max_skin_c: Celsius | None = Field(None, description="needs housing_thickness > 0")
    skin_limits: list[TimeLimitSpec] = Field(
        default_factory=list, description="time-based skin limits, checked on the workloads"
    )
    housing_thickness: Length = Field(0, description="housing wall over the board; 0: none")
    housing_gap: Length = Field(0, description="air between the package top and the housing")
    housing_material: str = "housing_plastic"
    surface_emissivity: Annotated[float, Field(gt=0, le=1)] = 0.9
    housing_emissivity: Annotated[float, Field(gt=0, le=1)] = 0.9
    top_fixed_c: Celsius | None = None
    bottom_fixed_c: Celsius | None = None
    sources: list[SourceSpec] = Field(default_factory=list)
    around: list[AroundSpec] = Field(
        default_factory=list,
        description="heat sources with a body around the package (host SoC, GPU, camera)",
    )
    workloads: dict[str, WorkloadSpec] = Field(
        default_factory=dict, description="named workloads: phases with durations and powers"
    )

    @model_validator(mode="after")
    def _one_board(self) -> ThermalFile:
        if (
            self.board is not None
            and self.board.outline is not None
            and "board_margin" in self.model_fields_set
        ):
            raise PydanticCustomError(
                "board",
                "give either board (its outline) or board_margin (a shorthand), not both",
                {"fix": "keep board.outline for a real board, or board_margin alone"},
            )
        if (
            self.board is not None
            and self.board.layers
            and (
                "board_thickness" in self.model_fields_set
                or "board_material" in self.model_fields_set
            )
        ):
            raise PydanticCustomError(
                "board",
                "board.layers set the board's thickness and material",
                {"fix": "remove board_thickness and board_material, or the layers"},
            )
        return self


class WarpageFile(_Strict):
    """Temperatures and limit of the warpage check; maps onto :class:`layoutopt.model.WarpageSpec`."""

    stress_free_c: float = Field(175.0, description="stress-free temperature (mold cure)")
    room_c: float = 25.0
    reflow_peak_c: float = Field(260.0, description="J-STD-020 Pb-free peak")
    max_warpage: Length | None = Field(
        None,
        description="largest corner-to-corner warpage at any checked temperature; default: "
        "JEITA ED-7306 for the ball pitch; '0 um': no limit",
    )
    model: WarpageModel = Field(
        WarpageModel.LAMINATE,
        description="laminate: closed form, one curvature (fast); plate: plate finite "
        "elements over the columns (sees die and mold regions bend apart; ~1-3 s)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> WarpageFile:
        if self.reflow_peak_c <= self.room_c:
            raise PydanticCustomError(
                "warpage",
                "reflow_peak_c ({peak}) is not above room_c ({room})",
                {"peak": self.reflow_peak_c, "room": self.room_c, "fix": "e.g. 25 and 260"},
            )
        return self


class ObjectiveFile(_Strict):
    mode: Literal["lexicographic", "weighted", "cost"] = "lexicographic"
    weight_area_per_mm2: Annotated[float, Field(ge=0)] = 1.0
    weight_thickness_per_mm: Annotated[float, Field(ge=0)] = 0.0
    weight_interconnect_per_mm: Annotated[float, Field(ge=0)] = 0.0


class AlternativeSpec(_Strict):
    """Another process to compare; a bare name or ``{process: name, rules: {...}}``."""

    process: str
    rules: RulesFields = RulesFields()

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data: Any) -> Any:
        return {"process": data} if isinstance(data, str) else data


class DesignFile(_Strict):
    """A design file (YAML)."""

    schema_version: Literal[1] = 1
    name: str | None = Field(None, description="defaults to the file name")
    description: str = ""
    process: str = Field(description="library process name, e.g. epop")
    rules: RulesFields = Field(RulesFields(), description="overrides of the process rules")
    alternatives: list[AlternativeSpec] = Field(default_factory=list)
    dies: list[DieSpec] = Field(min_length=1)
    envelope: EnvelopeSpec
    balls: BallsSpec = Field(BallsSpec(), description="the ball-out (default: the family's)")
    thermal: ThermalFile = ThermalFile()
    objective: ObjectiveFile = ObjectiveFile()
    warpage: WarpageFile = WarpageFile()
    materials: dict[str, MaterialSpec] = Field(
        {},
        description="materials added to, or replacing, the library's (a replacement "
        "without 'mechanical:' keeps the library's mechanical set)",
    )


def design_json_schema() -> dict[str, Any]:
    """The JSON Schema of design files (committed as ``layoutopt/schema/design.schema.json``)."""
    schema = DesignFile.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://layoutopt.dev/schema/design.schema.json",
        **schema,
    }


def design_schema_text() -> str:
    """:func:`design_json_schema` as the exact text of the committed file."""
    return json.dumps(design_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


# libyaml's parser where PyYAML has it: the pure-Python one took 25 s of the 33 s that a
# 1,000-die design took to load (cProfile, load 12); the safe constructors stay Python's.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SAFE_LOADER):  # type: ignore[valid-type,misc]
    """A safe loader that rejects duplicate keys (PyYAML keeps the last one silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    """PyYAML's mapping constructor, each key built once: checking duplicates first and
    then calling ``construct_mapping`` built every key twice (0.7 of the 1.9 s a 5,000-die
    design took to parse)."""
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    first_line: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, collections.abc.Hashable):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found unhashable key",
                key_node.start_mark,
            )
        if key in first_line:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {first_line[key] + 1})",
                key_node.start_mark,
            )
        first_line[key] = key_node.start_mark.line
        mapping[key] = loader.construct_object(value_node)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _parse_yaml(text: str, file: str | None) -> Any:
    try:
        # A SafeLoader subclass: no arbitrary objects.
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        problem = err.problem or str(err)
        raise DesignError(
            f"YAML syntax error at {line}: {problem}",
            file=file,
            fix='check indentation, colons and quotes on that line (lengths like "40 um")',
        ) from None
    except yaml.YAMLError as err:
        raise DesignError(f"YAML error: {err}", file=file, fix="fix the YAML syntax") from None


#: Design-file YAML (safe tags only, duplicate keys rejected), for files that embed a design.
parse_yaml = _parse_yaml


def load_design(
    path: str | Path, library: Library | None = None, limits: DesignLimits | None = None
) -> Design:
    """Read and validate a design file (see :func:`design_from_text`)."""
    limits = limits or DesignLimits()
    text = read_text(path, kind="design file", max_bytes=limits.max_file_bytes)
    return design_from_text(text, file=str(path), library=library, limits=limits)


def design_from_text(
    text: str,
    file: str | None = None,
    library: Library | None = None,
    limits: DesignLimits | None = None,
) -> Design:
    """Validate design-file text and convert it into a core :class:`Design`.

    Parameters
    ----------
    text
        The YAML text.
    file
        Where the text came from, for error messages; also the default design name.
    library
        The part/process/material library (default: the built-in one).
    limits
        What the file may ask for (default :class:`~layoutopt.limits.DesignLimits`).
    """
    limits = limits or DesignLimits()
    data = _parse_yaml(text, file)
    if data is None:
        raise DesignError(
            "the design file is empty", file=file, fix="start from one of the files in designs/"
        )
    if not isinstance(data, dict):
        raise DesignError(
            "a design file must be a mapping of keys to values",
            file=file,
            fix="write 'process:', 'dies:' and 'envelope:' at the top level",
        )
    _check_amount(data, limits, file)
    try:
        spec = DesignFile.model_validate(data)
    except ValidationError as err:
        raise validation_error(err, DesignFile, file=file) from None
    try:
        _check_counts(spec, limits)
        return _build(spec, file, library or load_library())
    except DesignError as err:
        raise (err if err.file or file is None else err.in_file(file)) from None


def _count_values(data: Any, budget: int) -> int:
    """Values in ``data`` (every list item, mapping key and value, and the containers),
    counting stops just above ``budget``. Iterative: nesting depth costs no stack."""
    count = 0
    pending = [data]
    while pending and count <= budget:
        node = pending.pop()
        count += 1
        if isinstance(node, dict):
            pending.extend(node.values())
            count += len(node)
        elif isinstance(node, list):
            pending.extend(node)
    return count


def _check_amount(data: Any, limits: DesignLimits, file: str | None) -> None:
    # Before pydantic: validating an alias bomb would expand it (each alias is checked).
    count = _count_values(data, limits.max_values)
    if count > limits.max_values:
        raise DesignError(
            f"the file holds more than {limits.max_values:,} values (lists and mappings "
            "expanded, each use of a YAML alias counted)",
            file=file,
            fix="write the design without deep alias nesting; the limit is "
            "DesignLimits.max_values (docs/limits.md)",
        )


def _check_counts(spec: DesignFile, limits: DesignLimits) -> None:
    """The number of dies, polygon corners and power-map cells, before any is built."""
    total = sum(d.count for d in spec.dies)
    if total > limits.max_dies:
        biggest = max(range(len(spec.dies)), key=lambda i: spec.dies[i].count)
        raise DesignError(
            f"the design asks for {total:,} dies; the limit is {limits.max_dies:,}",
            field=f"dies[{biggest}].count" if spec.dies[biggest].count > 1 else "dies",
            value=spec.dies[biggest].count if spec.dies[biggest].count > 1 else None,
            fix="lower the count, or raise the limit with 'layoutopt solve --max-dies N' "
            "(DesignLimits.max_dies; docs/limits.md)",
        )
    outline = spec.envelope.outline
    shapes = [("envelope.outline", outline)] if outline is not None else []
    shapes += [(f"envelope.keepouts[{i}]", k) for i, k in enumerate(spec.envelope.keepouts)]
    shapes += [
        (f"envelope.height_zones[{i}].region", z.region)
        for i, z in enumerate(spec.envelope.height_zones)
    ]
    for where, shape in shapes:
        if shape.points is not None and len(shape.points) > limits.max_points:
            raise DesignError(
                f"the polygon has {len(shape.points):,} corners; the limit is "
                f"{limits.max_points:,}",
                field=f"{where}.points",
                fix="simplify the outline (DesignLimits.max_points; docs/limits.md)",
            )
    for i, d in enumerate(spec.dies):
        cells = sum(len(row) for row in d.power_map or ())
        if cells > limits.max_power_map_cells:
            raise DesignError(
                f"the power map has {cells:,} cells; the limit is {limits.max_power_map_cells:,}",
                field=f"dies[{i}].power_map",
                fix="use a coarser map: the thermal grid rarely resolves more than 100 x 100 "
                "tiles per die (DesignLimits.max_power_map_cells; docs/limits.md)",
            )


def _build(spec: DesignFile, file: str | None, lib: Library) -> Design:
    name = spec.name or (Path(file).stem if file else "design")
    rules = _rules(lib, spec.process, spec.rules, "process", "rules")
    alternatives = tuple(
        _rules(
            lib, alt.process, alt.rules, f"alternatives[{i}].process", f"alternatives[{i}].rules"
        )
        for i, alt in enumerate(spec.alternatives)
    )
    dies, origin = _dies(lib, spec.dies)
    dies = adapt_dies(dies, rules)
    envelope = _envelope(spec.envelope, rules.family)
    materials = _materials(lib, spec.materials)
    try:
        design = Design(
            name=name,
            dies=dies,
            rules=rules,
            envelope=envelope,
            thermal=_thermal(spec.thermal, {d.id: d for d in dies}),
            objective=Objective(
                **{**spec.objective.model_dump(), "mode": ObjectiveMode(spec.objective.mode)}
            ),
            materials=materials,
            warpage=WarpageSpec(
                stress_free_c=spec.warpage.stress_free_c,
                room_c=spec.warpage.room_c,
                reflow_peak_c=spec.warpage.reflow_peak_c,
                max_warpage_um=spec.warpage.max_warpage,
                model=spec.warpage.model,
            ),
            alternatives=alternatives,
            description=" ".join(spec.description.split()),
            balls=_balls(spec.balls),
        )
    except DesignError as err:
        raise _in_file_terms(err, origin) from None
    _check(design, origin, spec)
    return design


def _in_file_terms(err: DesignError, origin: dict[str, int]) -> DesignError:
    """A core error about ``dies[<id>]`` restated with the ``dies:`` entry index of the file."""
    field = err.field or ""
    if field.startswith("dies[") and "]" in field:
        die_id = field[5 : field.index("]")]
        if die_id in origin:
            field = f"dies[{origin[die_id]}]" + field[field.index("]") + 1 :]
    for core, written in _FILE_KEYS.items():
        field = field.replace(core, written)
    return DesignError(
        err.message, file=err.file, field=field or None, value=err.value, fix=err.fix
    )


# Core field names whose design-file key differs (the unit moves from the key to the value).
_FILE_KEYS = {
    ".power_w": ".power",
    ".background_power_w": ".background_power",
    "thermal.board_thickness_um": "thermal.board_thickness",
    "thermal.board_margin_um": "thermal.board_margin",
    "thermal.housing_thickness_um": "thermal.housing_thickness",
    "thermal.housing_gap_um": "thermal.housing_gap",
}


def _rules(
    lib: Library, name: str, overrides: RulesFields, where: str, where_rules: str
) -> ProcessRules:
    try:
        process = lib.process(name)
    except LibraryError as err:
        raise DesignError(err.message, field=where, value=name, fix=err.fix) from None
    changes = rules_overrides_um(overrides)
    return replace(process.rules, **changes) if changes else process.rules


_REQUIRED_CUSTOM = ("kind", "width", "length", "thickness", "power", "max_junction_c", "bond")


def _dies(lib: Library, specs: list[DieSpec]) -> tuple[tuple[Die, ...], dict[str, int]]:
    """The expanded dies, and for each die id the index of its ``dies:`` entry."""
    explicit = {s.id for s in specs if s.id is not None and s.count == 1}
    counters: dict[str, int] = {}
    dies: list[Die] = []
    origin: dict[str, int] = {}
    for i, s in enumerate(specs):
        where = f"dies[{i}]"
        if s.part is not None:
            try:
                part = lib.part(s.part)
            except LibraryError as err:
                raise DesignError(
                    err.message, field=f"{where}.part", value=s.part, fix=err.fix
                ) from None
            base = {f.name: getattr(part.die, f.name) for f in fields(Die)}
            prefix = part.id_prefix
            part_name = part.name
        else:
            missing = [k for k in _REQUIRED_CUSTOM if getattr(s, k) is None]
            if missing:
                raise DesignError(
                    f"a die without 'part' must give {', '.join(missing)}",
                    field=where,
                    fix=f"name a library part (e.g. part: {lib.part_names[0]}) or add "
                    + ", ".join(missing),
                )
            base = {}
            prefix = s.id or f"{s.kind.value.upper()}"  # type: ignore[union-attr]
            part_name = s.id or "custom"
        values = {**base, **die_overrides_um(s)}
        if s.interfaces is not None:
            try:
                values["interfaces"] = lib.resolve_interfaces(
                    tuple(s.interfaces), f"{where}.interfaces"
                )
            except LibraryError as err:
                raise DesignError(
                    err.message, field=err.field, value=err.value, fix=err.fix
                ) from None
        if s.traffic is not None:
            values["power_w"] = _traffic_power(values, s.traffic, f"{where}.traffic")
        for n in range(s.count):
            if s.id is not None:
                die_id = s.id if s.count == 1 else f"{s.id}{n}"
            else:
                k = counters.get(prefix, 0)
                while f"{prefix}{k}" in explicit:
                    k += 1
                counters[prefix] = k + 1
                die_id = f"{prefix}{k}"
            if die_id in origin:
                raise DesignError(
                    f"die id {die_id!r} is used twice (also by dies[{origin[die_id]}])",
                    field=f"{where}.id",
                    value=s.id,
                    fix="give each die entry a distinct id",
                )
            origin[die_id] = i
            try:
                dies.append(Die(**{**values, "id": die_id, "part": part_name}))
            except DesignError as err:
                raise _in_file_terms(err, origin) from None
    return tuple(dies), origin


def _traffic_power(values: dict[str, Any], traffic_bit_per_s: float, where: str) -> float:
    """Power at a data rate: background + energy per bit x rate (domain_data.md §12)."""
    energy = values.get("energy_per_bit_pj")
    if energy is None:
        raise DesignError(
            "the die has no energy per bit, so its power cannot follow its traffic",
            field=where,
            fix="give energy_per_bit_pj (and background_power) for the die, or a power",
        )
    return float(values.get("background_power_w", 0.0)) + energy * 1e-12 * traffic_bit_per_s


def _polygon(shape: ShapeSpec, where: str) -> Polygon:
    if shape.points is None:
        # ShapeSpec guarantees width and length when there are no points.
        return box(shape.x, shape.y, shape.x + (shape.width or 0), shape.y + (shape.length or 0))
    if len(shape.points) < 3:
        raise DesignError(
            f"a polygon needs at least 3 points, not {len(shape.points)}",
            field=f"{where}.points",
            fix="list the corners in order, e.g. 4 for a rectangle",
        )
    polygon = Polygon(shape.points)
    if not polygon.is_valid:
        raise DesignError(
            f"invalid polygon: {explain_validity(polygon)}",
            field=f"{where}.points",
            fix="list the corners in order around the shape so edges do not cross",
        )
    if polygon.area <= 0:
        raise DesignError(
            "the polygon has no area",
            field=f"{where}.points",
            fix="list at least three corners that are not on one line",
        )
    return polygon


def _standard_sizes(spec: EnvelopeSpec, family: Family) -> tuple[StandardSize, ...]:
    """The standard bodies the outline names, smallest area first (ties by name)."""
    if spec.standard_outline is None:
        return ()
    if spec.keepouts or spec.height_zones:
        raise DesignError(
            "keep-outs and height zones need an outline drawn in the board's frame",
            field="envelope.keepouts" if spec.keepouts else "envelope.height_zones",
            fix="give envelope.outline as a shape, or drop the keep-outs and height zones",
        )
    if spec.standard_outline == "standard":
        sizes = standards_for(family)
        if not sizes:
            known = ", ".join(s.name for s in load_standards())
            raise DesignError(
                f"the library has no standard body for the {family.value} family",
                field="envelope.outline",
                value="standard",
                fix=f"name standards with {{standard: [...]}} (known: {known}) or draw a shape",
            )
    else:
        named = spec.standard_outline
        names = [named] if isinstance(named, str) else named
        try:
            sizes = tuple(standard(n) for n in names)
        except LibraryError as err:
            raise DesignError(
                err.message, field="envelope.outline.standard", value=err.value, fix=err.fix
            ) from None
    return tuple(sorted(sizes, key=lambda s: (s.area_um2, s.name)))


def _envelope(spec: EnvelopeSpec, family: Family) -> Envelope:
    sizes = _standard_sizes(spec, family)
    if sizes:
        largest = max(sizes, key=lambda s: (s.area_um2, s.name))
        outline = box(0, 0, largest.width_um, largest.length_um)
    else:
        if spec.outline is None:  # EnvelopeSpec._one_height rules this out
            raise DesignError("the envelope needs an outline", field="envelope.outline")
        outline = _polygon(spec.outline, "envelope.outline")
    keepouts = tuple(_polygon(k, f"envelope.keepouts[{i}]") for i, k in enumerate(spec.keepouts))
    zones = tuple(
        HeightZone(
            region=_polygon(z.region, f"envelope.height_zones[{i}].region"),
            max_thickness_um=z.max_thickness,
            name=z.name,
        )
        for i, z in enumerate(spec.height_zones)
    )
    # EnvelopeSpec._one_height guarantees one of the two; the ceiling is at least the target.
    ceiling = next(v for v in (spec.max_thickness, spec.height) if v is not None)
    return Envelope(
        outline=outline,
        max_thickness_um=ceiling,
        target_height_um=spec.height,
        standard_sizes=sizes,
        keepouts=keepouts,
        keepout_names=tuple(k.name or f"keepout{i}" for i, k in enumerate(spec.keepouts)),
        height_zones=zones,
    )


def _balls(spec: BallsSpec) -> BallSpec:
    ring = spec.interface or InterfaceBallsSpec()
    return BallSpec(
        count=spec.count,
        pitch_um=spec.pitch,
        diameter_um=spec.diameter,
        rows=spec.rows,
        keepouts=tuple(Rect(k.x, k.y, k.width, k.length) for k in spec.keepouts),
        a1=spec.a1,
        interface_count=ring.count,
        interface_pitch_um=ring.pitch,
        interface_diameter_um=ring.diameter,
        interface_rows=ring.rows,
    )


def _thermal(spec: ThermalFile, dies: dict[str, Die]) -> ThermalSpec:
    layers = tuple(
        BoardLayer(layer.thickness, layer.copper, layer.dielectric)
        for layer in (spec.board.layers if spec.board else [])
    )
    return ThermalSpec(
        ambient_c=spec.ambient_c,
        h_top_w_per_m2_k=spec.h_top_w_per_m2_k,
        h_bottom_w_per_m2_k=spec.h_bottom_w_per_m2_k,
        board_thickness_um=sum(x.thickness_um for x in layers) if layers else spec.board_thickness,
        board_material=spec.board_material,
        board_margin_um=spec.board_margin,
        max_top_c=spec.max_top_c,
        max_skin_c=spec.max_skin_c,
        housing_thickness_um=spec.housing_thickness,
        housing_material=spec.housing_material,
        top_fixed_c=spec.top_fixed_c,
        bottom_fixed_c=spec.bottom_fixed_c,
        board_outline=(
            _polygon(spec.board.outline, "thermal.board.outline")
            if spec.board and spec.board.outline
            else None
        ),
        board_layers=layers,
        housing_gap_um=spec.housing_gap,
        surface_emissivity=spec.surface_emissivity,
        housing_emissivity=spec.housing_emissivity,
        sources=tuple(
            SurfaceSource(
                s.name,
                s.face,
                s.power,
                None if s.region is None else _polygon(s.region, f"thermal.sources[{i}].region"),
            )
            for i, s in enumerate(spec.sources)
        ),
        bodies=tuple(_body(b) for b in spec.around),
        skin_limits=tuple(TimeLimit(x.max_c, x.for_) for x in spec.skin_limits),
        workloads=tuple(
            Workload(
                name,
                tuple(
                    _phase(p, dies, f"thermal.workloads.{name}.phases[{i}]")
                    for i, p in enumerate(w.phases)
                ),
                w.initial,
                w.checked,
            )
            for name, w in spec.workloads.items()
        ),
    )


def _body(spec: AroundSpec) -> HeatBody:
    """A body around the package in the core model (its invariants are checked there)."""
    layers = (
        (BodyLayer(spec.height, spec.material),)  # type: ignore[arg-type]
        if spec.layers is None
        else tuple(BodyLayer(x.thickness, x.material, x.heated) for x in spec.layers)
    )
    beside, at = spec.beside, spec.at
    return HeatBody(
        spec.name,
        spec.power,
        layers,
        BodySite.UNDER_PACKAGE if spec.under else BodySite.BOARD,
        width_um=spec.width,
        length_um=spec.length,
        x_um=None if at is None else at.x,
        y_um=None if at is None else at.y,
        side=None if beside is None else beside.side,
        gap_um=0 if beside is None else beside.gap,
        offset_um=0 if beside is None else beside.offset,
    )


def _phase(spec: PhaseSpec, dies: dict[str, Die], where: str) -> Phase:
    """A phase in watts: a die given by its traffic takes background + energy/bit x rate."""
    powers = []
    for die_id, value in spec.power.items():
        if isinstance(value, TrafficSpec) and die_id in dies:
            try:
                value = dies[die_id].power_at_w(value.bandwidth)
            except DesignError as err:
                raise DesignError(
                    err.message, field=f"{where}.power.{die_id}", fix=err.fix
                ) from None
        # A die the design lacks is reported by the core check, with the known ids.
        powers.append((die_id, value if isinstance(value, float) else 0.0))
    return Phase(
        spec.name, spec.duration, tuple(powers), tuple((k, v) for k, v in spec.sources.items())
    )


def _materials(lib: Library, extra: dict[str, MaterialSpec]) -> tuple[Material, ...]:
    """The library's materials, with the design's added or replacing them by name.

    A design entry that replaces a library material without a ``mechanical:`` block keeps
    the library's mechanical set (an override of the conductivity alone does not unset
    the properties the warpage model needs)."""
    own = {name: to_core_material(name, m, where=f"materials.{name}") for name, m in extra.items()}
    merged = []
    for m in lib.materials:
        mine = own.pop(m.name, None)
        if mine is not None and mine.mechanical is None:
            mine = replace(mine, mechanical=m.mechanical)
        merged.append(mine or m)
    return tuple(merged) + tuple(own.values())


# ---------------------------------------------------------------------------------------
# Checks across fields: cheap necessary conditions with a clear culprit
# ---------------------------------------------------------------------------------------


def _check(design: Design, origin: dict[str, int], spec: DesignFile) -> None:
    # Power maps and thermal limits (ambient above absolute zero, limits above it, a skin
    # limit with a housing) are invariants of the core values (Die, ThermalSpec, Design):
    # they raised already, and _in_file_terms named the entry of the file.
    _check_dies(design, origin)
    _check_pads(design, origin)
    _check_materials(design, origin)
    for variant in design.variants():  # the warpage model needs every body material's E, nu, CTE
        check_mechanical_inputs(variant)
    variants = [(design.rules, "process", spec.process)] + [
        (r, f"alternatives[{i}].process", a.process)
        for i, (r, a) in enumerate(zip(design.alternatives, spec.alternatives, strict=True))
    ]
    for rules, where, name in variants:
        _check_kinds(design, rules, origin, where, name)
        if not design.envelope.standard_sizes:  # a body too small is an answer, not an error
            _check_room(design, rules, origin, where, name)
        _check_height(design, rules, origin, where, name)
    for variant, (_, _, name) in zip(design.variants(), variants, strict=True):
        _check_balls(variant, name)
        _check_fingers(variant, origin, name)


def _check_dies(design: Design, origin: dict[str, int]) -> None:
    for die in design.dies:
        where = f"dies[{origin[die.id]}]"
        if (
            die.bond is not BondType.WIRE_BOND
            and die.bond is not BondType.VERTICAL_WIRE
            and die.pad_edges
        ):
            raise DesignError(
                f"pad_edges only apply to wire-bonded dies, not {die.bond.value}",
                field=f"{where}.pad_edges",
                value=sorted(e.value for e in die.pad_edges),
                fix="remove pad_edges, or set bond: wire_bond",
            )


def _check_pads(design: Design, origin: dict[str, int]) -> None:
    for die in design.dies:
        if die.pad_count and die.pad_pitch_um <= 0 and die.bond is BondType.WIRE_BOND:
            raise DesignError(
                f"die {die.id} has {die.pad_count} pads but no pad pitch",
                field=f"dies[{origin[die.id]}].pad_pitch",
                fix="give the pad pitch, e.g. pad_pitch: '50 um', or pads: 0",
            )
        for edge in sorted(die.pad_edges, key=lambda e: e.value):
            n = die.pads_on(edge)
            length = die.length_um if edge in (Edge.WEST, Edge.EAST) else die.width_um
            if n > 1 and (n - 1) * die.pad_pitch_um > length:
                raise DesignError(
                    f"the {n} {edge.value} pads of die {die.id} at {die.pad_pitch_um} um need "
                    f"{(n - 1) * die.pad_pitch_um / 1000:g} mm; the edge is {length / 1000:g} mm",
                    field=f"dies[{origin[die.id]}].pads",
                    value=die.pad_count,
                    fix="lower pads or pad_pitch, or add a pad edge",
                )


def _check_fingers(design: Design, origin: dict[str, int], name: str) -> None:
    """Fingers that fan out wider than their die's edge can never be laid out."""
    rules = design.rules
    q, fp = rules.rows_per_tier, rules.finger_pitch_um
    for die in design.dies:
        if die.bond is not BondType.WIRE_BOND or die.pad_pitch_um <= 0 or fp <= 0:
            continue
        for edge in sorted(die.pad_edges, key=lambda e: e.value):
            n = die.pads_on(edge)
            span = die.length_um if edge in (Edge.WEST, Edge.EAST) else die.width_um
            spacing = -(-fp // q)
            if n > 1 and q * die.pad_pitch_um < fp and (n - 1) * spacing + 4 > span:
                raise DesignError(
                    f"process {name!r} fans the {n} {edge.value} pads of die {die.id} "
                    f"({die.pad_pitch_um} um) out to {fp} um fingers in "
                    f"{rules.finger_rows.value} rows: {(n - 1) * spacing / 1000:g} mm of "
                    f"fingers beside a {span / 1000:g} mm edge",
                    field=f"dies[{origin[die.id]}].pads",
                    value=n,
                    fix="use rules.finger_rows: staggered, a finer rules.finger_pitch, or "
                    "fewer pads",
                )


def _check_balls(design: Design, name: str) -> None:
    """A pitch the family cannot make, or a ball that does not fit its pitch, is misuse."""
    spec, rules = design.balls, design.rules
    given = spec.pitch_um is not None or spec.count is not None
    if given and not ball_requirements(design):
        raise DesignError(
            f"process {name!r} ({rules.family.value}) has no ball map (ball pitch 0)",
            field="balls",
            fix="remove balls:, or give balls.pitch for this process",
        )
    for req in ball_requirements(design):
        field = "balls" if req.role.value == "board" else "balls.interface"
        minimum = rules.min_ball_pitch_um
        if req.pitch_um < minimum:
            raise DesignError(
                f"a {req.pitch_um} um ball pitch is below the finest the {name!r} process "
                f"offers ({minimum} um)",
                field=f"{field}.pitch",
                value=f"{req.pitch_um} um",
                fix=f"use a pitch of at least {minimum / 1000:g} mm, or another process",
            )
        if req.diameter_um <= 0 or req.diameter_um >= req.pitch_um:
            raise DesignError(
                f"a {req.diameter_um} um ball does not fit a {req.pitch_um} um pitch (balls "
                "must be smaller than their pitch)",
                field=f"{field}.diameter",
                value=f"{req.diameter_um} um",
                fix=f"give a ball below {req.pitch_um} um (about 0.6 x the pitch), or a "
                "larger pitch",
            )


def check_design(design: Design) -> None:
    """Check the values of a core design that came from elsewhere than a design file.

    A design file's schema already guarantees positive sizes, finite numbers and lengths
    within :data:`~layoutopt.limits.MAX_LENGTH_UM`; a design read back from a layout file
    or built by a program gets the same guarantees here, plus the design-file checks that
    hold for any design (thermal limits, the base layers). Fields are named as
    in the core model (``dies[2].width_um``).

    Raises
    ------
    DesignError
        Naming the first offending field.
    """
    origin: dict[str, int] = {}
    for i, die in enumerate(design.dies):
        if die.id in origin:
            raise DesignError(
                f"die id {die.id!r} is used twice (also by dies[{origin[die.id]}])",
                field=f"dies[{i}].id",
                value=die.id,
                fix="give each die a distinct id",
            )
        origin[die.id] = i
    _check_magnitudes(design)  # power maps and thermal limits: the core values' own checks
    # Materials are not checked: a design without a table uses the library's
    # (layoutopt.thermal.materials.fallback_material), which reports an unknown name itself.
    _check_height(design, design.rules, origin, "rules", design.rules.name)


# Core length fields that must be above zero (the others may be zero: "no such layer").
_POSITIVE_UM = {"width_um", "length_um", "thickness_um", "max_thickness_um", "board_thickness_um"}


def _check_lengths(value: object, where: str) -> None:
    """Every ``*_um`` integer field of the dataclass ``value`` is in [0, MAX_LENGTH_UM]
    (above zero for :data:`_POSITIVE_UM`)."""
    for f in fields(value):  # type: ignore[arg-type]
        v = getattr(value, f.name)
        if not f.name.endswith("_um") or not isinstance(v, int):
            continue
        low = 1 if f.name in _POSITIVE_UM else 0
        if not low <= v <= MAX_LENGTH_UM:
            raise DesignError(
                f"must be {'positive' if low else 'zero or positive'} and at most "
                f"{MAX_LENGTH_UM:,} um (1 m)",
                field=f"{where}.{f.name}",
                value=v,
                fix="give the length in whole micrometres",
            )


def _check_shape(polygon: Polygon, where: str) -> None:
    x0, y0, x1, y1 = polygon.bounds if not polygon.is_empty else (0, 0, 0, 0)
    if polygon.is_empty or not polygon.is_valid or polygon.area <= 0:
        raise DesignError(
            "not a valid polygon with an area",
            field=where,
            fix="list at least three corners in order around the shape, edges not crossing",
        )
    if max(abs(x0), abs(y0), abs(x1), abs(y1)) > MAX_LENGTH_UM:
        raise DesignError(
            f"reaches beyond {MAX_LENGTH_UM:,} um (1 m) from the origin",
            field=where,
            value=[round(b) for b in (x0, y0, x1, y1)],
            fix="give the corners in micrometres",
        )


def _check_magnitudes(design: Design) -> None:
    for i, die in enumerate(design.dies):
        where = f"dies[{i}]"
        _check_lengths(die, where)
        if not 0 <= die.power_w <= MAX_POWER_W:
            raise DesignError(
                f"must be zero or positive and at most {MAX_POWER_W:g} W",
                field=f"{where}.power_w",
                value=die.power_w,
                fix="give the die power in W, e.g. 0.12",
            )
        for t in die.allowed_thickness_um:
            if not 0 < t <= MAX_LENGTH_UM:
                raise DesignError(
                    "every allowed thickness must be positive and at most 1 m",
                    field=f"{where}.allowed_thickness_um",
                    value=t,
                    fix="give thicknesses in whole micrometres",
                )
    for k, rules in enumerate((design.rules, *design.alternatives)):
        where = "rules" if k == 0 else f"alternatives[{k - 1}]"
        _check_lengths(rules, where)
        if not (0 <= rules.rdl_layers <= 100 and rules.max_dies_per_stack >= 1):
            raise DesignError(
                "needs 0 to 100 RDL layers and at least one die per stack",
                field=where,
                value=(rules.rdl_layers, rules.max_dies_per_stack),
                fix="correct rdl_layers or max_dies_per_stack",
            )
    env = design.envelope
    _check_lengths(env, "envelope")
    _check_shape(env.outline, "envelope.outline")
    for i, keepout in enumerate(env.keepouts):
        _check_shape(keepout, f"envelope.keepouts[{i}]")
    for i, zone in enumerate(env.height_zones):
        _check_shape(zone.region, f"envelope.height_zones[{i}].region")
        _check_lengths(zone, f"envelope.height_zones[{i}]")
    _check_lengths(design.thermal, "thermal")
    t = design.thermal
    for key in ("h_top_w_per_m2_k", "h_bottom_w_per_m2_k"):
        if not getattr(t, key) > 0:
            raise DesignError(
                "must be positive",
                field=f"thermal.{key}",
                value=getattr(t, key),
                fix="give the heat transfer coefficient, e.g. 12",
            )
    for i, m in enumerate(design.materials):
        if not (m.k_xy_w_per_m_k > 0 and m.k_z_w_per_m_k > 0):
            raise DesignError(
                "conductivities must be positive",
                field=f"materials[{i}]",
                value=m.name,
                fix="give k in W/(m K), e.g. 130 for silicon",
            )


def _check_materials(design: Design, origin: dict[str, int]) -> None:
    known = [m.name for m in design.materials]

    def need(name: str, where: str) -> None:
        if name not in known:
            guess = nearest(name, known)
            raise DesignError(
                f"unknown material {name!r}",
                field=where,
                value=name,
                fix=(f"did you mean {guess!r}? " if guess else "")
                + "use a library material or define it under 'materials:'",
            )

    for die in design.dies:
        need(die.material, f"dies[{origin[die.id]}].material")
    need(design.thermal.board_material, "thermal.board_material")
    need(design.thermal.housing_material, "thermal.housing_material")
    for rules in (design.rules, *design.alternatives):
        for f in fields(ProcessRules):
            if f.name.endswith("_material"):
                need(getattr(rules, f.name), f"rules.{f.name}")


def _check_kinds(
    design: Design, rules: ProcessRules, origin: dict[str, int], where: str, name: str
) -> None:
    for die in design.dies:
        if die.kind not in rules.allowed_kinds:
            allowed = ", ".join(k.value for k in rules.allowed_kinds)
            raise DesignError(
                f"process {name!r} ({rules.family.value}) cannot hold a {die.kind.value} die "
                f"({die.id}, dies[{origin[die.id]}]); it holds: {allowed}",
                field=where,
                value=name,
                fix="choose another process (e.g. sip holds every kind) or remove the die",
            )


def _side_needs(rules: ProcessRules, die: Die, rotation: int) -> tuple[int, int]:
    """(x, y) extent a die needs in the package: the die, the die-edge keep-out and,
    on each wire-bonded pad edge, the bond-finger ring plus its edge keep-out."""
    w, h = die.size_um(rotation)
    pads = die.pad_edges_at(rotation) if die.bond is BondType.WIRE_BOND else frozenset()
    ring = rules.bond_finger_ring_um + rules.finger_edge_keepout_um
    if rules.double_sided:  # a wire-bonded die on the bottom side has no finger-ring rule
        ring = 0

    def side(edge: Edge) -> int:
        return max(rules.die_edge_keepout_um, ring if edge in pads else 0)

    return w + side(Edge.WEST) + side(Edge.EAST), h + side(Edge.SOUTH) + side(Edge.NORTH)


@dataclass(frozen=True)
class _Room:
    """A region to fit dies in, with a lower bound on its inscribed circle's radius: a
    rectangle whose inscribed disc is smaller than that fits the erosion test without
    eroding the region (5,000 dies: 15,000 erosions took 1.0 s of the 3.1 s load)."""

    region: Any
    inradius_lb_um: float

    @classmethod
    def of(cls, region: Any) -> _Room:
        if region.is_empty:
            return cls(region, 0.0)
        # The circle's centre is a point of the region, so its distance to the boundary
        # (the segment's length) is a true radius there, never above the largest one.
        circle = shapely.maximum_inscribed_circle(region, tolerance=1.0)
        return cls(region, float(circle.length))

    def fits(self, w: int, h: int) -> bool:
        """Necessary condition for a w x h rectangle to fit: it fits the bounding box,
        and the region eroded by the rectangle's inscribed disc is not empty."""
        if self.region.is_empty:
            return False
        x0, y0, x1, y1 = self.region.bounds
        if w > x1 - x0 or h > y1 - y0:
            return False
        radius = min(w, h) / 2 - 1
        if radius < self.inradius_lb_um:  # the circle's centre survives the erosion
            return True
        return radius <= 0 or not self.region.buffer(-radius).is_empty


def _check_room(
    design: Design, rules: ProcessRules, origin: dict[str, int], where: str, name: str
) -> None:
    outline = _Room.of(design.envelope.outline)
    free_region = design.envelope.outline
    for k in design.envelope.keepouts:
        free_region = free_region.difference(k)
    free = _Room.of(free_region)
    x0, y0, x1, y1 = outline.region.bounds
    size = f"{(x1 - x0) / 1000:g} x {(y1 - y0) / 1000:g} mm"
    for die in design.dies:
        rotations = (0,) if die.is_square else (0, 90)
        here = f"dies[{origin[die.id]}]"
        if not any(outline.fits(*die.size_um(r)) for r in rotations):
            raise DesignError(
                f"die {die.id} ({die.width_um / 1000:g} x {die.length_um / 1000:g} mm) is "
                f"larger than the outline ({size}) in both orientations",
                field=f"{here}.width",
                value=f"{die.width_um} um",
                fix="enlarge envelope.outline or use a smaller part",
            )
        needs = [_side_needs(rules, die, r) for r in rotations]
        if not any(outline.fits(*n) for n in needs):
            w, h = min(needs)
            raise DesignError(
                f"process {name!r} leaves no room for die {die.id}: with the die-edge "
                f"keep-out ({rules.die_edge_keepout_um} um) and bond-finger ring "
                f"({rules.bond_finger_ring_um} um + {rules.finger_edge_keepout_um} um to "
                f"the edge) it needs at least {w / 1000:g} x {h / 1000:g} mm; the outline "
                f"is {size}",
                field=where,
                value=name,
                fix="lower rules.bond_finger_ring / rules.die_edge_keepout / "
                "rules.finger_edge_keepout, or enlarge envelope.outline",
            )
        if not any(free.fits(*n) for n in needs):
            names = ", ".join(design.envelope.keepout_names)
            raise DesignError(
                f"the keep-outs ({names}) leave no room for die {die.id} "
                f"({needs[0][0] / 1000:g} x {needs[0][1] / 1000:g} mm with its margins)",
                field="envelope.keepouts",
                fix="shrink or move the keep-outs, or enlarge envelope.outline",
            )


def _check_height(
    design: Design, rules: ProcessRules, origin: dict[str, int], where: str, name: str
) -> None:
    limit = design.envelope.max_thickness_um
    base = rules.base_thickness_um
    if base >= limit:
        raise DesignError(
            f"max_thickness is not above the base layers of {name!r}: balls "
            f"{rules.ball_height_um} + substrate {rules.substrate_thickness_um} + RDL "
            f"{rules.rdl_layers} x {rules.rdl_layer_thickness_um} = {base} um",
            field="envelope.max_thickness",
            value=f"{limit} um",
            fix=f"raise envelope.max_thickness above {base} um or thin the base layers "
            "under 'rules:'",
        )
    # A die too thick for the ceiling is not a malformed file: the design is infeasible,
    # and the solver says so with its thickness budget (layoutopt.solver.explain).


def _bottom_ok(rules: ProcessRules, die: Die, thickness: int) -> bool:
    if not rules.double_sided:
        return False
    joint = rules.attach_um(die.bond)
    return (
        rules.ball_height_um - joint - thickness >= 0
        and joint + thickness <= rules.bottom_side_max_height_um
    )


# ---------------------------------------------------------------------------------------
# For the solver
# ---------------------------------------------------------------------------------------


def interchangeable_dies(design: Design) -> tuple[tuple[str, ...], ...]:
    """Groups of die ids that differ only in their id (same part after overrides).

    A solver may order each group (symmetry breaking) without losing an optimum. Groups
    of one die are left out; order follows the design.

    >>> from layoutopt.library import load_library
    >>> d = design_from_text('''
    ... process: epop
    ... dies: [{part: nand_tlc_512gb, count: 3}, {part: lpddr4x_16gb}]
    ... envelope: {outline: {width: "20 mm", length: "20 mm"}, max_thickness: "0.6 mm"}
    ... ''')
    >>> interchangeable_dies(d)
    (('NAND0', 'NAND1', 'NAND2'),)
    """
    groups: dict[Die, list[str]] = {}
    for die in design.dies:
        groups.setdefault(replace(die, id=""), []).append(die.id)
    return tuple(tuple(ids) for ids in groups.values() if len(ids) > 1)


if __name__ == "__main__":  # regenerate the committed schema
    print(design_schema_text(), end="")
