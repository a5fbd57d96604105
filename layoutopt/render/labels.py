"""Label placement: every text of a drawing readable, none on another.

Views place their labels where they mean most (inside a die, beside a dimension line, in a
callout column); :func:`declutter` is the last pass over a whole drawing. It keeps the
texts in drawing order, and a text whose box meets one already kept moves to the nearest
free spot on rings of candidate offsets around where it was, with a thin leader line back
when it moved further than its own height. :func:`overlapping_texts` is the check the tests
run on every shipped design's sheet.

Boxes come from :func:`~layoutopt.render.canvas.text_box` (DejaVu Sans advances, the font
the PDF and PNG are drawn with).

Examples
--------
>>> from layoutopt.render.canvas import Group, Text
>>> items = (Text(10, 20, "first", 10.0), Text(12, 21, "second", 10.0))
>>> overlapping_texts(items)
[('first', 'second')]
>>> overlapping_texts(declutter(items))
[]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from layoutopt.render.canvas import (
    TEXT_ASCENT_EM,
    TEXT_DESCENT_EM,
    Ellipse,
    Group,
    Item,
    Line,
    Text,
    text_box,
)

__all__ = [
    "Box4",
    "Callout",
    "boxes_overlap",
    "declutter",
    "overlapping_texts",
    "place_callouts",
    "walk_texts",
]

Box4 = tuple[float, float, float, float]  # x0, y0, x1, y1 in sheet pixels
_GAP_PX = 1.0  # texts closer than this read as one
_CELL_PX = 64.0  # spatial index cell
_LEADER = "#555555"


def boxes_overlap(a: Box4, b: Box4, gap: float = 0.0) -> bool:
    """True when the boxes come closer than ``gap`` (touching counts only when gap > 0).

    >>> boxes_overlap((0, 0, 10, 10), (10, 0, 20, 10)), boxes_overlap((0, 0, 10, 10), (9, 9, 12, 12))
    (False, True)
    """
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


@dataclass(frozen=True)
class _Found:
    path: tuple[int, ...]  # indices from the root down to the text
    text: Text
    ox: float  # offset of the text's group on the sheet
    oy: float


def walk_texts(
    items: Iterable[Item], ox: float = 0.0, oy: float = 0.0, path: tuple[int, ...] = ()
) -> Iterator[_Found]:
    """Every text in drawing order, with where its group sits on the sheet."""
    for i, item in enumerate(items):
        if isinstance(item, Group):
            yield from walk_texts(item.items, ox + item.dx, oy + item.dy, (*path, i))
        elif isinstance(item, Text) and item.text.strip():
            yield _Found((*path, i), item, ox, oy)


class _Index:
    """Kept boxes in a uniform grid, so a sheet of a few hundred labels checks in ms."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Box4]] = {}

    def _keys(self, b: Box4) -> Iterator[tuple[int, int]]:
        for i in range(math.floor(b[0] / _CELL_PX), math.floor(b[2] / _CELL_PX) + 1):
            for j in range(math.floor(b[1] / _CELL_PX), math.floor(b[3] / _CELL_PX) + 1):
                yield i, j

    def hits(self, b: Box4, gap: float) -> bool:
        return any(
            boxes_overlap(b, other, gap)
            for key in self._keys(b)
            for other in self.cells.get(key, ())
        )

    def add(self, b: Box4) -> None:
        for key in self._keys(b):
            self.cells.setdefault(key, []).append(b)


def overlapping_texts(items: Iterable[Item], gap: float = 0.0) -> list[tuple[str, str]]:
    """Pairs of texts (in drawing order) whose boxes overlap: the test of a clean sheet."""
    found = [(f.text.text, text_box(f.text, f.ox, f.oy)) for f in walk_texts(items)]
    pairs = []
    for i, (name_a, a) in enumerate(found):
        for name_b, b in found[i + 1 :]:
            if boxes_overlap(a, b, gap):
                pairs.append((name_a, name_b))
    return pairs


def _offsets(size: float, max_radius: float) -> Iterator[tuple[float, float]]:
    """Candidate moves, nearest first: rings of eight directions, then finer angles."""
    step = max(size * 0.6, 3.0)
    r = step
    while r <= max_radius:
        count = 8 if r <= 2 * step else 16
        for k in range(count):
            angle = 2 * math.pi * k / count
            yield (round(r * math.cos(angle), 2), round(-r * math.sin(angle), 2))
        r += step


def declutter(
    items: Sequence[Item],
    obstacles: Sequence[Box4] = (),
    *,
    max_radius: float = 90.0,
    bounds: Box4 | None = None,
) -> tuple[Item, ...]:
    """The items with every text moved off the texts before it (and off ``obstacles``).

    Texts whose class includes ``pinned`` stay where they are and are kept first.

    A text that finds no free spot within ``max_radius`` stays where it was (the check in
    the tests then names it). ``bounds`` keeps moved texts on the sheet.
    """
    index = _Index()
    for b in obstacles:
        index.add(b)
    moves: dict[tuple[int, ...], tuple[Text, Line | None]] = {}
    found_all = list(walk_texts(items))
    # Pinned texts (table cells, symbol letters, titles) never move: they go in first.
    for found in found_all:
        if "pinned" in found.text.css_class.split():
            index.add(text_box(found.text, found.ox, found.oy))
    for found in found_all:
        if "pinned" in found.text.css_class.split():
            continue
        box = text_box(found.text, found.ox, found.oy)
        if not index.hits(box, _GAP_PX):
            index.add(box)
            continue
        for dx, dy in _offsets(found.text.size, max_radius):
            moved = (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
            if bounds is not None and not (
                bounds[0] <= moved[0]
                and moved[2] <= bounds[2]
                and bounds[1] <= moved[1]
                and moved[3] <= bounds[3]
            ):
                continue
            if index.hits(moved, _GAP_PX):
                continue
            index.add(moved)
            text = replace(found.text, x=found.text.x + dx, y=found.text.y + dy)
            leader = None
            if math.hypot(dx, dy) > found.text.size * 1.2:
                leader = _leader(found, box, moved)
            moves[found.path] = (text, leader)
            break
        else:
            index.add(box)
    return _rebuild(items, moves, ())


def _leader(found: _Found, old: Box4, new: Box4) -> Line:
    """A thin line from where the label was to the nearest point of where it went."""
    x0, y0 = (old[0] + old[2]) / 2, (old[1] + old[3]) / 2
    x1, y1 = min(max(x0, new[0]), new[2]), min(max(y0, new[1]), new[3])
    # In the coordinates of the text's own group.
    return Line(
        x0 - found.ox,
        y0 - found.oy,
        x1 - found.ox,
        y1 - found.oy,
        _LEADER,
        0.5,
        css_class="leader",
    )


def _rebuild(
    items: Sequence[Item],
    moves: dict[tuple[int, ...], tuple[Text, Line | None]],
    path: tuple[int, ...],
) -> tuple[Item, ...]:
    if not moves:
        return tuple(items)
    out: list[Item] = []
    leaders: list[Item] = []
    for i, item in enumerate(items):
        here = (*path, i)
        if isinstance(item, Group):
            if any(key[: len(here)] == here for key in moves):
                item = replace(item, items=_rebuild(item.items, moves, here))
            out.append(item)
        elif here in moves:
            text, leader = moves[here]
            out.append(text)
            if leader is not None:
                leaders.append(leader)
        else:
            out.append(item)
    return (*out, *leaders)


@dataclass(frozen=True)
class Callout:
    """A label that does not fit on its feature: written beside it with a leader line.

    ``feature`` is the box of the thing labelled (the label goes outside it); the leader
    ends in a dot at ``target`` (a point inside the feature).
    """

    text: str
    target: tuple[float, float]
    feature: Box4
    size: float
    weight: str = "normal"
    css_class: str = "callout"


def _centred(text: str, cx: float, cy: float, size: float, weight: str) -> tuple[Text, Box4]:
    """A middle-anchored text whose box is centred on (cx, cy)."""
    baseline = cy + (TEXT_ASCENT_EM - TEXT_DESCENT_EM) * size / 2
    item = Text(cx, baseline, text, size, "middle", weight=weight)
    return item, text_box(item)


def place_callouts(
    callouts: Sequence[Callout],
    taken: Sequence[Box4] = (),
    avoid: Sequence[Box4] = (),
    bounds: Box4 | None = None,
    max_radius: float = 140.0,
) -> tuple[tuple[Item, ...], tuple[Box4, ...]]:
    """Texts and leaders of the callouts, and the boxes they took.

    Each callout goes to the nearest spot around its feature (rings of 16 directions) that
    meets no box in ``taken`` (other labels: never) and, if one exists, none in ``avoid``
    (other parts: rather not); callouts are placed in the order given.
    """
    hard, soft = _Index(), _Index()
    for b in taken:
        hard.add(b)
    for b in avoid:
        soft.add(b)
    items: list[Item] = []
    placed: list[Box4] = []
    for c in callouts:
        fx0, fy0, fx1, fy1 = c.feature
        cx, cy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
        _, probe_box = _centred(c.text, 0.0, 0.0, c.size, c.weight)
        half_w, half_h = (probe_box[2] - probe_box[0]) / 2, (probe_box[3] - probe_box[1]) / 2
        best: tuple[Text, Box4] | None = None
        fallback: tuple[Text, Box4] | None = None
        r = 3.0
        while r <= max_radius and best is None:
            for k in range(16):
                angle = 2 * math.pi * k / 16
                ux, uy = math.cos(angle), -math.sin(angle)
                # Just outside the feature in this direction, then r further.
                reach_x = (fx1 - fx0) / 2 + half_w + r
                reach_y = (fy1 - fy0) / 2 + half_h + r
                scale = min(reach_x / max(abs(ux), 1e-9), reach_y / max(abs(uy), 1e-9))
                text, box = _centred(c.text, cx + ux * scale, cy + uy * scale, c.size, c.weight)
                if bounds is not None and not (
                    bounds[0] <= box[0]
                    and box[2] <= bounds[2]
                    and bounds[1] <= box[1]
                    and box[3] <= bounds[3]
                ):
                    continue
                if hard.hits(box, _GAP_PX):
                    continue
                if not soft.hits(box, 0.0):
                    best = (text, box)
                    break
                if fallback is None:
                    fallback = (text, box)
            r += max(c.size * 0.8, 4.0)
        chosen = best or fallback
        if chosen is None:  # no room at all: on the feature, the declutter pass decides
            chosen = _centred(c.text, cx, cy, c.size, c.weight)
        text, box = chosen
        hard.add(box)
        placed.append(box)
        tx = min(max(c.target[0], box[0]), box[2])
        ty = min(max(c.target[1], box[1]), box[3])
        items.append(replace(text, css_class=c.css_class))
        items.append(Line(tx, ty, c.target[0], c.target[1], _LEADER, 0.5, css_class="leader"))
        items.append(Ellipse(c.target[0], c.target[1], 1.2, 1.2, fill=_LEADER))
    return tuple(items), tuple(placed)
