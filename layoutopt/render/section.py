"""The cross-section: every layer to scale along a cut line, with the thickness budget."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import box

from layoutopt.model import BondType, Design, Edge, Layout, Placement
from layoutopt.render.annotate import dimension_h, dimension_v, mm_text, table, table_height
from layoutopt.render.canvas import (
    Box,
    Curve,
    Drawing,
    Ellipse,
    Group,
    Item,
    Line,
    Text,
    fmt,
    text_width_px,
    to_svg_document,
)
from layoutopt.render.geometry import (
    finger_rings,
    joint_name,
    nice_step,
    ordered_placements,
    stack_up_of,
    tallest_stack,
)
from layoutopt.render.style import DIM, KIND_FILL, LAYER_FILL, OUTLINE, TEXT_PX

__all__ = [
    "Cut",
    "SectionView",
    "budget_table",
    "build_section_view",
    "default_cut",
    "parse_cut",
    "to_svg_section",
]

# Balls are drawn at this pitch for the picture only: domain_data.md §6 "Ball standoff at
# 0.4 mm pitch" (E). The layout does not place balls.
BALL_PITCH_UM = 400
# The pad row sits this far inside the die edge (picture only; a pad is ~50-80 µm, §2.5 E).
PAD_INSET_UM = 60
_EXAGGERATIONS = (1, 2, 5, 10, 20, 50, 100)


@dataclass(frozen=True)
class Cut:
    """A section line: ``axis="y"`` cuts along y = ``position_um`` (the view shows x);
    ``axis="x"`` cuts along x = ``position_um`` (the view shows y)."""

    axis: str
    position_um: int

    def __post_init__(self) -> None:
        if self.axis not in ("x", "y"):
            raise ValueError(f"cut axis must be 'x' or 'y', not {self.axis!r}")

    @property
    def label(self) -> str:
        return f"{self.axis} = {mm_text(self.position_um)}"


def parse_cut(text: str) -> Cut:
    """Read a cut written as ``"y=4.75 mm"`` or ``"x=3000 um"`` (for the CLI).

    >>> parse_cut("y=4.75 mm")
    Cut(axis='y', position_um=4750)
    """
    from layoutopt.units import parse_length_um

    axis, sep, value = text.partition("=")
    axis = axis.strip().lower()
    if not sep or axis not in ("x", "y"):
        raise ValueError(f"cannot read cut {text!r}; write e.g. 'y=4.75 mm' or 'x=3000 um'")
    return Cut(axis, parse_length_um(value.strip()))


def default_cut(layout: Layout) -> Cut:
    """A horizontal cut (constant y) through the middle of the tallest stack's top die."""
    stack = tallest_stack(layout) or tuple(sorted(layout.placements, key=lambda p: p.die_id))
    if not stack:
        return Cut("y", layout.package.y_um + layout.package.length_um // 2)
    top = stack[-1]
    return Cut("y", top.y_um + top.length_um // 2)


@dataclass(frozen=True)
class SectionView:
    group: Group
    width: float
    height: float
    exaggeration: float
    cut: Cut


def _span(p: Placement, cut: Cut) -> tuple[int, int] | None:
    """The die's extent along the view axis if the cut passes through it."""
    if cut.axis == "y":
        if p.y_um <= cut.position_um <= p.y_um + p.length_um:
            return p.x_um, p.x_um + p.width_um
        return None
    if p.x_um <= cut.position_um <= p.x_um + p.width_um:
        return p.y_um, p.y_um + p.length_um
    return None


def auto_exaggeration(span_um: int, thickness_um: int, aspect: float = 0.45) -> int:
    """The largest of 1, 2, 5, 10, ... that keeps the section under ``aspect`` of its width."""
    target = aspect * span_um / max(thickness_um, 1)
    chosen = 1
    for e in _EXAGGERATIONS:
        if e <= target:
            chosen = e
    return chosen


def build_section_view(
    design: Design,
    layout: Layout,
    cut: Cut | None = None,
    exaggeration: float | None = None,
    max_width_px: float = 640.0,
) -> SectionView:
    """Build the section as primitives (see :func:`to_svg_section`)."""
    rules = design.rules
    cut = cut or default_cut(layout)
    pkg = layout.package
    u0, u1 = (pkg.x_um, pkg.x_max_um) if cut.axis == "y" else (pkg.y_um, pkg.y_max_um)
    thickness = layout.thickness_um
    ex = float(exaggeration if exaggeration is not None else auto_exaggeration(u1 - u0, thickness))
    left, right, top, bottom = 60.0, 70.0, 18.0, 44.0
    px_per_mm = math.floor(max_width_px / ((u1 - u0) / 1000) * 4) / 4
    s_u = px_per_mm / 1000.0
    s_z = s_u * ex
    z_base_px = top + thickness * s_z  # sheet y of z = 0

    def U(u: float) -> float:
        return left + (u - u0) * s_u

    def Z(z: float) -> float:
        return z_base_px - z * s_z

    def slab(ua: float, ub: float, za: float, zb: float, **paint: object) -> Box:
        return Box(U(ua), Z(zb), (ub - ua) * s_u, (zb - za) * s_z, **paint)  # type: ignore[arg-type]

    items: list[Item] = []
    base = rules.base_thickness_um
    # Mold body first, so dies, joints and wires paint over it.
    if thickness > base:
        items.append(
            Group(
                (
                    slab(
                        u0,
                        u1,
                        base,
                        thickness,
                        fill=LAYER_FILL["mold"],
                        stroke=OUTLINE,
                        stroke_width=0.8,
                    ),
                ),
                id="layer-mold",
                css_class="layer mold",
                title=f"mold {rules.mold_material}",
            )
        )
    in_cut = [(p, _span(p, cut)) for p in ordered_placements(layout)]
    cut_dies = [(p, span) for p, span in in_cut if span is not None]
    # Balls, leaving room for bottom-side parts hanging among them.
    bottom_spans = [span for p, span in cut_dies if p.side == "bottom"]
    if rules.ball_height_um:
        balls: list[Item] = []
        r_u = BALL_PITCH_UM * 0.3
        n = max(1, (u1 - u0) // BALL_PITCH_UM)
        first = u0 + ((u1 - u0) - (n - 1) * BALL_PITCH_UM) / 2
        for i in range(n):
            cu = first + i * BALL_PITCH_UM
            if any(a - r_u <= cu <= b + r_u for a, b in bottom_spans):
                continue
            balls.append(
                Ellipse(
                    U(cu),
                    Z(rules.ball_height_um / 2),
                    r_u * s_u,
                    rules.ball_height_um / 2 * s_z,
                    fill=LAYER_FILL["balls"],
                    stroke="#666666",
                    stroke_width=0.5,
                )
            )
        items.append(
            Group(
                tuple(balls),
                id="layer-balls",
                css_class="layer balls",
                title=f"balls, {rules.ball_height_um} µm standoff",
            )
        )
    z = rules.ball_height_um
    if rules.substrate_thickness_um:
        items.append(
            Group(
                (
                    slab(
                        u0,
                        u1,
                        z,
                        z + rules.substrate_thickness_um,
                        fill=LAYER_FILL["substrate"],
                        stroke=OUTLINE,
                        stroke_width=0.8,
                    ),
                ),
                id="layer-substrate",
                css_class="layer substrate",
                title=f"substrate {rules.substrate_material}",
            )
        )
        z += rules.substrate_thickness_um
    for i in range(rules.rdl_layers if rules.rdl_layer_thickness_um else 0):
        items.append(
            Group(
                (
                    slab(
                        u0,
                        u1,
                        z,
                        z + rules.rdl_layer_thickness_um,
                        fill=LAYER_FILL["rdl"],
                        stroke="#a0522d",
                        stroke_width=0.4,
                    ),
                ),
                id=f"layer-rdl-{i}",
                css_class="layer rdl",
                title=f"RDL layer {i + 1}",
            )
        )
        z += rules.rdl_layer_thickness_um

    rings = {(n, side): strip for n, side, strip in finger_rings(design, layout)}
    wires: list[Item] = []
    for p, span in cut_dies:
        die = design.die(p.die_id)
        a, b = span
        lower = None if p.on_die is None else design.die(p.on_die)
        joint = rules.joint_um(die, lower)
        parts: list[Item] = []
        if p.side == "bottom":
            # Hangs under the substrate: the joint is above the die.
            if joint:
                parts.append(
                    slab(
                        a,
                        b,
                        p.z_top_um,
                        p.z_top_um + joint,
                        fill=LAYER_FILL["joint"],
                        stroke="#8c7a2b",
                        stroke_width=0.3,
                        css_class="joint",
                    )
                )
        elif joint:
            parts.append(
                slab(
                    a,
                    b,
                    p.z_bottom_um - joint,
                    p.z_bottom_um,
                    fill=LAYER_FILL["joint"],
                    stroke="#8c7a2b",
                    stroke_width=0.3,
                    css_class="joint",
                )
            )
        parts.append(
            slab(
                a,
                b,
                p.z_bottom_um,
                p.z_top_um,
                fill=KIND_FILL[die.kind],
                stroke=OUTLINE,
                stroke_width=0.6,
                css_class="die-body",
            )
        )
        h_px = p.thickness_um * s_z
        size = min(TEXT_PX["small"], h_px - 1)
        if size >= 5.0 and text_width_px(p.die_id, size) < (b - a) * s_u - 4:
            parts.append(
                Text(
                    U((a + b) / 2),
                    Z(p.z_bottom_um + p.thickness_um / 2) + size * 0.35,
                    p.die_id,
                    size,
                    "middle",
                )
            )
        items.append(
            Group(
                tuple(parts),
                id=f"section-die-{p.die_id}",
                css_class=f"die kind-{die.kind.value} tier-{p.tier}",
                data=(
                    ("u0-um", str(a)),
                    ("u1-um", str(b)),
                    ("z-bottom-um", str(p.z_bottom_um)),
                    ("z-top-um", str(p.z_top_um)),
                ),
                title=f"{p.die_id} {die.part}: z {p.z_bottom_um}–{p.z_top_um} µm, "
                f"{joint_name(die.bond)} {joint} µm below",
            )
        )
        if die.bond is BondType.WIRE_BOND and p.side == "top":
            low_edge, high_edge = (
                (Edge.WEST, Edge.EAST) if cut.axis == "y" else (Edge.SOUTH, Edge.NORTH)
            )
            for edge in sorted(die.pad_edges_at(p.rotation_deg), key=lambda e: e.value):
                if edge not in (low_edge, high_edge) or (p.stack, edge) not in rings:
                    continue
                strip = rings[(p.stack, edge)]
                if cut.axis == "y":
                    finger = strip.x_um + strip.width_um / 2
                else:
                    finger = strip.y_um + strip.length_um / 2
                pad = a + PAD_INSET_UM if edge is low_edge else b - PAD_INSET_UM
                wires.append(
                    _wire(
                        U(pad),
                        Z(p.z_top_um),
                        U(finger),
                        Z(base),
                        Z(p.z_top_um + rules.wire_loop_um),
                    )
                )
    if wires:
        items.append(
            Group(
                tuple(wires),
                id="wires",
                css_class="wires",
                title=f"wire loops, {rules.wire_loop_um} µm above the die top",
            )
        )

    # Cut boundary, z ruler, dimensions.
    items.append(Line(U(u0), Z(0), U(u1), Z(0), OUTLINE, 1.0))
    ruler: list[Item] = []
    step = nice_step(thickness, 4)
    zt = 0.0
    while zt <= thickness + 1e-9:
        ruler.append(Line(left - 14, Z(zt), left - 10, Z(zt), DIM, 0.6))
        ruler.append(Text(left - 16, Z(zt) + 3, f"{fmt(zt)}", TEXT_PX["small"], "end"))
        zt += step
    ruler.append(Line(left - 10, Z(0), left - 10, Z(thickness), DIM, 0.6))
    ruler.append(Text(left - 16, Z(thickness) - 8, "z µm", TEXT_PX["small"], "end"))
    items.append(Group(tuple(ruler), id="z-ruler", css_class="ruler"))
    items.append(
        Group(
            (
                dimension_v(Z(0), Z(thickness), U(u1), U(u1) + 22, mm_text(thickness)),
                dimension_h(
                    U(u0),
                    U(u1),
                    Z(0),
                    Z(0) + 22,
                    f"{mm_text(u1 - u0)} ({'x' if cut.axis == 'y' else 'y'})",
                ),
            ),
            id="section-dimensions",
            css_class="dimensions",
        )
    )
    width = left + (u1 - u0) * s_u + right
    height = z_base_px + bottom
    data = (
        ("cut-axis", cut.axis),
        ("cut-um", str(cut.position_um)),
        ("exaggeration", fmt(ex)),
        ("px-per-mm", repr(px_per_mm)),
        ("u0-um", str(u0)),
        ("origin-x", fmt(left)),
        ("z0-y", repr(z_base_px)),
    )
    return SectionView(
        Group(tuple(items), id="section-view", css_class="view section-view", data=data),
        width,
        height,
        ex,
        cut,
    )


def _wire(x0: float, y0: float, x1: float, y1: float, y_peak: float) -> Curve:
    """A ball-bond wire loop: up from the pad, over, and down to the finger (sheet px)."""
    # A cubic whose control points sit at height h peaks at (y0 + y1)/8 + 3h/4 (t = 1/2).
    h = (y_peak - (y0 + y1) / 8) / 0.75
    return Curve(
        (x0, y0),
        (x0, h),
        (x0 + (x1 - x0) * 0.55, h),
        (x1, y1),
        stroke=LAYER_FILL["wire"],
        stroke_width=1.0,
        css_class="wire",
    )


def _limit_um(design: Design, layout: Layout) -> tuple[int, str]:
    """The thickness limit that applies: the envelope, or a height zone the package meets."""
    limit, source = design.envelope.max_thickness_um, "envelope"
    pkg = box(
        layout.package.x_um, layout.package.y_um, layout.package.x_max_um, layout.package.y_max_um
    )
    for i, zone in enumerate(design.envelope.height_zones):
        if pkg.intersection(zone.region).area > 0 and zone.max_thickness_um < limit:
            limit, source = zone.max_thickness_um, f"zone {zone.name or i}"
    return limit, source


def budget_rows(design: Design, layout: Layout) -> tuple[list[list[str]], bool, bool]:
    """Rows of the thickness budget; flags: derived from rules, and over the limit."""
    layers, derived = stack_up_of(design, layout)
    rows: list[list[str]] = []
    z = 0
    for layer in layers:
        z += layer.thickness_um
        rows.append([layer.name, layer.material, str(layer.thickness_um), str(z)])
    limit, source = _limit_um(design, layout)
    total = sum(layer.thickness_um for layer in layers)
    over = layout.thickness_um > limit
    rows.append(["total", "", str(total), ""])
    if total != layout.thickness_um:
        rows.append(["layout thickness (≠ sum!)", "", str(layout.thickness_um), ""])
    rows.append([f"limit ({source})", "", str(limit), ""])
    rows.append(["margin", "", f"{limit - layout.thickness_um:+d}", ""])
    return rows, derived, over


def budget_table(design: Design, layout: Layout, x: float, y: float) -> tuple[Group, float, float]:
    """The thickness-budget table (group, width, height)."""
    rows, derived, over = budget_rows(design, layout)
    widths = (150.0, 78.0, 52.0, 48.0)
    first_summary = next(i for i, row in enumerate(rows) if row[0] == "total")
    fills = ["none"] * len(rows)
    fills[-1] = "#f4cccc" if over else "#d9ead3"
    title = "Thickness budget (µm)" + (" — derived from rules" if derived else "")
    group = table(
        x,
        y,
        ("layer", "material", "t µm", "z top"),
        rows,
        widths,
        id="thickness-budget",
        title=title,
        align=("start", "start", "end", "end"),
        emphasis_rows=tuple(range(first_summary, len(rows))),
        row_fill=fills,
    )
    return group, sum(widths), table_height(len(rows))


def to_svg_section(
    design: Design,
    layout: Layout,
    cut: Cut | None = None,
    exaggeration: float | None = None,
    *,
    max_width_px: float = 640.0,
) -> str:
    """Cross-section of ``layout`` along ``cut`` with its thickness budget, as SVG.

    Parameters
    ----------
    cut
        The section line; default :func:`default_cut` (horizontal, through the tallest
        stack's top die).
    exaggeration
        Vertical scale over horizontal scale; default: the largest of 1, 2, 5, 10, ... that
        keeps the section flatter than 0.45 of its width. Written on the drawing.
    """
    view = build_section_view(design, layout, cut, exaggeration, max_width_px)
    title_h = 44.0
    tab_x = view.width + 10
    tab, tab_w, tab_h = budget_table(design, layout, tab_x, title_h)
    width = tab_x + tab_w + 10
    height = title_h + max(view.height, tab_h + 10)
    scale_note = (
        f"Section A–A at {view.cut.label}. Vertical scale ×{fmt(view.exaggeration)} (exaggerated)"
        if view.exaggeration != 1
        else f"Section A–A at {view.cut.label}. True scale (no exaggeration)"
    )
    items: tuple[Item, ...] = (
        Box(0, 0, width, height, fill="#ffffff"),
        Text(
            10,
            18,
            f"SECTION A–A — {design.name} ({design.family.value})",
            TEXT_PX["title"],
            weight="bold",
            css_class="view-title",
        ),
        Text(10, 34, scale_note, TEXT_PX["label"], css_class="scale-note"),
        Group((view.group,), dy=title_h),
        tab,
    )
    return to_svg_document(
        Drawing(width, height, items, title=f"{design.name} section", description=scale_note)
    )
