"""The cross-section: every layer to scale along a cut line, with the thickness budget."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shapely.geometry import box

from layoutopt.model import BallRole, BondType, Design, Die, Edge, Layout, Placement, Side
from layoutopt.pop import pop_structure
from layoutopt.render.annotate import dimension_h, dimension_v, mm_text, table, table_height
from layoutopt.render.canvas import (
    Box,
    Curve,
    Drawing,
    Ellipse,
    Group,
    Item,
    Line,
    Poly,
    Text,
    fmt,
    text_width_px,
    to_svg_document,
)
from layoutopt.render.geometry import (
    EDGES,
    ball_sites_um,
    finger_rings,
    is_bottom,
    joint_name,
    nice_step,
    ordered_placements,
    stack_up_of,
    tallest_stack,
)
from layoutopt.render.labels import Callout, declutter, place_callouts
from layoutopt.render.style import (
    DIM,
    KIND_FILL,
    LAYER_FILL,
    MIN_LABEL_PX,
    OUTLINE,
    TEXT_PX,
    VERTICAL_EXAGGERATION,
)

__all__ = [
    "Cut",
    "SectionView",
    "budget_table",
    "build_section_view",
    "choose_cuts",
    "default_cut",
    "parse_cut",
    "to_svg_section",
]

# A PoP's interface dimensions stand this far right of the package, past the height
# callouts; the view's right margin grows by _POP_MARGIN_PX for their labels.
_POP_DIMENSIONS_PX = 172.0
_POP_MARGIN_PX = 120.0

# The pad row sits this far inside the die edge (picture only; a pad is ~50-80 µm, §2.5 E).
PAD_INSET_UM = 60


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


def _cut_score(design: Design, layout: Layout, cut: Cut) -> tuple[int, ...]:
    """What a cut shows, to compare candidate cuts (larger is better).

    In order: the most tiers of one stack cut (the stack-up is what a section is for),
    wire-bonded pad edges seen side-on (their wires show), bottom-side parts, and the die
    area cut (a cut through the compute die beats one through a row of capacitors).
    """
    axis = "x" if cut.axis == "y" else "y"  # the axis the view shows
    tiers: dict[int, int] = {}
    wire_edges, bottom, area = 0, 0, 0
    for p in layout.placements:
        if _span(p, cut) is None:
            continue
        area += p.rect.area_um2
        tiers[p.stack] = tiers.get(p.stack, 0) + 1
        bottom += is_bottom(p)
        die = design.die(p.die_id)
        if die.bond is BondType.WIRE_BOND and not is_bottom(p):
            wire_edges += sum(EDGES[e].axis == axis for e in die.pad_edges_at(p.rotation_deg))
    return (max(tiers.values(), default=0), wire_edges, bottom, area)


def _candidates(layout: Layout, axis: str) -> list[Cut]:
    """Cuts through the middle of each die, along ``axis``, highest die first."""

    def centre(p: Placement) -> int:
        return p.y_um + p.length_um // 2 if axis == "y" else p.x_um + p.width_um // 2

    order = sorted(layout.placements, key=lambda p: (-p.z_top_um, p.die_id))
    return list(dict.fromkeys(Cut(axis, centre(p)) for p in order))


def default_cut(layout: Layout) -> Cut:
    """A horizontal cut (constant y) through the middle of the tallest stack's top die."""
    stack = tallest_stack(layout) or tuple(sorted(layout.placements, key=lambda p: p.die_id))
    if not stack:
        return Cut("y", layout.package.y_um + layout.package.length_um // 2)
    top = stack[-1]
    return Cut("y", top.y_um + top.length_um // 2)


def choose_cuts(design: Design, layout: Layout) -> tuple[Cut, Cut]:
    """Sections A–A (constant y) and B–B (constant x), each cut where it shows most.

    Each is the cut through a die's middle that scores best by :func:`_cut_score`: through
    the stack of most tiers, then showing the most wire-bonded edges side-on (so the wires
    of every pad edge appear in one of the two), then bottom-side parts, then the most die
    area; ties go to the higher die, then the lower id.
    """
    cuts = []
    for axis in ("y", "x"):
        candidates = _candidates(layout, axis)
        if not candidates:
            pkg = layout.package
            mid = pkg.y_um + pkg.length_um // 2 if axis == "y" else pkg.x_um + pkg.width_um // 2
            cuts.append(Cut(axis, mid))
            continue
        best = max(
            enumerate(candidates), key=lambda kc: (_cut_score(design, layout, kc[1]), -kc[0])
        )
        cuts.append(best[1])
    return cuts[0], cuts[1]


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


def section_px_per_mm(layout: Layout, cut: Cut, max_width_px: float) -> float:
    """The scale at which the cut's span fills ``max_width_px`` (a multiple of 1/4)."""
    pkg = layout.package
    span_um = pkg.width_um if cut.axis == "y" else pkg.length_um
    return math.floor(max_width_px / (span_um / 1000) * 4) / 4


@dataclass(frozen=True)
class _Frame:
    """Layout (u along the view, z up) to sheet pixels of one section."""

    u0: int
    u1: int
    s_u: float  # px per µm along the view
    s_z: float  # px per µm up (s_u times the exaggeration)
    left: float
    z_base_px: float  # sheet y of z = 0

    def U(self, u: float) -> float:
        return self.left + (u - self.u0) * self.s_u

    def Z(self, z: float) -> float:
        return self.z_base_px - z * self.s_z

    def slab(self, ua: float, ub: float, za: float, zb: float, **paint: Any) -> Box:
        return Box(self.U(ua), self.Z(zb), (ub - ua) * self.s_u, (zb - za) * self.s_z, **paint)


def _layer(
    f: _Frame, za: int, zb: int, name: str, title: str, paint: tuple[str, str, float]
) -> Group:
    fill, stroke, width = paint
    slab = f.slab(f.u0, f.u1, za, zb, fill=fill, stroke=stroke, stroke_width=width)
    css = "rdl" if name.startswith("rdl") else name
    return Group((slab,), id=f"layer-{name}", css_class=f"layer {css}", title=title)


def _balls(design: Design, layout: Layout, cut: Cut, f: _Frame) -> Group:
    """The row of board balls nearest the cut (the ball map's, or the picture grid's)."""
    h = design.rules.ball_height_um
    sites = ball_sites_um(layout)
    # (position along the view, distance of the ball's row from the cut, diameter)
    along = [
        (x, abs(y - cut.position_um), d) if cut.axis == "y" else (y, abs(x - cut.position_um), d)
        for x, y, d in sites
    ]
    nearest = min((off for _, off, _ in along), default=0.0)
    balls: list[Item] = [
        Ellipse(
            f.U(u),
            f.Z(h / 2),
            d / 2 * f.s_u,
            h / 2 * f.s_z,
            fill=LAYER_FILL["balls"],
            stroke="#666666",
            stroke_width=0.5,
        )
        for u, off, d in sorted(along)
        if off <= nearest + 1e-6
    ]
    return Group(
        tuple(balls), id="layer-balls", css_class="layer balls", title=f"balls, {h} µm standoff"
    )


def _base_layers(design: Design, layout: Layout, cut: Cut, f: _Frame) -> list[Item]:
    """Mold body, balls, substrate and RDL: everything but the dies, bottom up."""
    rules = design.rules
    base, thickness = rules.base_thickness_um, layout.thickness_um
    items: list[Item] = []
    if thickness > base:  # first, so dies, joints and wires paint over it
        items.append(
            _layer(
                f,
                base,
                thickness,
                "mold",
                f"mold {rules.mold_material}",
                (LAYER_FILL["mold"], OUTLINE, 0.8),
            )
        )
    if rules.ball_height_um:
        items.append(_balls(design, layout, cut, f))
    z = rules.ball_height_um
    if rules.substrate_thickness_um:
        items.append(
            _layer(
                f,
                z,
                z + rules.substrate_thickness_um,
                "substrate",
                f"substrate {rules.substrate_material}",
                (LAYER_FILL["substrate"], OUTLINE, 0.8),
            )
        )
        z += rules.substrate_thickness_um
    for i in range(rules.rdl_layers if rules.rdl_layer_thickness_um else 0):
        items.append(
            _layer(
                f,
                z,
                z + rules.rdl_layer_thickness_um,
                f"rdl-{i}",
                f"RDL layer {i + 1}",
                (LAYER_FILL["rdl"], "#a0522d", 0.4),
            )
        )
        z += rules.rdl_layer_thickness_um
    return items


def _die_section(
    design: Design, p: Placement, span: tuple[int, int], f: _Frame
) -> tuple[Group, bool]:
    """One cut die with its joint; the flag says whether its id fits inside."""
    die = design.die(p.die_id)
    a, b = span
    lower = None if p.on_die is None else design.die(p.on_die)
    joint = _own_joint_um(design, p, die, lower)
    parts: list[Item] = []
    # A bottom-side part hangs under the substrate, a vertical-wire fan-out's die from the
    # RDL: its joint is above it.
    above = is_bottom(p) or design.rules.fan_out.flipped
    if joint:
        za = p.z_top_um if above else p.z_bottom_um - joint
        parts.append(
            f.slab(
                a,
                b,
                za,
                za + joint,
                fill=LAYER_FILL["joint"],
                stroke="#8c7a2b",
                stroke_width=0.3,
                css_class="joint",
            )
        )
        if p.film_over_wire and not is_bottom(p):  # the turn of a staircase: name its film
            film_px = min(TEXT_PX["small"], joint * f.s_z - 1)
            if film_px >= MIN_LABEL_PX:
                label = f"film over wire {joint} µm (staircase turns)"
                zc = za + joint / 2
                parts.append(
                    Text(f.U((a + b) / 2), f.Z(zc) + film_px * 0.36, label, film_px, "middle")
                )
    parts.append(
        f.slab(
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
    size = min(TEXT_PX["small"], p.thickness_um * f.s_z - 1)
    fits = size >= MIN_LABEL_PX and text_width_px(p.die_id, size) < (b - a) * f.s_u - 4
    if fits:
        zc = p.z_bottom_um + p.thickness_um / 2
        parts.append(Text(f.U((a + b) / 2), f.Z(zc) + size * 0.36, p.die_id, size, "middle"))
    group = Group(
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
        f"{'film-over-wire DAF' if p.film_over_wire else joint_name(die.bond)} {joint} µm "
        f"{'above' if above else 'below'}",
    )
    return group, fits


def _own_joint_um(design: Design, p: Placement, die: Die, lower: Die | None) -> int:
    """The joint drawn under a die: a PoP's top-package die keeps its attach alone (the
    interface and the top substrate under it are package-wide, :func:`_pop_layers`)."""
    rules = design.rules
    if rules.on_top_package(die, lower) and not p.film_over_wire:
        return rules.joint_layers(die, lower)[-1].thickness_um
    return rules.joint_um(die, lower, film_over_wire=p.film_over_wire)


def _pop_layers(design: Design, layout: Layout, cut: Cut, f: _Frame) -> list[Item]:
    """A PoP's interface and top package substrate, to scale and dimensioned: the air over
    the bottom package, the bottom mold, the interface balls nearest the cut, the top
    substrate across the package (:mod:`layoutopt.pop`)."""
    pop = pop_structure(design, layout)
    if pop is None:
        return []
    rules = design.rules
    z0, z1, z2 = pop.substrate_top_um, pop.top_substrate_bottom_um, pop.top_substrate_top_um
    mold_span = (
        (pop.mold.x_um, pop.mold.x_max_um)
        if cut.axis == "y"
        else (pop.mold.y_um, pop.mold.y_max_um)
    )
    air = f.slab(f.u0, f.u1, z0, z1, fill="#ffffff", stroke=OUTLINE, stroke_width=0.3)
    items: list[Item] = [
        Group(
            (air,),
            id="layer-pop-interface",
            css_class="layer pop-interface",
            title=f"PoP interface: {rules.pop_interface_fill_material}, balls stand "
            f"{pop.standoff_um} µm, {rules.pop_air_gap_um} µm air gap over the bottom mold",
        ),
        _layer_span(
            f,
            mold_span,
            (z0, pop.mold_top_um),
            "pop-bottom-mold",
            "bottom mold "
            + (
                "(exposed die)"
                if rules.pop_mold_cap_um == 0
                else f"{rules.pop_mold_cap_um} µm over the die"
            ),
            LAYER_FILL["mold"],
        ),
        _interface_balls(layout, cut, f, z0, z1),
        _layer_span(
            f,
            (f.u0, f.u1),
            (z1, z2),
            "pop-top-substrate",
            f"top substrate {rules.top_substrate_material}, {z2 - z1} µm",
            LAYER_FILL["substrate"],
        ),
    ]
    # In the margin beyond the height callouts (build_section_view leaves it room).
    x_obj, x = f.U(f.u1), f.U(f.u1) + _POP_DIMENSIONS_PX
    dims = (
        dimension_v(f.Z(z0), f.Z(z1), x_obj, x, f"interface {mm_text(z1 - z0)}", horizontal=True),
        dimension_v(
            f.Z(z1), f.Z(z2), x_obj, x, f"top substrate {mm_text(z2 - z1)}", horizontal=True
        ),
    )
    items.append(Group(dims, id="pop-dimensions", css_class="dimensions", title="PoP interface"))
    return items


def _layer_span(
    f: _Frame, span: tuple[int, int], z: tuple[int, int], name: str, title: str, fill: str
) -> Group:
    slab = f.slab(span[0], span[1], z[0], z[1], fill=fill, stroke=OUTLINE, stroke_width=0.6)
    return Group((slab,), id=f"layer-{name}", css_class=f"layer {name}", title=title)


def _interface_balls(layout: Layout, cut: Cut, f: _Frame, z0: int, z1: int) -> Group:
    """The row of interface (PoP) balls nearest the cut, standing from z0 to z1."""
    ring = None if layout.ball_map is None else layout.ball_map.array(BallRole.INTERFACE)
    sites = [] if ring is None else [ring.centre_um(*site) for site in ring.balls()]
    along = [
        (x, abs(y - cut.position_um)) if cut.axis == "y" else (y, abs(x - cut.position_um))
        for x, y in sites
    ]
    nearest = min((off for _, off in along), default=0)
    h, d = z1 - z0, 0 if ring is None else ring.diameter_um
    balls = tuple(
        Ellipse(
            f.U(u),
            f.Z(z0 + h / 2),
            d / 2 * f.s_u,
            h / 2 * f.s_z,
            fill=LAYER_FILL["balls"],
            stroke="#666666",
            stroke_width=0.5,
        )
        for u, off in sorted(along)
        if off <= nearest
    )
    title = f"interface balls, {d} µm at {0 if ring is None else ring.pitch_um} µm pitch"
    return Group(balls, id="layer-pop-balls", css_class="layer pop-balls", title=title)


def _finger_z_um(design: Design, layout: Layout, p: Placement) -> int:
    """Where a die's wires land: the substrate, or a PoP top package's substrate."""
    pop = pop_structure(design, layout)
    if pop is not None and p.stack == layout.placement(pop.soc_id).stack:
        return pop.top_substrate_top_um
    return design.rules.base_thickness_um


def _section_callouts(
    design: Design, unlabelled: list[tuple[Placement, tuple[int, int]]], f: _Frame
) -> list[Callout]:
    """Callouts for the cut dies too thin for their id; a run of one part shares one."""
    runs: list[list[tuple[Placement, tuple[int, int]]]] = []
    for p, span in sorted(unlabelled, key=lambda ps: (ps[0].stack, ps[0].tier)):
        last = runs[-1][-1][0] if runs else None
        same = (
            last is not None
            and last.stack == p.stack
            and last.tier + 1 == p.tier
            and design.die(last.die_id).part == design.die(p.die_id).part
        )
        if same:
            runs[-1].append((p, span))
        else:
            runs.append([(p, span)])
    out = []
    for run in runs:
        p, (a, b) = run[len(run) // 2]
        lo, hi = run[0][0], run[-1][0]
        text = lo.die_id if len(run) == 1 else f"{lo.die_id}…{hi.die_id}"
        feature = (f.U(a), f.Z(hi.z_top_um), f.U(b), f.Z(lo.z_bottom_um))
        target = (f.U(a + (b - a) * 0.85), f.Z(p.z_bottom_um + p.thickness_um / 2))
        out.append(Callout(text, target, feature, TEXT_PX["small"]))
    return out


def _side_on_pads(
    design: Design, cut: Cut, cut_dies: list[tuple[Placement, tuple[int, int]]], bond: BondType
) -> Iterator[tuple[Placement, Edge, int]]:
    """The pad rows the section shows side-on, of top-side dies bonded by ``bond``: each
    placement, its pad edge and the pad's position along the cut (µm, inset from the edge)."""
    axis = "x" if cut.axis == "y" else "y"
    for p, (a, b) in cut_dies:
        die = design.die(p.die_id)
        if die.bond is not bond or is_bottom(p):
            continue
        for edge in sorted(die.pad_edges_at(p.rotation_deg), key=lambda e: e.value):
            geo = EDGES[edge]
            if geo.axis == axis:
                yield p, edge, a + PAD_INSET_UM if geo.outward < 0 else b - PAD_INSET_UM


def _wires(
    design: Design,
    layout: Layout,
    cut: Cut,
    cut_dies: list[tuple[Placement, tuple[int, int]]],
    f: _Frame,
) -> list[Item]:
    """Wire loops from the pad edges the section shows side-on down to their fingers."""
    rules = design.rules
    rings = {(n, side): strip for n, side, strip in finger_rings(design, layout)}
    axis = "x" if cut.axis == "y" else "y"
    wires: list[Item] = []
    for p, edge, pad in _side_on_pads(design, cut, cut_dies, BondType.WIRE_BOND):
        if (p.stack, edge) not in rings:
            continue
        strip = rings[(p.stack, edge)]
        lo, length = (strip.x_um, strip.width_um) if axis == "x" else (strip.y_um, strip.length_um)
        wires.append(
            _wire(
                f.U(pad),
                f.Z(p.z_top_um),
                f.U(lo + length / 2),
                f.Z(_finger_z_um(design, layout, p)),
                f.Z(p.z_top_um + rules.wire_loop_um),
            )
        )
    if not wires:
        return []
    title = f"wire loops, {rules.wire_loop_um} µm above the die top"
    return [Group(tuple(wires), id="wires", css_class="wires", title=title)]


def _vertical_wires(
    design: Design, cut: Cut, cut_dies: list[tuple[Placement, tuple[int, int]]], f: _Frame
) -> list[Item]:
    """A vertical-wire fan-out's wires (docs/rules.md ``z``): from each pad row the section
    shows side-on, straight down from the die's face to the RDL."""
    rules = design.rules
    if not rules.fan_out.flipped:
        return []
    wires: list[Item] = [
        Line(
            f.U(pad),
            f.Z(p.z_bottom_um),
            f.U(pad),
            f.Z(rules.base_thickness_um),
            LAYER_FILL["wire"],
            1.2,
            css_class="vertical-wire",
        )
        for p, _, pad in _side_on_pads(design, cut, cut_dies, BondType.VERTICAL_WIRE)
    ]
    if not wires:
        return []
    title = "vertical wires, each from its pad (the die face) down to the RDL"
    return [Group(tuple(wires), id="vertical-wires", css_class="wires", title=title)]


def _staircase(
    design: Design, cut: Cut, cut_dies: list[tuple[Placement, tuple[int, int]]], f: _Frame
) -> list[Item]:
    """The first staircase step of each cut wire-bonded stack, dimensioned on its pad side."""
    axis = "x" if cut.axis == "y" else "y"
    by_stack: dict[int, list[tuple[Placement, tuple[int, int]]]] = {}
    for p, span in cut_dies:
        if not is_bottom(p) and design.die(p.die_id).bond is BondType.WIRE_BOND:
            by_stack.setdefault(p.stack, []).append((p, span))
    items: list[Item] = []
    for _, dies in sorted(by_stack.items()):
        dies.sort(key=lambda ps: ps[0].tier)
        for (lo, (la, lb)), (hi, (ha, hb)) in itertools.pairwise(dies):
            # A step exposes the lower die's pad row: both dies bond on that side.
            shared = design.die(hi.die_id).pad_edges_at(hi.rotation_deg) & design.die(
                lo.die_id
            ).pad_edges_at(lo.rotation_deg)
            edges = sorted(shared, key=lambda e: e.value)
            side = next((EDGES[e] for e in edges if EDGES[e].axis == axis), None)
            if side is None:
                continue
            u_lo, u_hi = (la, ha) if side.outward < 0 else (lb, hb)
            if u_lo == u_hi:
                continue
            y = f.Z(hi.z_top_um) - 14
            label = f"step {mm_text(abs(u_hi - u_lo))}"
            items.append(dimension_h(f.U(u_lo), f.U(u_hi), f.Z(lo.z_top_um), y, label))
            break
    return [Group(tuple(items), id="staircase", css_class="dimensions")] if items else []


def _height_callouts(design: Design, layout: Layout, f: _Frame, x: float) -> list[Item]:
    """A (overall height), A1 (standoff) and A2 (body), the package-outline convention."""
    balls = design.rules.ball_height_um
    t = layout.thickness_um
    dims: list[Item] = []
    if balls:
        for za, zb, name in ((0, balls, "A1"), (balls, t, "A2")):
            label = f"{name} {mm_text(zb - za)}"
            dims.append(dimension_v(f.Z(za), f.Z(zb), x - 22, x + 6, label, horizontal=True))
        x += 66
    dims.append(dimension_v(f.Z(0), f.Z(t), x - 88, x + 6, f"A {mm_text(t)}", horizontal=True))
    title = "A overall height, A1 standoff, A2 body thickness"
    return [Group(tuple(dims), id="height-callouts", css_class="dimensions", title=title)]


def _rulers(cut: Cut, layout: Layout, f: _Frame) -> list[Item]:
    """The seating plane (datum A), a z ruler in µm and the cut width."""
    thickness = layout.thickness_um
    left = f.left
    ruler: list[Item] = []
    step = nice_step(thickness, 4)
    zt = 0.0
    while zt <= thickness + 1e-9:
        ruler.append(Line(left - 14, f.Z(zt), left - 10, f.Z(zt), DIM, 0.6))
        ruler.append(Text(left - 16, f.Z(zt) + 3, f"{fmt(zt)}", TEXT_PX["small"], "end"))
        zt += step
    ruler.append(Line(left - 10, f.Z(0), left - 10, f.Z(thickness), DIM, 0.6))
    ruler.append(Text(left - 16, f.Z(thickness) - 8, "z µm", TEXT_PX["small"], "end"))
    seat_y, x = f.Z(0), f.U(f.u0) + 11.5
    datum = Group(
        (
            Poly(((x - 3.5, seat_y), (x + 3.5, seat_y), (x, seat_y + 5)), fill=DIM),
            Line(x, seat_y + 5, x, seat_y + 12, DIM, 0.8),
            Box(x - 6, seat_y + 12, 12, 12, fill="#ffffff", stroke=DIM, stroke_width=0.8),
            Text(
                x, seat_y + 21.5, "A", TEXT_PX["label"], "middle", weight="bold", css_class="pinned"
            ),
        ),
        id="datum-A",
        css_class="datum",
        title="datum A: seating plane",
    )
    width = dimension_h(
        f.U(f.u0) + 24,
        f.U(f.u1),
        seat_y,
        seat_y + 30,
        f"{mm_text(f.u1 - f.u0)} ({'x' if cut.axis == 'y' else 'y'})",
    )
    return [
        Line(f.U(f.u0), seat_y, f.U(f.u1), seat_y, OUTLINE, 1.0),
        Group(tuple(ruler), id="z-ruler", css_class="ruler"),
        datum,
        Group((width,), id="section-dimensions", css_class="dimensions"),
    ]


def build_section_view(
    design: Design,
    layout: Layout,
    cut: Cut | None = None,
    exaggeration: float | None = None,
    max_width_px: float = 640.0,
    px_per_mm: float | None = None,
) -> SectionView:
    """Build the section as primitives (see :func:`to_svg_section`); ``px_per_mm`` fixes
    the scale (so two sections of one sheet share it), else the view fills the width."""
    cut = cut or default_cut(layout)
    pkg = layout.package
    u0, u1 = (pkg.x_um, pkg.x_max_um) if cut.axis == "y" else (pkg.y_um, pkg.y_max_um)
    ex = float(exaggeration if exaggeration is not None else VERTICAL_EXAGGERATION)
    left, right, top, bottom = 60.0, 170.0, 34.0, 58.0
    if pop_structure(design, layout) is not None:
        right += _POP_MARGIN_PX
    if px_per_mm is None:
        px_per_mm = section_px_per_mm(layout, cut, max_width_px)
    s_u = px_per_mm / 1000.0
    f = _Frame(u0, u1, s_u, s_u * ex, left, top + layout.thickness_um * s_u * ex)
    cut_dies = [(p, span) for p in ordered_placements(layout) if (span := _span(p, cut))]
    items: list[Item] = _base_layers(design, layout, cut, f)
    items += _pop_layers(design, layout, cut, f)
    unlabelled = []
    for p, span in cut_dies:
        group, fits = _die_section(design, p, span, f)
        items.append(group)
        if not fits:
            unlabelled.append((p, span))
    items += _wires(design, layout, cut, cut_dies, f)
    items += _vertical_wires(design, cut, cut_dies, f)
    items += _staircase(design, cut, cut_dies, f)
    items += _rulers(cut, layout, f)
    items += _height_callouts(design, layout, f, f.U(u1) + 22)
    width = left + (u1 - u0) * s_u + right
    height = f.z_base_px + bottom
    bodies = tuple((f.U(a), f.Z(p.z_top_um), f.U(b), f.Z(p.z_bottom_um)) for p, (a, b) in cut_dies)
    bounds = (left, 2.0, f.U(u1) + 6, f.z_base_px - 2)
    callouts, _ = place_callouts(_section_callouts(design, unlabelled, f), (), bodies, bounds)
    if callouts:
        items.append(Group(callouts, id="section-callouts", css_class="callouts"))
    data = (
        ("cut-axis", cut.axis),
        ("cut-um", str(cut.position_um)),
        ("exaggeration", fmt(ex)),
        ("px-per-mm", repr(px_per_mm)),
        ("u0-um", str(u0)),
        ("origin-x", fmt(left)),
        ("z0-y", repr(f.z_base_px)),
    )
    group = Group(tuple(items), id="section-view", css_class="view section-view", data=data)
    return SectionView(group, width, height, ex, cut)


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


# More columns than this are summed up in one row: the table explains the thickness, it is
# not a parts list.
MAX_COLUMN_ROWS = 8


def column_rows(design: Design, layout: Layout) -> list[list[str]]:
    """One row per top-side column (stack), tallest first: its top die, how many dies, the
    height it needs (top die's top plus wire loop and mold, or mold cap) and its slack to
    the package thickness. The budget table follows only the tallest column; this shows
    the others (for a CMC, whether a cap or the compute die sets the height)."""
    columns = []
    for k, members in layout.stacks().items():
        top_side = [p for p in members if p.side is Side.TOP]
        if not top_side:
            continue
        top = max(top_side, key=lambda p: (p.z_top_um, p.die_id))
        need = max(
            p.z_top_um + design.rules.top_clearance_um(design.die(p.die_id)) for p in top_side
        )
        columns.append((-need, k, top.die_id, len(top_side)))
    columns.sort()
    rows = [
        [
            f"stack {k}: {die_id}" + ("" if n == 1 else f" (+{n - 1})"),
            str(-neg),
            f"{layout.thickness_um + neg:+d}",
        ]
        for neg, k, die_id, n in columns[:MAX_COLUMN_ROWS]
    ]
    if len(columns) > MAX_COLUMN_ROWS:
        rest = columns[MAX_COLUMN_ROWS:]
        rows.append(
            [f"{len(rest)} more, up to", str(-rest[0][0]), f"{layout.thickness_um + rest[0][0]:+d}"]
        )
    return rows


def budget_table(design: Design, layout: Layout, x: float, y: float) -> tuple[Group, float, float]:
    """The thickness-budget table, and under it the height every column needs when there is
    more than one (group, width, height)."""
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
    height = table_height(len(rows))
    columns = column_rows(design, layout)
    if len(columns) < 2:
        return group, sum(widths), height
    column_widths = (widths[0] + widths[1], widths[2], widths[3])
    below = table(
        x,
        y + height + 10,
        ("column (top die)", "needs µm", "slack"),
        columns,
        column_widths,
        id="column-heights",
        title="Column heights (µm), tallest first",
        align=("start", "end", "end"),
    )
    return Group((group, below)), sum(widths), height + 10 + table_height(len(columns))


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
        Drawing(
            width, height, declutter(items), title=f"{design.name} section", description=scale_note
        )
    )
