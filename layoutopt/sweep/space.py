"""The design-space file: a base design, axes to vary, how to combine them, filters.

A space file is YAML, validated by pydantic with ``extra="forbid"``::

    name: smart_glasses_memory
    base: ../smart_glasses_epop.yaml      # a design file (relative to this file) or inline
    axes:
      - path: envelope.max_thickness       # any design-file field, by its dotted path
        range: {start: "0.5 mm", stop: "0.8 mm", step: "0.1 mm"}
      - path: dies[0].part                 # a choice of library parts
        values: [lpddr4x_16gb, lpddr5x_16gb]
      - name: family                       # candidate families: several fields at once
        choices:
          - {label: epop, set: {process: epop}}
          - {label: sip, set: {process: sip, "envelope.max_thickness": "0.8 mm"}}
    sample: {method: lhs, n: 20, seed: 1}  # omit for the full grid
    filters:
      keep_if: ["max_thickness >= 0.6 mm or family != epop"]
      exclude: [{family: sip, part: lpddr5x_16gb}]
    pareto: {footprint_mm2: min, cost_usd: min, capacity_gb: max}  # default: footprint, thickness

Everything is checked before any solve (:func:`check_points` loads every point's design).
A sweep solves at most ``max_points`` points (default
:data:`~layoutopt.limits.MAX_SWEEP_POINTS`, 10,000): a larger grid is an error at load
time, with its size, unless it is sampled (``sample: {n: ...}``) or the file raises
``max_points``; a range may not have more values than that either.

Examples
--------
>>> space = space_from_text('''
... name: demo
... base: {name: d, process: epop, envelope: {max_thickness: "0.6 mm"}}
... axes:
...   - path: envelope.max_thickness
...     range: {start: "0.5 mm", stop: "0.7 mm", step: "0.1 mm"}
...   - path: process
...     values: [epop, foms]
... filters: {keep_if: ["max_thickness > 0.5 mm or process == foms"]}
... ''')
>>> [p.values for p in expand_points(space)]  # doctest: +NORMALIZE_WHITESPACE
[{'max_thickness': '0.5 mm', 'process': 'foms'},
 {'max_thickness': '0.6 mm', 'process': 'epop'}, {'max_thickness': '0.6 mm', 'process': 'foms'},
 {'max_thickness': '0.7 mm', 'process': 'epop'}, {'max_thickness': '0.7 mm', 'process': 'foms'}]
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from layoutopt.design_file import parse_yaml
from layoutopt.errors import DesignError, LayoutOptError, SpaceError
from layoutopt.files import read_text
from layoutopt.limits import MAX_SWEEP_POINTS, MAX_YAML_BYTES
from layoutopt.sweep.filters import Predicate, compile_filter, matches_exclusion
from layoutopt.sweep.objectives import DEFAULT_PARETO, ParetoObjective, parse_objectives
from layoutopt.sweep.paths import check_path, parse_path, set_paths

__all__ = [
    "Axis",
    "DesignLoader",
    "Point",
    "Space",
    "SpaceFile",
    "check_points",
    "expand_points",
    "load_space",
    "space_from_text",
]

#: ``load(text, file=...)`` -> a Design; the real one is ``layoutopt.design_file.design_from_text``.
DesignLoader = Callable[..., Any]


# --- the file schema ----------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RangeSpec(_Strict):
    """Evenly spaced values from ``start`` to ``stop`` inclusive (same unit for all three)."""

    start: str | int | float
    stop: str | int | float
    step: str | int | float


class ChoiceSpec(_Strict):
    """One option of a multi-field axis: a label and the fields it sets."""

    label: str
    set: dict[str, Any] = Field(min_length=1)


class AxisSpec(_Strict):
    """One axis: a field path with ``values`` or a ``range``, or named ``choices``."""

    name: str | None = None
    path: str | None = None
    values: list[Any] | None = None
    range: RangeSpec | None = None
    choices: list[ChoiceSpec] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> AxisSpec:
        given = [k for k in ("values", "range", "choices") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'values', 'range' or 'choices'")
        if given[0] == "choices":
            if self.name is None or self.path is not None:
                raise ValueError("a 'choices' axis needs a 'name' and no 'path'")
        elif self.path is None:
            raise ValueError(f"an axis with '{given[0]}' needs a 'path' (e.g. dies[0].part)")
        return self


class SampleSpec(_Strict):
    """Sample ``n`` points of the grid instead of taking all of it."""

    method: Literal["random", "lhs"]
    n: int = Field(gt=0)
    seed: int = 0


class FilterSpec(_Strict):
    keep_if: list[str] = []
    exclude: list[dict[str, Any]] = []


class SpaceFile(_Strict):
    """The design-space file as written."""

    name: str
    description: str = ""
    base: str | dict[str, Any]
    axes: list[AxisSpec] = Field(min_length=1)
    sample: SampleSpec | None = None
    filters: FilterSpec = FilterSpec()
    max_points: int = Field(MAX_SWEEP_POINTS, gt=0, description="most points to solve")
    pareto: dict[str, str] | None = Field(
        None,
        description="Pareto objectives and senses, e.g. {capacity_gb: max, cost_usd: min}; "
        "default footprint_mm2 and thickness_um, both min",
    )


# --- the resolved space -------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """A resolved axis: one label per value and the (path, value) pairs each one sets."""

    name: str
    labels: tuple[Any, ...]
    assignments: tuple[tuple[tuple[str, Any], ...], ...]
    path: str | None = None


@dataclass(frozen=True)
class Space:
    """A checked design space (schema, paths, filters); points come from :func:`expand_points`."""

    name: str
    base: dict[str, Any]
    axes: tuple[Axis, ...]
    file: str | None = None
    base_file: str | None = None
    description: str = ""
    sample: SampleSpec | None = None
    keep_if: tuple[str, ...] = ()
    exclude: tuple[dict[str, Any], ...] = ()
    pareto: tuple[ParetoObjective, ...] = DEFAULT_PARETO
    _predicates: tuple[Predicate, ...] = field(default=(), repr=False, compare=False)

    @property
    def grid_size(self) -> int:
        return math.prod(len(a.labels) for a in self.axes)


@dataclass(frozen=True)
class Point:
    """One point of the space: its position, axis values (labels) and resolved design dict."""

    index: int
    values: dict[str, Any]
    design: dict[str, Any]


# --- loading ------------------------------------------------------------------------------

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+))\s*([A-Za-zµμ]*)\s*$")


def _range_values(spec: RangeSpec, file: str | None, path: str, max_points: int) -> list[Any]:
    def split(name: str, raw: object) -> tuple[Decimal, str]:
        match = _QUANTITY.match(str(raw))
        if match is None:
            raise SpaceError(
                f"range {name} is not a number with an optional unit",
                file=file,
                field=f"axes[{path}].range.{name}",
                value=raw,
                fix="write e.g. '0.5 mm'",
            )
        try:
            return Decimal(match.group(1)), match.group(2)
        except InvalidOperation:  # pragma: no cover - the regex admits only decimals
            raise SpaceError("bad number", file=file, field=path, value=raw) from None

    (start, unit), (stop, unit_b), (step, unit_c) = (
        split("start", spec.start),
        split("stop", spec.stop),
        split("step", spec.step),
    )
    if not unit == unit_b == unit_c:
        raise SpaceError(
            f"range start, stop and step use different units ({unit!r}, {unit_b!r}, {unit_c!r})",
            file=file,
            field=f"axes[{path}].range",
            value=f"{spec.start} .. {spec.stop} step {spec.step}",
            fix="write all three in the same unit",
        )
    if step <= 0 or stop < start:
        raise SpaceError(
            "the range is empty (needs step > 0 and stop >= start)",
            file=file,
            field=f"axes[{path}].range",
            value=f"{spec.start} .. {spec.stop} step {spec.step}",
            fix="give a positive step and a stop at or above the start",
        )
    count = int((stop - start) / step) + 1
    if count > max_points:
        raise SpaceError(
            f"the range has {count:,} values; a sweep solves at most {max_points:,} points",
            file=file,
            field=f"axes[{path}].range",
            value=f"{spec.start} .. {spec.stop} step {spec.step}",
            fix="use a larger step, or raise 'max_points' in the space file (docs/limits.md)",
        )
    numbers = [start + i * step for i in range(count)]
    if not unit:
        return [int(n) if n == n.to_integral_value() else float(n) for n in numbers]
    return [f"{_plain(n)} {unit}" for n in numbers]


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def _axis(
    spec: AxisSpec, index: int, file: str | None, base: dict[str, Any], max_points: int
) -> Axis:
    if spec.choices is not None:
        assert spec.name is not None  # checked by the schema
        labels = tuple(c.label for c in spec.choices)
        for choice in spec.choices:
            for path in choice.set:
                _checked(lambda p=path: check_path(base, p), file, f"axes[{index}].choices")
        assignments = tuple(tuple(c.set.items()) for c in spec.choices)
        axis = Axis(name=spec.name, labels=labels, assignments=assignments)
    else:
        path = spec.path or ""
        _checked(lambda: check_path(base, path), file, f"axes[{index}].path")
        if spec.range is not None:
            values = _range_values(spec.range, file, str(index), max_points)
        else:
            values = list(spec.values or [])
        name = spec.name or _default_name(path)
        axis = Axis(
            name=name,
            labels=tuple(values),
            assignments=tuple(((path, v),) for v in values),
            path=path,
        )
    if not axis.labels:
        raise SpaceError(
            "the axis has no values",
            file=file,
            field=f"axes[{index}]",
            value=axis.name,
            fix="give at least one value, or remove the axis",
        )
    if len({repr(v) for v in axis.labels}) != len(axis.labels):
        raise SpaceError(
            "the axis repeats a value",
            file=file,
            field=f"axes[{index}]",
            value=list(axis.labels),
            fix="list each value once",
        )
    return axis


def _default_name(path: str) -> str:
    """``envelope.max_thickness`` -> ``max_thickness``; ``dies[0].part`` -> ``dies_0_part``."""
    segments = parse_path(path)
    if any(isinstance(s, int) for s in segments):
        return "_".join(str(s) for s in segments)
    return str(segments[-1])


def _checked(check: Callable[[], None], file: str | None, field_name: str) -> None:
    try:
        check()
    except SpaceError as err:
        raise SpaceError(
            err.message, file=file, field=err.field or field_name, value=err.value, fix=err.fix
        ) from None


def _pydantic_error(err: ValidationError, file: str | None, data: Any) -> SpaceError:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    loc = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", loc)
    if first["type"] == "extra_forbidden":
        allowed = _allowed_fields(first["loc"], data)
        return SpaceError(
            "unknown field",
            file=file,
            field=loc,
            value=first.get("input"),
            fix=f"remove it or use one of: {', '.join(allowed)}" if allowed else "remove it",
        )
    return SpaceError(
        first["msg"],
        file=file,
        field=loc or None,
        value=first.get("input"),
        fix="see the space-file format in layoutopt.sweep.space",
    )


def _allowed_fields(loc: tuple[Any, ...], data: Any) -> list[str]:
    model: Any = SpaceFile
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        inner = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        for candidate in [*inner, *[x for a in inner for x in getattr(a, "__args__", ())]]:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                model = candidate
                break
    return sorted(model.model_fields)


def _parse(text: str, file: str | None) -> Any:
    """YAML as design files are read (safe, duplicate keys rejected: PyYAML keeps the last)."""
    try:
        return parse_yaml(text, file)
    except DesignError as err:
        raise SpaceError(
            err.message, file=err.file, field=err.field, value=err.value, fix=err.fix
        ) from None


# Sampling draws point indices as 64-bit integers.
_MAX_SAMPLED_GRID = 10**15


def _check_size(spec: SpaceFile, axes: Sequence[Axis], file: str | None) -> None:
    """The number of points to solve, before any is built (the numbers in the message)."""
    sizes = [len(a.labels) for a in axes]
    grid = math.prod(sizes)
    shape = " x ".join(f"{n:,}" for n in sizes)
    if spec.sample is None and grid > spec.max_points:
        raise SpaceError(
            f"the grid has {grid:,} points ({shape}); a sweep solves at most {spec.max_points:,}",
            file=file,
            field="axes",
            fix=f"sample it (sample: {{method: lhs, n: {min(spec.max_points, 500)}}}), use "
            "fewer values, or raise 'max_points' in the space file (docs/limits.md)",
        )
    if spec.sample is not None and spec.sample.n > spec.max_points:
        raise SpaceError(
            f"the sample asks for {spec.sample.n:,} points; a sweep solves at most "
            f"{spec.max_points:,}",
            file=file,
            field="sample.n",
            value=spec.sample.n,
            fix="sample fewer points, or raise 'max_points' in the space file",
        )
    if grid > _MAX_SAMPLED_GRID:
        raise SpaceError(
            f"the grid has {grid:.3g} points ({shape}); sampling works on at most "
            f"{_MAX_SAMPLED_GRID:.0e}",
            file=file,
            field="axes",
            fix="use fewer values on some axes",
        )


def space_from_text(text: str, *, file: str | None = None) -> Space:
    """Read and check a space file's text (``file`` names it and anchors relative paths)."""
    data = _parse(text, file)
    if not isinstance(data, dict):
        raise SpaceError(
            "a space file is a mapping", file=file, fix="start with 'name:', 'base:' and 'axes:'"
        )
    try:
        spec = SpaceFile.model_validate(data)
    except ValidationError as err:
        raise _pydantic_error(err, file, data) from None
    base, base_file = _base(spec.base, file)
    axes = tuple(_axis(a, i, file, base, spec.max_points) for i, a in enumerate(spec.axes))
    _check_size(spec, axes, file)
    names = [a.name for a in axes]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SpaceError(
            "two axes have the same name",
            file=file,
            field="axes",
            value=dupes[0],
            fix="give one of them a 'name:'",
        )
    predicates = []
    for text_ in spec.filters.keep_if:
        try:
            predicates.append(compile_filter(text_, names))
        except SpaceError as err:
            raise err.in_file(file) if file else err from None
    for i, exclusion in enumerate(spec.filters.exclude):
        unknown = [k for k in exclusion if k not in names]
        if unknown:
            raise SpaceError(
                f"unknown axis {unknown[0]!r}",
                file=file,
                field=f"filters.exclude[{i}]",
                value=exclusion,
                fix=f"use axis names: {', '.join(names)}",
            )
    pareto = DEFAULT_PARETO
    if spec.pareto is not None:
        try:
            pareto = parse_objectives(spec.pareto)
        except ValueError as err:
            raise SpaceError(
                str(err),
                file=file,
                field="pareto",
                value=spec.pareto,
                fix="name result columns with min or max, e.g. {capacity_gb: max, cost_usd: min}",
            ) from None
        if len(pareto) < 1:
            raise SpaceError(
                "no Pareto objective", file=file, field="pareto", fix="name at least one column"
            )
    return Space(
        name=spec.name,
        base=base,
        axes=axes,
        file=file,
        base_file=base_file,
        description=spec.description,
        sample=spec.sample,
        keep_if=tuple(spec.filters.keep_if),
        exclude=tuple(spec.filters.exclude),
        pareto=pareto,
        _predicates=tuple(predicates),
    )


def _base(base: str | dict[str, Any], file: str | None) -> tuple[dict[str, Any], str | None]:
    if isinstance(base, dict):
        return base, file
    anchor = Path(file).parent if file else Path.cwd()
    path = (anchor / base).resolve()
    if not path.exists():
        raise SpaceError(
            "the base design file does not exist",
            file=file,
            field="base",
            value=base,
            fix=f"give a design file path relative to the space file (looked for {path})",
        )
    data = _parse(read_text(path, kind="design file", max_bytes=MAX_YAML_BYTES), str(path))
    if not isinstance(data, dict):
        raise SpaceError("the base design is not a mapping", file=file, field="base", value=base)
    return data, str(path)


def load_space(path: str | Path) -> Space:
    """Read and check a space file."""
    text = read_text(path, kind="space file", error=SpaceError, max_bytes=MAX_YAML_BYTES)
    return space_from_text(text, file=str(path))


# --- points -------------------------------------------------------------------------------


def _combinations(space: Space) -> list[tuple[int, ...]]:
    sizes = [len(a.labels) for a in space.axes]
    if space.sample is None:
        return list(itertools.product(*(range(s) for s in sizes)))
    n, seed = space.sample.n, space.sample.seed
    total = math.prod(sizes)
    if space.sample.method == "random":
        rng = np.random.default_rng(seed)
        flat = np.sort(rng.choice(total, size=min(n, total), replace=False))
        return [tuple(int(i) for i in np.unravel_index(f, sizes)) for f in flat]
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(sizes), seed=seed).random(n)
    picks = np.minimum((unit * np.array(sizes)).astype(int), np.array(sizes) - 1)
    # Duplicates happen when n exceeds an axis's size; keep the first of each, in order.
    seen: dict[tuple[int, ...], None] = {}
    for row in picks:
        seen.setdefault(tuple(int(i) for i in row), None)
    return sorted(seen)


def expand_points(space: Space) -> tuple[Point, ...]:
    """Every point of the space (grid or sample) that passes the filters, in a stable order."""
    points = []
    for combo in _combinations(space):
        values = {a.name: a.labels[i] for a, i in zip(space.axes, combo, strict=True)}
        if not all(keep(values) for keep in space._predicates):
            continue
        if any(matches_exclusion(values, ex) for ex in space.exclude):
            continue
        pairs = [pair for a, i in zip(space.axes, combo, strict=True) for pair in a.assignments[i]]
        index = int(np.ravel_multi_index(combo, [len(a.labels) for a in space.axes]))
        points.append(Point(index=index, values=values, design=set_paths(space.base, pairs)))
    return tuple(points)


# libyaml, when there, is ~10x faster: it matters when every point of a big space is loaded.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def design_text(point: Point) -> str:
    """The point's design as design-file YAML text."""
    return yaml.dump(point.design, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def check_points(space: Space, points: Sequence[Point], load: DesignLoader) -> list[Any]:
    """Load every point's design before any solve; the first bad one raises SpaceError.

    Returns the loaded designs, in the order of ``points``.
    """
    if not points:
        raise SpaceError(
            "the filters leave no point to solve",
            file=space.file,
            field="filters",
            value=list(space.keep_if) + list(space.exclude),
            fix="loosen the filters or add values to the axes",
        )
    loaded = []
    for point in points:
        try:
            loaded.append(load(design_text(point), file=space.base_file))
        except (LayoutOptError, ValueError, TypeError, KeyError) as err:
            raise SpaceError(
                f"the design at point {_describe(point.values)} does not load: {err}",
                file=space.file,
                field=_culprit(space, point.values, err),
                value=None,
                fix="change the axis values so every point is a valid design (e.g. '0.6 mm')",
            ) from None
    return loaded


def _describe(values: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}={v!r}" for k, v in values.items()) + "}"


def _culprit(space: Space, values: Mapping[str, Any], err: Exception) -> str:
    """The axis whose path the loader's error names, when it names one."""
    field_name = getattr(err, "field", None) or str(err)
    for axis in space.axes:
        for pairs in axis.assignments:
            for path, _ in pairs:
                if path in field_name:
                    return f"axes[{axis.name}] ({path} = {values[axis.name]!r})"
    return "axes"
