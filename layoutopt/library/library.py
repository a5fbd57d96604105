"""The built-in library of parts, materials and process rules, read from ``data/*.yaml``.

Every entry keeps where its numbers come from (a row of the reference data) and how sure
they are (H, M, L or E). Values are converted once into the core model (integer µm, SI).

Examples
--------
>>> lib = load_library()
>>> lib.part("lpddr4x_16gb").die.width_um
6500
>>> lib.process("epop").rules.base_thickness_um
230
>>> lib.material("silicon").k_xy_w_per_m_k
130.0
>>> lib.interface("lpddr4x_x16").signals
34
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Annotated, Any

import yaml
from pydantic import Field, ValidationError

from layoutopt.errors import DesignError, LibraryError
from layoutopt.library.spec import (
    Confidence,
    DieFields,
    FieldSource,
    InterfaceUse,
    MaterialSpec,
    RulesFields,
    _Strict,
    die_overrides_um,
    nearest,
    rules_overrides_um,
    to_core_material,
    validation_error,
)
from layoutopt.model import Die, Family, Interface, Material, ProcessRules

__all__ = [
    "InterfaceDef",
    "Library",
    "Part",
    "Process",
    "library_table",
    "load_library",
]

_CONFIDENCE_ORDER = "HMLE"  # worst last


class PartSpec(DieFields):
    """A library part as written in ``parts.yaml``."""

    description: str = ""
    id_prefix: str | None = Field(None, description="prefix of expanded die ids, e.g. DRAM")
    source: str
    confidence: Confidence
    field_sources: dict[str, FieldSource] = Field(default_factory=dict)


class InterfaceSpec(_Strict):
    """A library interface as written in ``interfaces.yaml``."""

    description: str = ""
    signals: Annotated[int, Field(ge=1)]
    ranks: Annotated[int, Field(ge=1)] = 1
    host_reaches_balls: bool = True
    source: str
    confidence: Confidence


class ProcessSpec(RulesFields):
    """A library process as written in ``processes.yaml``."""

    family: Family
    base: str | None = Field(None, description="another library process to start from")
    description: str = ""
    source: str
    confidence: Confidence
    field_sources: dict[str, FieldSource] = Field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    """A library part: a template die (``id == name``) and where its values come from."""

    name: str
    die: Die
    id_prefix: str
    description: str
    source: str
    confidence: str
    # (file key, source, confidence) for values with their own source row.
    field_sources: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Process:
    """A library process: its rules and where each value comes from."""

    name: str
    rules: ProcessRules
    description: str
    source: str
    confidence: str
    field_sources: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class InterfaceDef:
    """A library interface: the signals of one instance, and where the count comes from."""

    name: str
    signals: int
    ranks: int
    host_reaches_balls: bool
    description: str
    source: str
    confidence: str


@dataclass(frozen=True)
class Library:
    """Parts, materials, processes and interfaces, each kept in file order."""

    parts: tuple[Part, ...]
    materials: tuple[Material, ...]
    processes: tuple[Process, ...]
    interfaces: tuple[InterfaceDef, ...] = ()

    def part(self, name: str) -> Part:
        """The part called ``name``; :class:`LibraryError` names the nearest otherwise."""
        for p in self.parts:
            if p.name == name:
                return p
        raise _unknown("part", name, [p.name for p in self.parts])

    def process(self, name: str) -> Process:
        for p in self.processes:
            if p.name == name:
                return p
        raise _unknown("process", name, [p.name for p in self.processes])

    def interface(self, name: str) -> InterfaceDef:
        for i in self.interfaces:
            if i.name == name:
                return i
        raise _unknown("interface", name, [i.name for i in self.interfaces])

    def resolve_interfaces(
        self, uses: tuple[InterfaceUse, ...], where: str
    ) -> tuple[Interface, ...]:
        """Core :class:`~layoutopt.model.Interface` values for a die's ``interfaces:``;
        :class:`LibraryError` names the entry (``where[i].interface``) of an unknown one."""
        out = []
        for i, use in enumerate(uses):
            try:
                d = self.interface(use.interface)
            except LibraryError as err:
                raise LibraryError(
                    err.message, field=f"{where}[{i}].interface", value=use.interface, fix=err.fix
                ) from None
            out.append(
                Interface(d.name, use.count, d.signals, use.role, d.ranks, d.host_reaches_balls)
            )
        return tuple(out)

    def material(self, name: str) -> Material:
        for m in self.materials:
            if m.name == name:
                return m
        raise _unknown("material", name, [m.name for m in self.materials])

    @property
    def part_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parts)

    @property
    def process_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.processes)

    @property
    def material_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.materials)


def _unknown(what: str, name: str, known: list[str]) -> LibraryError:
    guess = nearest(name, known)
    fix = (f"did you mean {guess!r}? " if guess else "") + f"known {what}s: {', '.join(known)}"
    return LibraryError(f"unknown {what} {name!r}", value=name, fix=fix)


_KIND_PREFIX = {
    "dram": "DRAM",
    "nand": "NAND",
    "controller": "CTRL",
    "logic": "LOGIC",
    "pmic": "PMIC",
    "passive": "P",
}


def _read(name: str) -> tuple[str, dict[str, Any]]:
    file = f"layoutopt/library/data/{name}"
    text = resources.files("layoutopt.library").joinpath("data", name).read_text("utf-8")
    # libyaml's safe loader where PyYAML has it (the pure-Python one: 5 s at load 12).
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise LibraryError("expected a mapping of names to entries", file=file)
    return file, data


def _worst(*codes: str) -> str:
    return max(codes, key=_CONFIDENCE_ORDER.index)


def _parse_interfaces(file: str, data: dict[str, Any]) -> tuple[InterfaceDef, ...]:
    out = []
    for name, raw in data.items():
        try:
            spec = InterfaceSpec.model_validate(raw)
        except ValidationError as err:
            raise validation_error(
                err, InterfaceSpec, file=file, prefix=(name,), error_type=LibraryError
            ) from None
        out.append(
            InterfaceDef(
                name,
                spec.signals,
                spec.ranks,
                spec.host_reaches_balls,
                spec.description,
                spec.source,
                spec.confidence,
            )
        )
    return tuple(out)


def _parse_parts(
    file: str, data: dict[str, Any], interfaces: tuple[InterfaceDef, ...] = ()
) -> tuple[Part, ...]:
    known = Library((), (), (), interfaces)
    parts = []
    for name, raw in data.items():
        try:
            spec = PartSpec.model_validate(raw)
        except ValidationError as err:
            raise validation_error(
                err, PartSpec, file=file, prefix=(name,), error_type=LibraryError
            ) from None
        fields = die_overrides_um(spec)
        missing = [
            k
            for k in ("kind", "width", "length", "thickness", "power", "max_junction_c", "bond")
            if getattr(spec, k) is None
        ]
        if missing:
            raise LibraryError(
                f"part lacks {', '.join(missing)}",
                file=file,
                field=name,
                fix="give every die field of a library part",
            )
        _check_field_sources(file, name, spec.field_sources, DieFields.model_fields)
        if "interfaces" in fields:
            try:
                fields["interfaces"] = known.resolve_interfaces(
                    fields["interfaces"], f"{name}.interfaces"
                )
            except LibraryError as err:
                raise LibraryError(err.message, file=file, field=err.field, fix=err.fix) from None
        die = Die(id=name, part=name, **fields)
        sources = tuple((k, s.source, s.confidence) for k, s in spec.field_sources.items())
        parts.append(
            Part(
                name=name,
                die=die,
                id_prefix=spec.id_prefix or _KIND_PREFIX[die.kind.value],
                description=spec.description,
                source=spec.source,
                confidence=_worst(spec.confidence, *(s[2] for s in sources)),
                field_sources=sources,
            )
        )
    return tuple(parts)


def _check_field_sources(file: str, name: str, sources: dict[str, Any], known: Any) -> None:
    for key in sources:
        if key not in known:
            raise LibraryError(
                f"field_sources names unknown field {key!r}",
                file=file,
                field=f"{name}.field_sources.{key}",
                fix=f"use one of {', '.join(known)}",
            )


def _parse_processes(file: str, data: dict[str, Any]) -> tuple[Process, ...]:
    processes: dict[str, Process] = {}
    for name, raw in data.items():
        try:
            spec = ProcessSpec.model_validate(raw)
        except ValidationError as err:
            raise validation_error(
                err, ProcessSpec, file=file, prefix=(name,), error_type=LibraryError
            ) from None
        _check_field_sources(file, name, spec.field_sources, RulesFields.model_fields)
        overrides = rules_overrides_um(spec)
        sources = {k: (s.source, s.confidence) for k, s in spec.field_sources.items()}
        unsourced = sorted(
            k for k in spec.model_fields_set & set(RulesFields.model_fields) if k not in sources
        )
        if spec.base is not None:
            if spec.base not in processes:
                raise LibraryError(
                    f"base process {spec.base!r} is not defined above",
                    file=file,
                    field=f"{name}.base",
                    fix="define the base process earlier in the file",
                )
            base = processes[spec.base]
            rules = ProcessRules(
                **{**_rules_kwargs(base.rules), **overrides, "family": spec.family, "name": name}
            )
            sources = {**{k: (s, c) for k, s, c in base.field_sources}, **sources}
        else:
            rules = ProcessRules(family=spec.family, name=name, **overrides)
        if unsourced:
            raise LibraryError(
                f"values without a source: {', '.join(unsourced)}",
                file=file,
                field=name,
                fix="add a field_sources entry naming the reference row and its confidence",
            )
        flat = tuple((k, s, c) for k, (s, c) in sources.items())
        processes[name] = Process(
            name=name,
            rules=rules,
            description=" ".join(spec.description.split()),
            source=spec.source,
            confidence=_worst(spec.confidence, *(c for _, _, c in flat)),
            field_sources=flat,
        )
    return tuple(processes.values())


def _rules_kwargs(rules: ProcessRules) -> dict[str, Any]:
    return {f.name: getattr(rules, f.name) for f in fields(rules)}


def _parse_materials(file: str, data: dict[str, Any]) -> tuple[Material, ...]:
    materials = []
    for name, raw in data.items():
        try:
            spec = MaterialSpec.model_validate(raw)
        except ValidationError as err:
            raise validation_error(
                err, MaterialSpec, file=file, prefix=(name,), error_type=LibraryError
            ) from None
        try:
            materials.append(to_core_material(name, spec))
        except DesignError as err:
            raise LibraryError(err.message, file=file, field=err.field, fix=err.fix) from None
    return tuple(materials)


@cache
def load_library() -> Library:
    """The built-in library (read once; the value is frozen, so sharing it is safe)."""
    interfaces = _parse_interfaces(*_read("interfaces.yaml"))
    parts = _parse_parts(*_read("parts.yaml"), interfaces)
    materials = _parse_materials(*_read("materials.yaml"))
    processes = _parse_processes(*_read("processes.yaml"))
    library = Library(parts, materials, processes, interfaces)
    _check_references(library)
    return library


def _check_references(library: Library) -> None:
    """Every material a part or process names exists."""
    names = set(library.material_names)
    for part in library.parts:
        if part.die.material not in names:
            raise LibraryError(
                f"unknown material {part.die.material!r}",
                file="layoutopt/library/data/parts.yaml",
                field=f"{part.name}.material",
                fix=f"use one of {', '.join(sorted(names))}",
            )
    for process in library.processes:
        for key, value in _rules_kwargs(process.rules).items():
            if key.endswith("_material") and value not in names:
                raise LibraryError(
                    f"unknown material {value!r}",
                    file="layoutopt/library/data/processes.yaml",
                    field=f"{process.name}.{key}",
                    fix=f"use one of {', '.join(sorted(names))}",
                )


def library_table(library: Library | None = None) -> list[dict[str, Any]]:
    """One row per library entry, for ``layoutopt library`` to print.

    Each row has ``section`` (part, material, process), ``name``, ``summary``,
    ``confidence`` and ``source``.

    >>> rows = library_table()
    >>> next(r for r in rows if r["name"] == "lpddr4x_16gb")["summary"]
    'dram 6.5 x 8.0 x 0.040 mm, 0.05 W, wire_bond'
    """
    lib = library or load_library()
    rows: list[dict[str, Any]] = []
    for part in lib.parts:
        d = part.die
        rows.append(
            {
                "section": "part",
                "name": part.name,
                "summary": f"{d.kind.value} {d.width_um / 1000:.1f} x {d.length_um / 1000:.1f}"
                f" x {d.thickness_um / 1000:.3f} mm, {d.power_w:g} W, {d.bond.value}",
                "confidence": part.confidence,
                "source": part.source,
            }
        )
    for m in lib.materials:
        k = (
            f"k {m.k_xy_w_per_m_k:g} W/(m·K)"
            if m.k_xy_w_per_m_k == m.k_z_w_per_m_k
            else f"k_xy {m.k_xy_w_per_m_k:g}, k_z {m.k_z_w_per_m_k:g} W/(m·K)"
        )
        if m.mechanical is not None:
            e = m.mechanical
            k += (
                f"; E {e.youngs_modulus_gpa:g} GPa, nu {e.poisson_ratio:g}, CTE {e.cte_ppm_per_k:g}"
            )
            if e.tg_c is not None:
                k += f"/{e.cte_above_tg_ppm_per_k:g} ppm/K (Tg {e.tg_c:g} °C)"
            else:
                k += " ppm/K"
        rows.append(
            {
                "section": "material",
                "name": m.name,
                "summary": k,
                "confidence": m.confidence,
                "source": m.source,
            }
        )
    for p in lib.processes:
        r = p.rules
        rows.append(
            {
                "section": "process",
                "name": p.name,
                "summary": f"{r.family.value}: base {r.base_thickness_um} um, "
                f"max {r.max_dies_per_stack} dies/stack, grid {r.package_grid_um} um",
                "confidence": p.confidence,
                "source": p.source,
            }
        )
    return rows
