"""The layout as thermal blocks: boxes of one material each, shared by every thermal model.

z is measured up from the seating plane (ball bottom), as in :mod:`layoutopt.model`; the
board lies below z = 0. Later blocks override earlier ones where they overlap (painter's
order), so the mold is a background that dies and joints cut into. A block whose
``region`` is set covers that polygon (the board's outline) instead of its bounding box.

Blocks, in painter's order:

- board: ``thermal.board_outline`` (or the package grown by ``thermal.board_margin_um``),
  ``thermal.board_thickness_um`` thick below its top (z = 0, or below the body under the
  package), of the board's effective material (its layer stack,
  :func:`layoutopt.thermal.materials.board_material`);
- with a housing, the air beside the package: over the whole board from its top up to the
  housing (``gap.board``; the package blocks below replace it where the package is);
- the layers of the heat-source bodies around the package (``thermal.bodies``, placed by
  :mod:`layoutopt.thermal.around`);
- balls (an effective layer), substrate, RDL layers: the package rect;
- mold: the package rect from the base to ``layout.thickness_um``;
- PoP (:mod:`layoutopt.pop`): from the bottom substrate up to the top substrate, the ring
  of interface balls in their fill (``pop.ring``, an effective material derived from the
  balls' area fraction), the fill inside it (``pop.fill``, air), the bottom mold
  (``pop.mold``); then the top substrate over the whole package (``pop.top_substrate``);
  the top package's first die keeps only its own attach as its joint;
- per die: its joint (die attach, bumps and underfill, bond line, ...) then the die body;
- with a housing: the air gap over the package (``gap.package``, ``housing_gap_um`` tall),
  then the housing wall over the whole board.

Gap blocks are flagged ``gap``: the models add the radiation across them to their
through-plane conductance. Joint materials and thicknesses come from
``ProcessRules.joint_material`` / ``joint_um``.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Polygon, box

from layoutopt.model import Design, Layout, Material, Placement, Rect, Side
from layoutopt.pop import pop_structure
from layoutopt.thermal.around import board_top_um, body_rect_um, body_span_um, check_bodies
from layoutopt.thermal.materials import board_material, material

__all__ = ["Block", "board_region", "build_blocks", "joint_thickness_um"]


@dataclass(frozen=True)
class Block:
    """A box of one material (µm), optionally belonging to a die (its body).

    ``region`` (a polygon inside the box) narrows the box's footprint; ``gap`` marks the air
    of a gap whose top and bottom faces exchange radiation across its full height.
    """

    name: str
    material: Material
    x0_um: int
    y0_um: int
    x1_um: int
    y1_um: int
    z0_um: int
    z1_um: int
    die_id: str | None = None
    region: Polygon | None = None
    gap: bool = False
    field: str = ""  # where the material is set, for error messages

    @property
    def thickness_um(self) -> int:
        return self.z1_um - self.z0_um

    @property
    def area_um2(self) -> float:
        if self.region is not None:
            return float(self.region.area)
        return float((self.x1_um - self.x0_um) * (self.y1_um - self.y0_um))

    @property
    def footprint(self) -> Polygon:
        return (
            self.region
            if self.region is not None
            else box(self.x0_um, self.y0_um, self.x1_um, self.y1_um)
        )


def joint_thickness_um(design: Design, placement: Placement) -> int:
    lower = design.die(placement.on_die) if placement.on_die else None
    die = design.die(placement.die_id)
    return design.rules.joint_um(die, lower, film_over_wire=placement.film_over_wire)


def board_region(design: Design, layout: Layout) -> Polygon:
    """The board's footprint (µm): its outline, or the package (and the bodies around it,
    :mod:`layoutopt.thermal.around`) grown by the margin."""
    spec, pkg = design.thermal, layout.package
    if spec.board_outline is not None:
        return spec.board_outline
    m = spec.board_margin_um
    rects = [(pkg.x_um, pkg.y_um, pkg.x_max_um, pkg.y_max_um)]
    rects += [body_rect_um(b, pkg) for b in spec.bodies]
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[2] for r in rects), max(r[3] for r in rects)
    return box(x0 - m, y0 - m, x1 + m, y1 + m)


def _region_block(name: str, mat: Material, region: Polygon, z0: int, z1: int, **kw) -> Block:
    x0, y0, x1, y1 = (round(v) for v in region.bounds)
    rect = region.equals(box(x0, y0, x1, y1))
    return Block(name, mat, x0, y0, x1, y1, z0, z1, region=None if rect else region, **kw)


def build_blocks(design: Design, layout: Layout, *, around: bool = True) -> tuple[Block, ...]:
    """The layout's blocks, bottom layers first, then joints and dies (painter's order).

    ``around=False`` leaves out the heat-source bodies around the package (the package
    alone on its board, as the warpage model reads it)."""
    spec = design.thermal
    board = board_region(design, layout)
    if around:
        check_bodies(design, layout, board)
    z_board = board_top_um(design) if around else 0
    blocks = [
        _region_block(
            "board",
            board_material(design),
            board,
            z_board - spec.board_thickness_um,
            z_board,
            field="thermal.board.layers" if spec.board_layers else "thermal.board_material",
        )
    ]
    top = layout.thickness_um
    air = None
    if spec.has_housing:
        air = material(design, "air", field="thermal (the air under the housing)")
        blocks.append(
            _region_block(
                "gap.board", air, board, z_board, top + spec.housing_gap_um, gap=True, field="air"
            )
        )
    if around:
        blocks += _body_blocks(design, layout)
    blocks += _package_blocks(design, layout)
    if air is not None:
        pkg = layout.package
        if spec.housing_gap_um > 0:
            blocks.append(
                Block(
                    "gap.package",
                    air,
                    pkg.x_um,
                    pkg.y_um,
                    pkg.x_max_um,
                    pkg.y_max_um,
                    top,
                    top + spec.housing_gap_um,
                    gap=True,
                    field="air",
                )
            )
        wall = material(design, spec.housing_material, field="thermal.housing_material")
        z0 = top + spec.housing_gap_um
        blocks.append(
            _region_block(
                "housing",
                wall,
                board,
                z0,
                z0 + spec.housing_thickness_um,
                field="thermal.housing_material",
            )
        )
    return tuple(blocks)


def _body_blocks(design: Design, layout: Layout) -> list[Block]:
    """Each layer of each heat-source body around the package (bottom first)."""
    out = []
    for body in design.thermal.bodies:
        x0, y0, x1, y1 = body_rect_um(body, layout.package)
        z = body_span_um(design, body)[0]
        for i, layer in enumerate(body.layers):
            where = f"thermal.around[{body.name}].layers[{i}].material"
            mat = material(design, layer.material, field=where)
            z1 = z + layer.thickness_um
            out.append(Block(f"{body.name}.{i}", mat, x0, y0, x1, y1, z, z1, field=where))
            z = z1
    return out


def _package_blocks(design: Design, layout: Layout) -> list[Block]:
    rules, pkg = design.rules, layout.package
    rect = (pkg.x_um, pkg.y_um, pkg.x_max_um, pkg.y_max_um)
    blocks = []
    z = 0
    layers = [
        ("balls", rules.ball_material, rules.ball_height_um, "rules.ball_material"),
        (
            "substrate",
            rules.substrate_material,
            rules.substrate_thickness_um,
            "rules.substrate_material",
        ),
    ]
    layers += [
        (f"rdl{i}", rules.rdl_material, rules.rdl_layer_thickness_um, "rules.rdl_material")
        for i in range(rules.rdl_layers)
    ]
    for name, mat, thickness, field in layers:
        if thickness > 0:
            blocks.append(
                Block(
                    name, material(design, mat, field=field), *rect, z, z + thickness, field=field
                )
            )
            z += thickness
    if layout.thickness_um > z:
        mold = material(design, rules.mold_material, field="rules.mold_material")
        blocks.append(
            Block("mold", mold, *rect, z, layout.thickness_um, field="rules.mold_material")
        )
    blocks += _pop_blocks(design, layout)
    for p in sorted(layout.placements, key=lambda p: (p.stack, p.tier)):
        blocks += _die_blocks(design, p)
    return blocks


def _pop_blocks(design: Design, layout: Layout) -> list[Block]:
    """A PoP's interface and top substrate over the whole package (:mod:`layoutopt.pop`):
    the ring of balls in their fill, the fill inside it, the bottom mold, the top substrate.

    The air inside the ring is not flagged ``gap``: across tens of µm its conduction
    (0.026 / 30e-6 = 870 W/m²K) outweighs radiation (~6 W/m²K) by two orders.
    """
    pop = pop_structure(design, layout)
    if pop is None:
        return []
    rules, pkg = design.rules, layout.package
    z0, z1 = pop.substrate_top_um, pop.top_substrate_bottom_um
    fill = material(
        design, rules.pop_interface_fill_material, field="rules.pop_interface_fill_material"
    )
    inside = pop.ring_hole if pop.ring is not None else pkg
    blocks = []
    if pop.ring is not None:
        ring = material(design, rules.pop_ring_material, field="rules.pop_ball_material")
        blocks.append(_rect_block("pop.ring", ring, pop.ring, z0, z1, "rules.pop_ball_material"))
    if inside is not None:
        blocks.append(
            _rect_block("pop.fill", fill, inside, z0, z1, "rules.pop_interface_fill_material")
        )
    mold = material(design, rules.mold_material, field="rules.mold_material")
    blocks.append(
        _rect_block("pop.mold", mold, pop.mold, z0, pop.mold_top_um, "rules.mold_material")
    )
    top = material(design, rules.top_substrate_material, field="rules.top_substrate_material")
    blocks.append(
        _rect_block(
            "pop.top_substrate",
            top,
            pkg,
            z1,
            pop.top_substrate_top_um,
            "rules.top_substrate_material",
        )
    )
    return [b for b in blocks if b.z1_um > b.z0_um]


def _rect_block(name: str, mat: Material, r: Rect, z0: int, z1: int, field: str) -> Block:
    return Block(name, mat, r.x_um, r.y_um, r.x_max_um, r.y_max_um, z0, z1, field=field)


def _die_blocks(design: Design, p: Placement) -> list[Block]:
    rules = design.rules
    die = design.die(p.die_id)
    lower = design.die(p.on_die) if p.on_die else None
    rect = (p.x_um, p.y_um, p.x_um + p.width_um, p.y_um + p.length_um)
    out = []
    # A PoP's interface layers are package-wide (_pop_blocks): the die keeps its attach.
    layers = rules.joint_layers(die, lower, film_over_wire=p.film_over_wire)
    if rules.on_top_package(die, lower) and not p.film_over_wire:
        layers = layers[-1:]
    joint = sum(layer.thickness_um for layer in layers)
    if joint > 0:
        # Top side: the joint is under the die; bottom side: above it (towards the
        # substrate); in a vertical-wire fan-out (flipped stack) above it, on its back.
        below = p.side is Side.TOP and not rules.fan_out.flipped
        z0 = p.z_bottom_um - joint if below else p.z_top_um
        where = f"rules ({die.bond.value} joint of {p.die_id})"
        for layer in layers:
            joint_mat = material(design, layer.material, field=where)
            z1 = z0 + layer.thickness_um
            out.append(Block(f"{p.die_id}.joint", joint_mat, *rect, z0, z1, field=where))
            z0 = z1
    where = f"dies[{p.die_id}].material"
    body = material(design, die.material, field=where)
    out.append(
        Block(p.die_id, body, *rect, p.z_bottom_um, p.z_top_um, die_id=p.die_id, field=where)
    )
    return out
