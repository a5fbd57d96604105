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
import enum
import types
import typing
from functools import cache
from typing import Any, TypeVar

from shapely.geometry import Polygon

__all__ = ["from_data", "polygon_from_data", "polygon_to_data", "to_data"]

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
    return Polygon(data["shell"], data.get("holes", []))


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def to_data(value: Any) -> Any:
    """Plain JSON-able data for a core value (dataclasses, enums, polygons, tuples)."""
    if isinstance(value, Polygon):
        return polygon_to_data(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
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


def from_data(cls: type[T], data: Any) -> T:
    """Rebuild a core value of type ``cls`` from :func:`to_data` output."""
    return _convert(cls, data)  # type: ignore[no-any-return]


def _convert(tp: Any, data: Any) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        non_none = [a for a in args if a is not type(None)]
        return _convert(non_none[0], data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in data)
        return tuple(_convert(a, v) for a, v in zip(args, data, strict=True))
    if origin is frozenset:
        return frozenset(_convert(args[0], v) for v in data)
    if origin is dict:
        return {k: _convert(args[1], v) for k, v in data.items()}
    if tp is Polygon:
        return polygon_from_data(data)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        kwargs = {
            f.name: _convert(hints[f.name], data[f.name])
            for f in dataclasses.fields(tp)
            if f.name in data
        }
        return tp(**kwargs)
    if tp is float and isinstance(data, int):
        return float(data)
    return data
