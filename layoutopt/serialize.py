"""Lossless conversion of core values to and from plain JSON data.

One generic converter, driven by the dataclass type hints, serves every core value, so the
layout file and the design embedded in it can never drift from the model.

Examples
--------
>>> from layoutopt.model import Rect
>>> to_data(Rect(0, 0, 10, 5))
{'x_um': 0, 'y_um': 0, 'width_um': 10, 'length_um': 5}
>>> from_data(Rect, {'x_um': 0, 'y_um': 0, 'width_um': 10, 'length_um': 5})
Rect(x_um=0, y_um=0, width_um=10, length_um=5)
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import math
import types
import typing
from functools import cache
from typing import Any, TypeVar

from shapely.geometry import Polygon

__all__ = ["DataError", "from_data", "polygon_from_data", "polygon_to_data", "to_data"]

T = TypeVar("T")


def polygon_to_data(polygon: Polygon) -> dict[str, Any]:
    """A polygon as ``{"shell": [[x, y], ...], "holes": [...]}`` (µm, closing point dropped)."""

    def ring(coords: Any) -> list[list[float]]:
        points = [[_number(x), _number(y)] for x, y in list(coords)[:-1]]
        return points

    return {
        "shell": ring(polygon.exterior.coords),
        "holes": [ring(interior.coords) for interior in polygon.interiors],
    }


def polygon_from_data(data: dict[str, Any]) -> Polygon:
    return _convert(Polygon, data, "")  # type: ignore[no-any-return]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


# Values written as they are: the exact types, so enums (which subclass int and str) still
# become their values below.
_PLAIN = frozenset({int, float, str, bool, type(None)})


@cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type, or None for any other type (looked up once per
    type: ``dataclasses.fields`` per value was a third of writing a 5,000-die layout)."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls))


def to_data(value: Any) -> Any:
    """Plain JSON-able data for a core value (dataclasses, enums, polygons, tuples)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    names = _field_names(kind)
    if names is not None:
        return {name: to_data(getattr(value, name)) for name in names}
    if isinstance(value, Polygon):
        return polygon_to_data(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(to_data(v) for v in value)
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


class DataError(ValueError):
    """Data that does not fit the type it should become; ``path`` is the dotted field.

    >>> from layoutopt.model import Rect
    >>> try:
    ...     from_data(Rect, {"x_um": 0, "y_um": None, "width_um": 10, "length_um": 5})
    ... except DataError as err:
    ...     print(err.path, "|", err.message)
    y_um | expected an integer, not null
    """

    def __init__(self, path: str, message: str, value: Any = None) -> None:
        super().__init__(f"{path or '(top level)'}: {message}")
        self.path = path
        self.message = message
        self.value = value


def from_data(cls: type[T], data: Any, *, path: str = "") -> T:
    """Rebuild a core value of type ``cls`` from :func:`to_data` output.

    Strict: every value must have the type the model declares (an integer where the model
    has ``int``, a finite number where it has ``float``, a string where it has ``str``,
    a member of an enum, a list for a tuple); unknown and missing keys are errors.

    Raises
    ------
    DataError
        Naming the dotted path of the first offending value (``path`` prefixes it).
    """
    return _convert(cls, data, path)  # type: ignore[no-any-return]


_JSON_NAMES = {type(None): "null", bool: "true/false", str: "a string", list: "a list"}


def _kind(data: Any) -> str:
    if isinstance(data, float) and not math.isfinite(data):
        return repr(data)
    return _JSON_NAMES.get(type(data), "a number" if isinstance(data, int | float) else "a mapping")


def _join(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)


_MAX_INT = 2**53


def _scalar(tp: Any, data: Any, path: str) -> Any:
    if tp is bool:
        if not isinstance(data, bool):
            raise DataError(path, f"expected true or false, not {_kind(data)}", data)
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise DataError(path, f"expected an integer, not {_kind(data)}", data)
        if abs(data) > _MAX_INT:
            raise DataError(path, f"integer beyond ±2**53 (JSON's exact range): {data}", None)
        return data
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise DataError(path, f"expected a number, not {_kind(data)}", data)
        if not math.isfinite(data):
            raise DataError(path, f"expected a finite number, not {data!r}", data)
        return float(data)
    if tp is str:
        if not isinstance(data, str):
            raise DataError(path, f"expected a string, not {_kind(data)}", data)
        return data
    return data


def _sequence(data: Any, path: str) -> list[Any]:
    if not isinstance(data, list | tuple):
        raise DataError(path, f"expected a list, not {_kind(data)}", data)
    return list(data)


def _ring(data: Any, path: str) -> list[tuple[float, float]]:
    points = _sequence(data, path)
    if len(points) < 3:
        raise DataError(path, f"a polygon ring needs at least 3 points, not {len(points)}", None)
    return [_convert(tuple[float, float], p, _join(path, i)) for i, p in enumerate(points)]


def _polygon(data: Any, path: str) -> Polygon:
    if not isinstance(data, dict) or "shell" not in data or set(data) - {"shell", "holes"}:
        raise DataError(path, 'expected {"shell": [[x, y], ...], "holes": [...]}', None)
    holes = _sequence(data.get("holes", []), _join(path, "holes"))
    return Polygon(
        _ring(data["shell"], _join(path, "shell")),
        [_ring(h, _join(_join(path, "holes"), k)) for k, h in enumerate(holes)],
    )


def _dataclass(tp: type, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise DataError(path, f"expected a mapping, not {_kind(data)}", None)
    hints = _hints(tp)
    known = {f.name: f for f in dataclasses.fields(tp)}
    for key in data:
        if key not in known:
            near = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise DataError(_join(path, str(key)), f"unknown key{hint}", None)
    kwargs = {}
    for name, f in known.items():
        if name in data:
            kwargs[name] = _convert(hints[name], data[name], _join(path, name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise DataError(_join(path, name), "missing", None)
    return tp(**kwargs)


def _convert(tp: Any, data: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        non_none = [a for a in args if a is not type(None)]
        return _convert(non_none[0], data, path)
    if origin is tuple:
        items = _sequence(data, path)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, _join(path, i)) for i, v in enumerate(items))
        if len(items) != len(args):
            raise DataError(path, f"expected {len(args)} values, not {len(items)}", None)
        return tuple(
            _convert(a, v, _join(path, i)) for i, (a, v) in enumerate(zip(args, items, strict=True))
        )
    if origin is frozenset:
        items = _sequence(data, path)
        return frozenset(_convert(args[0], v, _join(path, i)) for i, v in enumerate(items))
    if origin is dict:
        if not isinstance(data, dict):
            raise DataError(path, f"expected a mapping, not {_kind(data)}", None)
        return {k: _convert(args[1], v, _join(path, str(k))) for k, v in data.items()}
    if tp is Polygon:
        return _polygon(data, path)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(data)
        except (ValueError, TypeError):
            choices = ", ".join(repr(m.value) for m in tp)  # type: ignore[var-annotated]
            raise DataError(path, f"expected one of {choices}", data) from None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp, data, path)
    return _scalar(tp, data, path)
