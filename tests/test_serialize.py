"""``to_data``: the one converter every written file goes through."""

from __future__ import annotations

import dataclasses
import enum

from shapely.geometry import box

from layoutopt.serialize import from_data, to_data


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


@dataclasses.dataclass(frozen=True)
class Inner:
    level: Level
    tags: frozenset[str]


@dataclasses.dataclass(frozen=True)
class Outer:
    name: str
    colour: Colour
    inner: tuple[Inner, ...]
    ratio: float | None = None


def test_enums_that_are_strings_or_integers_become_their_values() -> None:
    data = to_data(Outer("a", Colour.RED, (Inner(Level.HIGH, frozenset({"y", "x"})),), 0.5))
    assert data == {
        "name": "a",
        "colour": "red",
        "inner": [{"level": 3, "tags": ["x", "y"]}],
        "ratio": 0.5,
    }
    assert type(data["colour"]) is str and type(data["inner"][0]["level"]) is int


def test_round_trip_and_what_is_not_a_value() -> None:
    value = Outer("b", Colour.RED, (), None)
    assert from_data(Outer, to_data(value)) == value
    assert to_data(Outer) is Outer  # a dataclass type is not a value to convert
    assert to_data({1: (2, 3)}) == {"1": [2, 3]}
    assert to_data(box(0, 0, 2, 1))["shell"] == [[2, 0], [2, 1], [0, 1], [0, 0]]
