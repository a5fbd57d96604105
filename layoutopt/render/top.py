"""The top view: package outline drawing with dies, stacks, finger rings and dimensions."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import Polygon

from layoutopt.model import BondType, Design, Edge, Layout, Placement, Rect
from layoutopt.render.annotate import (
    dimension_h,
    dimension_v,
    legend,
    mm_text,
    north_arrow,
    scale_bar,
)
from layoutopt.render.canvas import (
    Box,
    Drawing,
    Group,
    Item,
    Line,
    Poly,
    Text,
    text_width_px,
    to_svg_document,
)
from layoutopt.render.geometry import ViewTransform, finger_rings, ordered_placements, stack_box
from layoutopt.render.style import KIND_FILL, LAYER_FILL, OUTLINE, TEXT_PX

__all__ = ["TopView", "build_top_view", "to_svg_top"]

UPPER_TIER_OPACITY = 0.55
_MAX_POSITION_DIMS = 4  # more ordinate dimensions than this clutter the drawing


@dataclass(frozen=True)
class TopView:
    """A built top view: its group (local pixels from 0, 0), size and transform."""

    group: Group
    width: float
    height: float
    transform: ViewTransform


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


def _rect_box(t: ViewTransform, r: Rect, **paint: object) -> Box:
    return Box(t.x(r.x_um), t.y(r.y_max_um), t.length(r.width_um), t.length(r.length_um), **paint)  # type: ignore[arg-type]


def _pad_edge_lines(t: ViewTransform, p: Placement, edges: frozenset[Edge]) -> list[Item]:
    """A heavy line just inside each pad edge: where the wires leave the die."""
    inset = 2.0
    x0, x1 = t.x(p.x_um), t.x(p.x_um + p.width_um)
    y0, y1 = t.y(p.y_um + p.length_um), t.y(p.y_um)  # y0 is the north edge on the sheet
    lines = {
        Edge.WEST: (x0 + inset, y0 + inset, x0 + inset, y1 - inset),
        Edge.EAST: (x1 - inset, y0 + inset, x1 - inset, y1 - inset),
        Edge.NORTH: (x0 + inset, y0 + inset, x1 - inset, y0 + inset),
        Edge.SOUTH: (x0 + inset, y1 - inset, x1 - inset, y1 - inset),
    }
    return [
        Line(
            *lines[e],
            stroke="#333333",
            stroke_width=2.0,
            dash=(3.0, 1.5),
            css_class=f"pad-edge pad-{e.value}",
        )
        for e in sorted(edges, key=lambda e: e.value)
    ]


def _stack_labels(
    design: Design, stack: tuple[Placement, ...], t: ViewTransform
) -> dict[str, list[Text]]:
    """Labels of a stack's dies, listed top tier first inside the top die's area."""
    top = stack[-1]
    w = t.length(top.width_um) - 4
    h = t.length(top.length_um) - 4
    cx = t.x(top.x_um + top.width_um / 2)
    cy = t.y(top.y_um + top.length_um / 2)
    multi = len(stack) > 1
    lines: list[tuple[str, str, str]] = []  # (die id, full text, short text)
    for p in reversed(stack):
        die = design.die(p.die_id)
        prefix = f"t{p.tier} " if multi else ""
        side = " (bottom)" if p.side == "bottom" else ""
        lines.append((p.die_id, f"{prefix}{p.die_id} {die.part}{side}", f"{prefix}{p.die_id}"))
    size = TEXT_PX["label"]
    while size > 5.0:
        fits_full = max(text_width_px(full, size) for _, full, _ in lines) <= w
        fits_short = max(text_width_px(short, size) for _, _, short in lines) <= w
        if len(lines) * (size + 2) <= h and (fits_full or fits_short):
            break
        size -= 0.5
    use_full = max(text_width_px(full, size) for _, full, _ in lines) <= w
    # A single die gets id and part on two lines when one line does not fit.
    two_line = (
        not multi
        and not use_full
        and text_width_px(stack[0].die_id, size) <= w
        and text_width_px(design.die(stack[0].die_id).part, size * 0.85) <= w
        and 2 * (size + 2) <= h
    )
    out: dict[str, list[Text]] = {}
    if two_line:
        p = stack[0]
        out[p.die_id] = [
            Text(cx, cy - 1, p.die_id, size, "middle", weight="bold", css_class="die-id"),
            Text(
                cx,
                cy + size,
                design.die(p.die_id).part,
                size * 0.85,
                "middle",
                css_class="die-part",
            ),
        ]
        return out
    line_h = size + 2
    y = cy - (len(lines) - 1) * line_h / 2 + size * 0.35
    for die_id, full, short in lines:
        text = full if use_full else short
        out[die_id] = [
            Text(
                cx,
                y,
                text,
                size,
                "middle",
                weight="bold" if not multi else "normal",
                css_class="die-label",
            )
        ]
        y += line_h
    return out


def _die_group(design: Design, p: Placement, t: ViewTransform, labels: list[Text]) -> Group:
    die = design.die(p.die_id)
    bottom = p.side == "bottom"
    fill = KIND_FILL[die.kind]
    if bottom:
        body = _rect_box(
            t,
            p.rect,
            fill="none",
            stroke=fill,
            stroke_width=1.5,
            dash=(5.0, 3.0),
            css_class="die-body",
        )
    else:
        body = _rect_box(
            t,
            p.rect,
            fill=fill,
            stroke=OUTLINE,
            stroke_width=0.8 if p.tier else 1.0,
            opacity=UPPER_TIER_OPACITY if p.tier else 1.0,
            css_class="die-body",
        )
    items: list[Item] = [body]
    if die.bond in (BondType.WIRE_BOND, BondType.VERTICAL_WIRE) and not bottom:
        items += _pad_edge_lines(t, p, die.pad_edges_at(p.rotation_deg))
    items += labels
    css = f"die kind-{die.kind.value} stack-{p.stack} tier-{p.tier} side-{p.side}"
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
    )
    return Group(tuple(items), id=f"die-{p.die_id}", css_class=css, data=data, title=title)


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
    stacks = layout.stacks()
    key = sorted(
        (s for s in stacks.values() if s[0].side == "top"),
        key=lambda s: (-stack_box(s).area_um2, s[0].stack),
    )[: _MAX_POSITION_DIMS if dimensions else 0]
    row = 18.0
    left = 60.0 if dimensions else 20.0
    top = 34.0 + (len(key) * row if dimensions else 0.0)
    right = 30.0 + (len(key) * row + 10 if dimensions else 0.0)
    bottom = 62.0 if dimensions else 20.0
    px_per_mm = min(max_width_px / ((x1 - x0) / 1000), max_height_px / ((y1 - y0) / 1000))
    px_per_mm = math.floor(px_per_mm * 4) / 4  # a round scale reads better
    t = ViewTransform(x0, y1, px_per_mm, left, top)
    width = left + t.length(x1 - x0) + right
    height = top + t.length(y1 - y0) + bottom
    items: list[Item] = []
    env = design.envelope
    pkg = layout.package

    # Envelope, height zones and keep-outs: context, drawn first and dashed.
    if show_envelope:
        items.append(
            Group(
                (
                    Poly(
                        _poly_points(t, env.outline),
                        fill="none",
                        stroke=LAYER_FILL["outline"],
                        stroke_width=1.0,
                        dash=(8.0, 4.0),
                    ),
                ),
                id="envelope",
                css_class="envelope",
                title="design envelope outline",
            )
        )
    for i, zone in enumerate(env.height_zones):
        name = zone.name or f"zone {i}"
        pts = _poly_points(t, zone.region)
        items.append(
            Group(
                (
                    Poly(
                        pts,
                        fill="#ff7f0e",
                        opacity=0.08,
                        stroke="#ff7f0e",
                        stroke_width=0.8,
                        dash=(6.0, 2.0, 1.0, 2.0),
                    ),
                    Text(
                        min(p[0] for p in pts) + 3,
                        min(p[1] for p in pts) + 11,
                        f"{name}: ≤ {mm_text(zone.max_thickness_um)}",
                        TEXT_PX["small"],
                        fill="#b35900",
                    ),
                ),
                id=f"height-zone-{i}",
                css_class="height-zone",
            )
        )
    for i, keepout in enumerate(env.keepouts):
        name = env.keepout_names[i] if i < len(env.keepout_names) else f"keep-out {i}"
        pts = _poly_points(t, keepout)
        items.append(
            Group(
                (
                    Poly(
                        pts,
                        fill=LAYER_FILL["keepout"],
                        opacity=0.12,
                        stroke=LAYER_FILL["keepout"],
                        stroke_width=1.0,
                        dash=(4.0, 3.0),
                    ),
                    Text(
                        min(p[0] for p in pts) + 3,
                        min(p[1] for p in pts) + 11,
                        name,
                        TEXT_PX["small"],
                        fill=LAYER_FILL["keepout"],
                    ),
                ),
                id=f"keepout-{i}",
                css_class="keepout",
                title=f"keep-out: {name}",
            )
        )

    # Package outline and the die-edge keep-out inside it.
    pkg_items: list[Item] = [_rect_box(t, pkg, fill="#ffffff", stroke=OUTLINE, stroke_width=2.0)]
    keep = design.rules.die_edge_keepout_um
    if keep and 2 * keep < min(pkg.width_um, pkg.length_um):
        inner = pkg.expanded(-keep, -keep, -keep, -keep)
        pkg_items.append(
            _rect_box(
                t,
                inner,
                stroke="#888888",
                stroke_width=0.5,
                dash=(2.0, 2.0),
                css_class="die-edge-keepout",
            )
        )
    items.append(
        Group(
            tuple(pkg_items),
            id="package",
            css_class="package",
            data=(("width-um", str(pkg.width_um)), ("length-um", str(pkg.length_um))),
            title=f"package {mm_text(pkg.width_um)} x {mm_text(pkg.length_um)}",
        )
    )

    # Finger rings under the dies, then the dies bottom side first, lower tiers first.
    ring_items: list[Item] = [
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
    if ring_items:
        items.append(Group(tuple(ring_items), id="finger-rings", css_class="finger-rings"))
    labels: dict[str, list[Text]] = {}
    for stack in stacks.values():
        labels.update(_stack_labels(design, stack, t))
    die_items = [_die_group(design, p, t, labels[p.die_id]) for p in ordered_placements(layout)]
    # Labels of lower tiers must not hide under the translucent upper dies: move them last.
    bodies = tuple(
        Group(
            tuple(i for i in g.items if not isinstance(i, Text)),
            id=g.id,
            css_class=g.css_class,
            data=g.data,
            title=g.title,
        )
        for g in die_items
    )
    texts = tuple(
        Text(
            i.x,
            i.y,
            i.text,
            i.size,
            i.anchor,
            i.fill,
            i.weight,
            i.rotate_deg,
            f"{i.css_class} label-of-{g.id}",
        )
        for g in die_items
        for i in g.items
        if isinstance(i, Text)
    )
    items.append(Group(bodies, id="dies", css_class="dies"))
    items.append(Group(texts, id="die-labels", css_class="die-labels"))

    # Dimensions: overall size, and the position of the largest stacks from the origin.
    if dimensions:
        px0, px1 = t.x(pkg.x_um), t.x(pkg.x_max_um)
        py0, py1 = t.y(pkg.y_max_um), t.y(pkg.y_um)  # sheet top, sheet bottom
        view_bottom = t.y(y0)
        view_left = t.x(x0)
        dims: list[Item] = [
            dimension_h(px0, px1, py1, view_bottom + 22, mm_text(pkg.width_um)),
            dimension_v(py0, py1, px0, view_left - 26, mm_text(pkg.length_um)),
        ]
        view_top = t.y(y1)
        view_right = t.x(x1)
        seen_x: set[int] = set()
        seen_y: set[int] = set()
        for i, stack in enumerate(key):
            box = stack_box(stack)
            name = stack[-1].die_id if len(stack) == 1 else f"stack {stack[0].stack}"
            if box.x_um > pkg.x_um and box.x_um not in seen_x:
                seen_x.add(box.x_um)
                dims.append(
                    dimension_h(
                        px0,
                        t.x(box.x_um),
                        t.y(box.y_max_um),
                        view_top - 12 - i * row,
                        f"{mm_text(box.x_um - pkg.x_um)} ({name})",
                    )
                )
            if box.y_um > pkg.y_um and box.y_um not in seen_y:
                seen_y.add(box.y_um)
                dims.append(
                    dimension_v(
                        py1,
                        t.y(box.y_um),
                        t.x(box.x_max_um),
                        view_right + 14 + i * row,
                        f"{mm_text(box.y_um - pkg.y_um)} ({name})",
                    )
                )
        items.append(Group(tuple(dims), id="dimensions", css_class="dimensions"))
        items.append(scale_bar(left, height - 24, px_per_mm))
        items.append(north_arrow(width - 14, 8.0))
    return TopView(
        Group(tuple(items), id="top-view", css_class="view top-view", data=t.data()),
        width,
        height,
        t,
    )


def top_legend_entries(design: Design, layout: Layout) -> list[tuple[str, str, float]]:
    """Legend rows for the kinds present, the rings and the keep-outs."""
    kinds = sorted({design.die(p.die_id).kind for p in layout.placements}, key=lambda k: k.value)
    entries = [(KIND_FILL[k], k.value, 1.0) for k in kinds]
    if any(p.tier for p in layout.placements):
        entries.append((KIND_FILL[kinds[0]], "upper tier (translucent)", UPPER_TIER_OPACITY))
    if finger_rings(design, layout):
        entries.append((LAYER_FILL["ring"], "bond-finger ring", 1.0))
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
            items,
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
