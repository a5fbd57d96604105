"""The top view: package outline drawing with dies, stacks, finger rings and dimensions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Polygon

from layoutopt.model import Design, Edge, Layout, Placement, Rect
from layoutopt.render.annotate import (
    dimension_h,
    dimension_v,
    legend,
    mm_text,
    north_arrow,
    scale_bar,
)
from layoutopt.render.bonds import bond_items
from layoutopt.render.canvas import (
    Box,
    Drawing,
    Group,
    Item,
    Line,
    Poly,
    Text,
    fmt,
    text_box,
    text_width_px,
    to_svg_document,
)
from layoutopt.render.geometry import (
    EDGES,
    PAD_BONDS,
    ViewTransform,
    finger_rings,
    is_bottom,
    ordered_placements,
    stack_box,
)
from layoutopt.render.labels import Box4, Callout, declutter, place_callouts
from layoutopt.render.style import DIM, KIND_FILL, LAYER_FILL, MIN_LABEL_PX, OUTLINE, TEXT_PX

__all__ = ["TopView", "build_top_view", "to_svg_top"]

UPPER_TIER_OPACITY = 0.55
_MAX_ORDINATE_STACKS = 8  # stacks whose edges get ordinate dimensions (all are in the table)
_MIN_ORDINATE_AREA_UM2 = 1_000_000  # smaller parts (passives) are located by the table only
_MAX_GAP_DIMS = 6
_ORDINATE_PX = 40.0  # room for the ordinate rows above and right of the view
_HIDDEN = "#333333"  # hidden lines: bottom-side parts seen through the substrate
_RUN_MIN = 3  # this many same-part dies in a row of a stack are written as one line


@dataclass(frozen=True)
class TopView:
    """A built top view: its group (local pixels from 0, 0), size and transform.

    ``label_boxes`` are the boxes of the die labels (local pixels), so a section line
    drawn over the view can leave them clear.
    """

    group: Group
    width: float
    height: float
    transform: ViewTransform
    label_boxes: tuple[Box4, ...] = ()


def _bounds(design: Design, layout: Layout, show_envelope: bool) -> tuple[int, int, int, int]:
    pkg = layout.package
    x0, y0, x1, y1 = pkg.x_um, pkg.y_um, pkg.x_max_um, pkg.y_max_um
    if show_envelope:
        ex0, ey0, ex1, ey1 = design.envelope.outline.bounds
        x0, y0 = min(x0, math.floor(ex0)), min(y0, math.floor(ey0))
        x1, y1 = max(x1, math.ceil(ex1)), max(y1, math.ceil(ey1))
    for p in layout.placements:
        x0, y0 = min(x0, p.x_um), min(y0, p.y_um)
        x1, y1 = max(x1, p.x_um + p.width_um), max(y1, p.y_um + p.length_um)
    return x0, y0, x1, y1


def _poly_points(t: ViewTransform, polygon: Polygon) -> tuple[tuple[float, float], ...]:
    return tuple((t.x(x), t.y(y)) for x, y in list(polygon.exterior.coords)[:-1])


def _rect_box(t: ViewTransform, r: Rect, **paint: Any) -> Box:
    return Box(t.x(r.x_um), t.y(r.y_max_um), t.length(r.width_um), t.length(r.length_um), **paint)


def _rect_px(t: ViewTransform, r: Rect) -> Box4:
    return (t.x(r.x_um), t.y(r.y_max_um), t.x(r.x_max_um), t.y(r.y_um))


def _pad_edge_lines(t: ViewTransform, p: Placement, edges: frozenset[Edge]) -> list[Item]:
    """A heavy line just inside each pad edge: where the wires leave the die."""
    return [
        Line(
            *EDGES[e].segment_px(t, p.rect, 2.0),
            stroke="#333333",
            stroke_width=2.0,
            dash=(3.0, 1.5),
            css_class=f"pad-edge pad-{e.value}",
        )
        for e in sorted(edges, key=lambda e: e.value)
    ]


def die_name(design: Design, die_id: str) -> str:
    """``id part``, or the id alone when the part is the id (a custom die without a part)."""
    part = design.die(die_id).part
    return die_id if part.lower() in ("", die_id.lower()) else f"{die_id} {part}"


def stack_lines(design: Design, stack: tuple[Placement, ...]) -> list[tuple[str, str]]:
    """A stack's label lines, top tier first, as (full, short) text.

    Runs of ``_RUN_MIN`` or more dies of one part are one line ("t1–t12 12 × hbm_core"),
    so a 13-die stack reads in three lines.
    """
    multi = len(stack) > 1
    runs: list[list[Placement]] = []
    for p in reversed(stack):
        if runs and design.die(runs[-1][-1].die_id).part == design.die(p.die_id).part:
            runs[-1].append(p)
        else:
            runs.append([p])
    lines: list[tuple[str, str]] = []
    for run in runs:
        if len(run) >= _RUN_MIN:
            hi, lo = run[0], run[-1]
            tiers = f"t{lo.tier}–t{hi.tier}"
            ids = f"{lo.die_id}…{hi.die_id}"
            part = design.die(hi.die_id).part
            lines.append((f"{tiers} {len(run)} × {part}", f"{tiers} {ids}"))
            continue
        for p in run:
            prefix = f"t{p.tier} " if multi else ""
            lines.append((prefix + die_name(design, p.die_id), prefix + p.die_id))
    turns = [p for p in stack if p.film_over_wire]
    if turns:  # the turn of a staircase (docs/rules.md film_over_wire)
        lines.append((f"turned at t{turns[0].tier} (film over wire)", f"turn t{turns[0].tier}"))
    return lines


def _fit_lines(
    lines: list[str], w: float, h: float, floor: float, bold: bool = False
) -> float | None:
    """The largest size from the label size down to ``floor`` at which the lines fit."""
    size = TEXT_PX["label"]
    while size >= floor:
        widest = max(text_width_px(x, size, bold) for x in lines)
        if len(lines) * (size + 2) <= h and widest <= w:
            return size
        size -= 0.5
    return None


def _stack_labels(
    design: Design, stack: tuple[Placement, ...], t: ViewTransform
) -> tuple[list[Text], Callout | None]:
    """Labels of a stack inside its top die, or one callout when they do not fit there."""
    top = stack[-1]
    w, h = t.length(top.width_um) - 8, t.length(top.length_um) - 4
    cx = t.x(top.x_um + top.width_um / 2)
    cy = t.y(top.y_um + top.length_um / 2)
    pairs = stack_lines(design, stack)
    multi = len(stack) > 1
    choices: list[tuple[list[str], bool]] = [([full for full, _ in pairs], False)]
    if not multi and " " in pairs[0][0]:  # a single die: id and part on two lines
        die_id, part = pairs[0][0].split(" ", 1)
        choices.append(([die_id, part], True))
    choices.append(([short for _, short in pairs], False))
    # Prefer a comfortable size with shorter text over the full text in fine print.
    fitted = [
        (lines, two_line, size)
        for floor in (TEXT_PX["small"], MIN_LABEL_PX)
        for lines, two_line in choices
        if (size := _fit_lines(lines, w, h, floor, bold=not multi)) is not None
    ]
    for lines, two_line, size in fitted[:1]:
        line_h = size + 2
        y = cy - (len(lines) - 1) * line_h / 2 + size * 0.35
        texts = []
        for k, text in enumerate(lines):
            bold = not multi and (k == 0 or not two_line)
            part_line = two_line and k == 1
            texts.append(
                Text(
                    cx,
                    y,
                    text,
                    size * (0.9 if part_line else 1.0),
                    "middle",
                    weight="bold" if bold else "normal",
                    css_class="die-part" if part_line else "die-label",
                )
            )
            y += line_h
        return texts, None
    text = " / ".join(short for _, short in pairs) if multi else top.die_id
    return [], Callout(text, (cx, cy), _rect_px(t, top.rect), TEXT_PX["small"])


def _die_group(design: Design, p: Placement, t: ViewTransform) -> Group:
    die = design.die(p.die_id)
    bottom = is_bottom(p)
    if bottom:  # seen through the substrate: a hidden line, thin and dashed, no fill
        body = _rect_box(
            t,
            p.rect,
            stroke=_HIDDEN,
            stroke_width=0.8,
            dash=(4.0, 2.0),
            css_class="die-body hidden",
        )
    else:
        body = _rect_box(
            t,
            p.rect,
            fill=KIND_FILL[die.kind],
            stroke=OUTLINE,
            stroke_width=0.8 if p.tier else 1.0,
            opacity=UPPER_TIER_OPACITY if p.tier else 1.0,
            css_class="die-body",
        )
    items: list[Item] = [body]
    if die.bond in PAD_BONDS and not bottom:
        items += _pad_edge_lines(t, p, die.pad_edges_at(p.rotation_deg))
    css = f"die kind-{die.kind.value} stack-{p.stack} tier-{p.tier} side-{p.side.value}"
    data = (
        ("part", die.part),
        ("x-um", str(p.x_um)),
        ("y-um", str(p.y_um)),
        ("width-um", str(p.width_um)),
        ("length-um", str(p.length_um)),
        ("rotation-deg", str(p.rotation_deg)),
        ("z-bottom-um", str(p.z_bottom_um)),
        ("thickness-um", str(p.thickness_um)),
    )
    title = (
        f"{p.die_id} ({die.part}, {die.kind.value}) at x={mm_text(p.x_um)}, "
        f"y={mm_text(p.y_um)}, {mm_text(p.width_um)} x {mm_text(p.length_um)}, "
        f"rot {p.rotation_deg}°, stack {p.stack} tier {p.tier}"
        + (", bottom side" if bottom else "")
        + (", turns the staircase on a film-over-wire DAF" if p.film_over_wire else "")
    )
    return Group(tuple(items), id=f"die-{p.die_id}", css_class=css, data=data, title=title)


def _context_items(design: Design, t: ViewTransform, show_envelope: bool) -> list[Item]:
    """Envelope, height zones and keep-outs: context, drawn first and dashed."""
    env = design.envelope
    items: list[Item] = []
    if show_envelope:
        outline = Poly(
            _poly_points(t, env.outline),
            fill="none",
            stroke=LAYER_FILL["outline"],
            stroke_width=1.0,
            dash=(8.0, 4.0),
        )
        items.append(
            Group((outline,), id="envelope", css_class="envelope", title="design envelope outline")
        )
    areas = [
        (
            f"height-zone-{i}",
            "height-zone",
            z.region,
            "#ff7f0e",
            0.08,
            "#b35900",
            f"{z.name or f'zone {i}'}: ≤ {mm_text(z.max_thickness_um)}",
            (6.0, 2.0, 1.0, 2.0),
        )
        for i, z in enumerate(env.height_zones)
    ] + [
        (
            f"keepout-{i}",
            "keepout",
            k,
            LAYER_FILL["keepout"],
            0.12,
            LAYER_FILL["keepout"],
            env.keepout_names[i] if i < len(env.keepout_names) else f"keep-out {i}",
            (4.0, 3.0),
        )
        for i, k in enumerate(env.keepouts)
    ]
    for ident, css, region, colour, opacity, text_colour, name, dash in areas:
        pts = _poly_points(t, region)
        shape = Poly(pts, fill=colour, opacity=opacity, stroke=colour, stroke_width=0.8, dash=dash)
        label = Text(
            min(p[0] for p in pts) + 3,
            min(p[1] for p in pts) + 11,
            name,
            TEXT_PX["small"],
            fill=text_colour,
        )
        items.append(Group((shape, label), id=ident, css_class=css, title=name))
    return items


def _package_items(design: Design, layout: Layout, t: ViewTransform) -> list[Item]:
    """Package outline, the die-edge keep-out inside it, and the finger rings."""
    pkg = layout.package
    items: list[Item] = [_rect_box(t, pkg, fill="#ffffff", stroke=OUTLINE, stroke_width=2.0)]
    keep = design.rules.die_edge_keepout_um
    if keep and 2 * keep < min(pkg.width_um, pkg.length_um):
        inner = pkg.expanded(-keep, -keep, -keep, -keep)
        items.append(
            _rect_box(
                t,
                inner,
                stroke="#888888",
                stroke_width=0.5,
                dash=(2.0, 2.0),
                css_class="die-edge-keepout",
            )
        )
    out: list[Item] = [
        Group(
            tuple(items),
            id="package",
            css_class="package",
            data=(("width-um", str(pkg.width_um)), ("length-um", str(pkg.length_um))),
            title=f"package {mm_text(pkg.width_um)} x {mm_text(pkg.length_um)}",
        )
    ]
    rings: list[Item] = [
        _rect_box(
            t,
            strip,
            fill=LAYER_FILL["ring"],
            stroke="#b8860b",
            stroke_width=0.5,
            css_class=f"ring stack-{number} side-{side.value}",
        )
        for number, side, strip in finger_rings(design, layout)
    ]
    if rings:
        out.append(Group(tuple(rings), id="finger-rings", css_class="finger-rings"))
    return out


def _die_items(
    design: Design, layout: Layout, t: ViewTransform, bounds: Box4
) -> tuple[list[Item], tuple[Box4, ...]]:
    """Dies (top side, lower tiers first), hidden bottom-side parts, and their labels."""
    placements = ordered_placements(layout)
    top_side = [p for p in placements if not is_bottom(p)]
    bottom_side = [p for p in placements if is_bottom(p)]
    texts: list[Item] = []
    callouts: list[Callout] = []
    for stack in layout.stacks().values():
        if any(is_bottom(p) for p in stack):
            top = stack[-1]
            text = f"{top.die_id} (bottom)"
            callouts.append(
                Callout(
                    text,
                    (t.x(top.x_um + top.width_um / 2), t.y(top.y_um + top.length_um / 2)),
                    _rect_px(t, top.rect),
                    TEXT_PX["small"],
                    css_class="callout hidden",
                )
            )
            continue
        inside, callout = _stack_labels(design, stack, t)
        texts += inside
        if callout is not None:
            callouts.append(callout)
    taken = tuple(text_box(x) for x in texts if isinstance(x, Text))
    bodies = tuple(_rect_px(t, p.rect) for p in top_side)
    # Callouts of the smallest parts first: they have the least room.
    callouts.sort(
        key=lambda c: ((c.feature[2] - c.feature[0]) * (c.feature[3] - c.feature[1]), c.text)
    )
    placed, boxes = place_callouts(callouts, taken, bodies, bounds)
    items: list[Item] = [
        Group(tuple(_die_group(design, p, t) for p in top_side), id="dies", css_class="dies"),
    ]
    if bottom_side:  # after the top side: hidden lines show through
        items.append(
            Group(
                tuple(_die_group(design, p, t) for p in bottom_side),
                id="bottom-side",
                css_class="dies bottom-side",
                title="bottom-side parts (hidden lines)",
            )
        )
    items.append(Group((*texts, *placed), id="die-labels", css_class="die-labels"))
    return items, (*taken, *boxes)


def _key_stacks(layout: Layout) -> list[tuple[Placement, ...]]:
    """Top-side stacks large enough to locate by ordinates, largest first."""
    stacks = [
        s
        for s in layout.stacks().values()
        if not any(is_bottom(p) for p in s) and stack_box(s).area_um2 >= _MIN_ORDINATE_AREA_UM2
    ]
    stacks.sort(key=lambda s: (-stack_box(s).area_um2, s[0].stack))
    return stacks[:_MAX_ORDINATE_STACKS]


def _spread(positions: list[float], pitch: float) -> list[float]:
    """Text positions at least ``pitch`` apart, each as near its feature as it can be."""
    out: list[float] = []
    for x in positions:
        out.append(max(x, out[-1] + pitch) if out else x)
    # Pull back what ran past the last feature, so the row stays centred on its features.
    excess = (out[-1] - positions[-1]) / 2 if out else 0.0
    return [x - excess for x in out] if excess > 0 else out


def _ordinates(
    values_um: list[int],
    feature_px: dict[int, float],
    along: str,
    base: float,
    origin_um: int,
    pixel: Any,
) -> list[Item]:
    """Ordinate dimensions from a datum: one row of values with jogged extension lines.

    ``along="x"``: values along the top edge, text read bottom-up; ``"y"``: along the right.
    """
    size = TEXT_PX["small"]
    values = sorted(set(values_um))
    at = [pixel(v) for v in values]
    if along == "y":
        at = at[::-1]
        values = values[::-1]
    pitch = size + 2.5
    text_at = _spread(at, pitch)
    items: list[Item] = []
    for v, a, ta in zip(values, at, text_at, strict=True):
        label = fmt((v - origin_um) / 1000)
        f = feature_px[v]
        if along == "x":
            items += [
                Line(a, f - 3, a, base + 6, DIM, 0.4),
                Line(a, base + 6, ta, base, DIM, 0.4),
                Text(
                    ta + size * 0.35,
                    base - 2,
                    label,
                    size,
                    "start",
                    rotate_deg=90.0,
                    css_class="ordinate",
                ),
            ]
        else:
            items += [
                Line(f + 3, a, base - 6, a, DIM, 0.4),
                Line(base - 6, a, base, ta, DIM, 0.4),
                Text(base + 2, ta + size * 0.35, label, size, "start", css_class="ordinate"),
            ]
    return items


def _datum(x: float, y: float, letter: str, direction: tuple[float, float]) -> Group:
    """A datum feature symbol: filled triangle on the feature, a leader, the boxed letter."""
    dx, dy = direction
    tip = (x, y)
    base_c = (x + dx * 5, y + dy * 5)
    nx, ny = -dy, dx
    tri = Poly(((x + nx * 3.5, y + ny * 3.5), (x - nx * 3.5, y - ny * 3.5), base_c), fill=DIM)
    end = (x + dx * 12, y + dy * 12)
    bx, by = end[0] + dx * 6 - 6, end[1] + dy * 6 - 6
    size = TEXT_PX["label"]
    return Group(
        (
            tri,
            Line(*base_c, *end, DIM, 0.8),
            Box(bx, by, 12, 12, fill="#ffffff", stroke=DIM, stroke_width=0.8),
            Text(
                bx + 6,
                by + 6 + size * 0.36,
                letter,
                size,
                "middle",
                weight="bold",
                css_class="pinned",
            ),
        ),
        id=f"datum-{letter}",
        css_class="datum",
        data=(("at", f"{fmt(tip[0])},{fmt(tip[1])}"),),
    )


def _neighbour_gaps(
    layout: Layout, stacks: list[tuple[Placement, ...]]
) -> list[tuple[str, Rect, Rect]]:
    """The clear gaps between facing stacks ("x" or "y", box a, box b), smallest first."""
    boxes = sorted((stack_box(s) for s in stacks), key=lambda r: (r.x_um, r.y_um))
    found: list[tuple[int, str, Rect, Rect]] = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            for axis in ("x", "y"):
                lo, hi = (
                    (a, b)
                    if (a.x_um if axis == "x" else a.y_um) <= (b.x_um if axis == "x" else b.y_um)
                    else (b, a)
                )
                gap = (hi.x_um - lo.x_max_um) if axis == "x" else (hi.y_um - lo.y_max_um)
                facing = (
                    min(lo.y_max_um, hi.y_max_um) > max(lo.y_um, hi.y_um)
                    if axis == "x"
                    else min(lo.x_max_um, hi.x_max_um) > max(lo.x_um, hi.x_um)
                )
                if gap <= 0 or not facing:
                    continue
                between = any(
                    c not in (lo, hi) and _strip(lo, hi, axis).intersects(c) for c in boxes
                )
                if not between:
                    found.append((gap, axis, lo, hi))
    found.sort(key=lambda g: (g[0], g[1], g[2], g[3]))
    return [(axis, lo, hi) for _, axis, lo, hi in found[:_MAX_GAP_DIMS]]


def _strip(lo: Rect, hi: Rect, axis: str) -> Rect:
    """The clear strip between two facing boxes."""
    if axis == "x":
        y0, y1 = max(lo.y_um, hi.y_um), min(lo.y_max_um, hi.y_max_um)
        return Rect(lo.x_max_um, y0, hi.x_um - lo.x_max_um, y1 - y0)
    x0, x1 = max(lo.x_um, hi.x_um), min(lo.x_max_um, hi.x_max_um)
    return Rect(x0, lo.y_max_um, x1 - x0, hi.y_um - lo.y_max_um)


def _dimension_items(design: Design, layout: Layout, t: ViewTransform, view: Box4) -> list[Item]:
    """Overall size, datums B and C, ordinates of the key stacks, gaps and a ring width."""
    pkg = layout.package
    px0, px1 = t.x(pkg.x_um), t.x(pkg.x_max_um)
    py0, py1 = t.y(pkg.y_max_um), t.y(pkg.y_um)  # sheet top, sheet bottom
    view_left, view_top, view_right, view_bottom = view
    items: list[Item] = [
        dimension_h(px0, px1, py1, view_bottom + 22, mm_text(pkg.width_um)),
        dimension_v(py0, py1, px0, view_left - 26, mm_text(pkg.length_um)),
        _datum(px0, py0 + min(14.0, (py1 - py0) / 4), "B", (-1.0, 0.0)),
        _datum(px0 + min(14.0, (px1 - px0) / 4), py1, "C", (0.0, 1.0)),
    ]
    stacks = _key_stacks(layout)
    xs: dict[int, float] = {pkg.x_um: py0, pkg.x_max_um: py0}
    ys: dict[int, float] = {pkg.y_um: px1, pkg.y_max_um: px1}
    for s in stacks:
        b = stack_box(s)
        for x in (b.x_um, b.x_max_um):
            xs[x] = min(xs.get(x, math.inf), t.y(b.y_max_um))
        for y in (b.y_um, b.y_max_um):
            ys[y] = max(ys.get(y, -math.inf), t.x(b.x_max_um))
    items.append(
        Group(
            tuple(_ordinates(list(xs), xs, "x", view_top - 10, pkg.x_um, t.x)),
            id="ordinates-x",
            css_class="dimensions ordinates",
            title="x from datum B, mm",
        )
    )
    items.append(
        Group(
            tuple(_ordinates(list(ys), ys, "y", view_right + 10, pkg.y_um, t.y)),
            id="ordinates-y",
            css_class="dimensions ordinates",
            title="y from datum C, mm",
        )
    )
    gaps: list[Item] = []
    for axis, lo, hi in _neighbour_gaps(layout, stacks):
        strip = _strip(lo, hi, axis)
        if axis == "x":
            yc = t.y(strip.y_um + strip.length_um / 2)
            gaps.append(
                dimension_h(t.x(lo.x_max_um), t.x(hi.x_um), yc, yc, mm_text(strip.width_um))
            )
        else:
            xc = t.x(strip.x_um + strip.width_um / 2)
            gaps.append(
                dimension_v(t.y(lo.y_max_um), t.y(hi.y_um), xc, xc, mm_text(strip.length_um))
            )
    if gaps:
        items.append(Group(tuple(gaps), id="gap-dimensions", css_class="dimensions gaps"))
    rings = finger_rings(design, layout)
    if rings:
        _, side, strip = rings[0]
        r = _rect_px(t, strip)
        label = f"{mm_text(min(strip.width_um, strip.length_um))} ring"
        if EDGES[side].axis == "x":  # a ring along a west/east edge: its width is in x
            yc = r[1] + (r[3] - r[1]) * 0.8
            ring_dim = dimension_h(r[0], r[2], yc, yc, label)
        else:
            xc = r[0] + (r[2] - r[0]) * 0.8
            ring_dim = dimension_v(r[1], r[3], xc, xc, label)
        items.append(Group((ring_dim,), id="ring-dimension", css_class="dimensions"))
    return items


def build_top_view(
    design: Design,
    layout: Layout,
    max_width_px: float = 640.0,
    max_height_px: float = 560.0,
    show_envelope: bool = True,
    dimensions: bool = True,
) -> TopView:
    """Build the top view as a group of primitives (see :func:`to_svg_top`)."""
    x0, y0, x1, y1 = _bounds(design, layout, show_envelope)
    left = 64.0 if dimensions else 20.0
    top = 30.0 + (_ORDINATE_PX if dimensions else 0.0)
    right = 24.0 + (_ORDINATE_PX if dimensions else 0.0)
    bottom = 62.0 if dimensions else 20.0
    px_per_mm = min(max_width_px / ((x1 - x0) / 1000), max_height_px / ((y1 - y0) / 1000))
    px_per_mm = math.floor(px_per_mm * 4) / 4  # a round scale reads better
    t = ViewTransform(x0, y1, px_per_mm, left, top)
    width = left + t.length(x1 - x0) + right
    height = top + t.length(y1 - y0) + bottom
    view = (t.x(x0), t.y(y1), t.x(x1), t.y(y0))
    items: list[Item] = _context_items(design, t, show_envelope)
    items += _package_items(design, layout, t)
    # Callouts stay inside the dimension lines (overall size left and below, ordinates
    # above and right).
    inner = (
        (view[0] - 18, view[1] - 4, view[2] + 6, view[3] + 14)
        if dimensions
        else (2.0, 2.0, width - 2, height - 2)
    )
    die_items, label_boxes = _die_items(design, layout, t, inner)
    items += die_items
    items += bond_items(design, layout, t)
    if dimensions:
        items += _dimension_items(design, layout, t, view)
        items.append(scale_bar(left, height - 24, px_per_mm))
        items.append(north_arrow(width - 14, 8.0))
    group = Group(tuple(items), id="top-view", css_class="view top-view", data=t.data())
    return TopView(group, width, height, t, label_boxes)


def top_legend_entries(design: Design, layout: Layout) -> list[tuple[str, str, float]]:
    """Legend rows for the kinds present, the rings and the keep-outs."""
    kinds = sorted({design.die(p.die_id).kind for p in layout.placements}, key=lambda k: k.value)
    entries = [(KIND_FILL[k], k.value, 1.0) for k in kinds]
    if any(p.tier for p in layout.placements):
        entries.append((KIND_FILL[kinds[0]], "upper tier (translucent)", UPPER_TIER_OPACITY))
    if finger_rings(design, layout):
        entries.append((LAYER_FILL["ring"], "bond-finger ring", 1.0))
    if any(is_bottom(p) for p in layout.placements):
        entries.append(("#ffffff", "bottom side (hidden line)", 1.0))
    if design.envelope.keepouts:
        entries.append((LAYER_FILL["keepout"], "envelope keep-out", 0.12))
    return entries


def to_svg_top(
    design: Design, layout: Layout, *, show_envelope: bool = True, max_width_px: float = 640.0
) -> str:
    """Top view of ``layout`` as an SVG package outline drawing.

    Package outline with overall dimensions, the envelope outline and its keep-outs
    (dashed), every die as ``<g id="die-ID">`` coloured by kind and labelled with id and
    part, stacks drawn lower tier first with upper tiers translucent (the staircase shows),
    bond-finger rings, ordinate dimensions of the largest stacks, a scale bar and a north
    arrow. Pure: same inputs, same bytes.
    """
    view = build_top_view(design, layout, max_width_px=max_width_px, show_envelope=show_envelope)
    entries = top_legend_entries(design, layout)
    title_h = 26.0
    legend_cols = 3
    legend_h = ((len(entries) + legend_cols - 1) // legend_cols) * 14.5 + 8
    width = max(view.width, 420.0)
    height = title_h + view.height + legend_h
    items: tuple[Item, ...] = (
        Box(0, 0, width, height, fill="#ffffff"),
        Text(
            10,
            18,
            f"TOP VIEW — {design.name} ({design.family.value})",
            TEXT_PX["title"],
            weight="bold",
            css_class="view-title",
        ),
        Group((view.group,), dy=title_h),
        legend(10, title_h + view.height, entries, columns=legend_cols, column_width=150),
    )
    return to_svg_document(
        Drawing(
            width,
            height,
            declutter(items),
            title=f"{design.name} top view",
            description=_describe(design, layout),
        )
    )


def _describe(design: Design, layout: Layout) -> str:
    pkg = layout.package
    return (
        f"layoutopt drawing of {design.name}: package {mm_text(pkg.width_um)} x "
        f"{mm_text(pkg.length_um)} x {mm_text(layout.thickness_um)}, "
        f"{len(layout.placements)} dies. Lengths in the file are sheet pixels; "
        "data-*-um attributes give micrometres."
    )
