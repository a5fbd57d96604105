"""The layout as thermal blocks: boxes of one material each, shared by every thermal model.

z is measured up from the seating plane (ball bottom), as in :mod:`layoutopt.model`; the
board lies below z = 0. Later blocks override earlier ones where they overlap (painter's
order), so the mold is a background that dies and joints cut into.

Layers, bottom to top:

- board: the package rect grown by ``thermal.board_margin_um``, ``thermal.board_thickness_um``
  thick, below z = 0;
- balls (an effective layer), substrate, RDL layers: the package rect;
- mold: the package rect from the base to ``layout.thickness_um``;
- per die: its joint (die attach, bumps and underfill, bond line, ...) then the die body;
- housing wall: the package rect above the package top, ``thermal.housing_thickness_um``.
Joint materials and thicknesses come from ``ProcessRules.joint_material`` / ``joint_um``.
"""

from __future__ import annotations

from dataclasses import dataclass

from layoutopt.model import Design, Layout, Placement

__all__ = ["Block", "build_blocks", "joint_thickness_um"]


@dataclass(frozen=True)
class Block:
    """A box of one material (µm), optionally belonging to a die (its body)."""

    name: str
    material: str
    x0_um: int
    y0_um: int
    x1_um: int
    y1_um: int
    z0_um: int
    z1_um: int
    die_id: str | None = None
    field: str = ""  # where the material name comes from, for error messages

    @property
    def thickness_um(self) -> int:
        return self.z1_um - self.z0_um

    @property
    def area_um2(self) -> int:
        return (self.x1_um - self.x0_um) * (self.y1_um - self.y0_um)


def joint_thickness_um(design: Design, placement: Placement) -> int:
    lower = design.die(placement.on_die) if placement.on_die else None
    return design.rules.joint_um(design.die(placement.die_id), lower)


def build_blocks(design: Design, layout: Layout) -> tuple[Block, ...]:
    """The layout's blocks, bottom layers first, then joints and dies (painter's order)."""
    rules, spec, pkg = design.rules, design.thermal, layout.package
    px0, py0, px1, py1 = pkg.x_um, pkg.y_um, pkg.x_max_um, pkg.y_max_um
    m = spec.board_margin_um
    blocks = [
        Block(
            "board",
            spec.board_material,
            px0 - m,
            py0 - m,
            px1 + m,
            py1 + m,
            -spec.board_thickness_um,
            0,
            field="thermal.board_material",
        ),
    ]
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
    for name, material, thickness, field in layers:
        if thickness > 0:
            blocks.append(Block(name, material, px0, py0, px1, py1, z, z + thickness, field=field))
            z += thickness
    if layout.thickness_um > z:
        blocks.append(
            Block(
                "mold",
                rules.mold_material,
                px0,
                py0,
                px1,
                py1,
                z,
                layout.thickness_um,
                field="rules.mold_material",
            )
        )
    for p in sorted(layout.placements, key=lambda p: (p.stack, p.tier)):
        die = design.die(p.die_id)
        lower = design.die(p.on_die) if p.on_die else None
        joint = rules.joint_um(die, lower)
        rect = (p.x_um, p.y_um, p.x_um + p.width_um, p.y_um + p.length_um)
        if joint > 0:
            # Top side: the joint is under the die; bottom side: above it (towards the substrate).
            z0, z1 = (
                (p.z_bottom_um - joint, p.z_bottom_um)
                if p.side == "top"
                else (p.z_top_um, p.z_top_um + joint)
            )
            blocks.append(
                Block(
                    f"{p.die_id}.joint",
                    rules.joint_material(die, lower),
                    *rect,
                    z0,
                    z1,
                    field=f"rules ({die.bond.value} joint of {p.die_id})",
                )
            )
        blocks.append(
            Block(
                p.die_id,
                die.material,
                *rect,
                p.z_bottom_um,
                p.z_top_um,
                die_id=p.die_id,
                field=f"dies[{p.die_id}].material",
            )
        )
    if spec.housing_thickness_um > 0:
        top = layout.thickness_um
        blocks.append(
            Block(
                "housing",
                spec.housing_material,
                px0,
                py0,
                px1,
                py1,
                top,
                top + spec.housing_thickness_um,
                field="thermal.housing_material",
            )
        )
    return tuple(blocks)
