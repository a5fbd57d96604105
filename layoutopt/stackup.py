"""Thickness budgets: what stands where in z, as a list of layers people can read.

Pure functions over core values. The validator does not use them (it recomputes z on its
own, as the specification); the solver, the layout file and the drawings do.

>>> describe_layers((Layer("balls", 150), Layer("NAND0 die", 40), Layer("NAND1 die", 40)))
'balls 150 µm + 2 × NAND die 40 µm'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from layoutopt.model import JOINT_NAMES, BondType, Design, Layer, Placement, Side

__all__ = [
    "FILL_LAYER",
    "JOINT_NAMES",
    "describe_layers",
    "package_thickness_um",
    "stack_thickness_um",
    "stack_up",
]

# The mold above the stack up to a target height (layoutopt.fill).
FILL_LAYER = "mold fill to target"


def package_thickness_um(design: Design, placements: Sequence[Placement]) -> int:
    """The package thickness: the highest die top plus what must stand above it, or the
    envelope's target height when it fixes one (the rest is mold fill)."""
    return max(stack_thickness_um(design, placements), design.envelope.target_height_um or 0)


def stack_thickness_um(design: Design, placements: Sequence[Placement]) -> int:
    """The highest die top plus what must stand above it (no fill to a target height)."""
    rules = design.rules
    tops = [
        p.z_top_um + rules.top_clearance_um(design.die(p.die_id))
        for p in placements
        if p.side is Side.TOP
    ]
    return max(tops, default=rules.base_thickness_um)


def stack_up(design: Design, placements: Sequence[Placement]) -> tuple[Layer, ...]:
    """The thickness budget through the stack that sets the package thickness, bottom up.

    The layers sum to :func:`package_thickness_um`.
    """
    rules = design.rules
    layers = []
    if rules.ball_height_um:
        layers.append(Layer("balls", rules.ball_height_um, rules.ball_material))
    if rules.substrate_thickness_um:
        layers.append(Layer("substrate", rules.substrate_thickness_um, rules.substrate_material))
    if rules.rdl_layers:
        layers.append(
            Layer(
                f"RDL {rules.rdl_layers} layers",
                rules.rdl_layers * rules.rdl_layer_thickness_um,
                rules.rdl_material,
            )
        )
    top_side = [p for p in placements if p.side is Side.TOP]
    total = package_thickness_um(design, top_side)
    if not top_side:
        fill = total - rules.base_thickness_um
        return (*layers, Layer(FILL_LAYER, fill, rules.mold_material)) if fill else tuple(layers)
    stack_top = stack_thickness_um(design, top_side)
    if rules.fan_out.flipped:
        layers += _flipped_layers(design, top_side)
        if total > stack_top:
            layers.append(Layer(FILL_LAYER, total - stack_top, rules.mold_material))
        return tuple(layer for layer in layers if layer.thickness_um)
    peak = max(
        top_side,
        key=lambda p: (p.z_top_um + rules.top_clearance_um(design.die(p.die_id)), -p.stack),
    )
    by_id = {p.die_id: p for p in top_side}
    chain = [peak]
    while chain[-1].on_die is not None:
        chain.append(by_id[chain[-1].on_die])
    level = sum(layer.thickness_um for layer in layers)
    for p in reversed(chain):
        layers += _joint_layers(design, p, p.z_bottom_um - level)
        layers.append(Layer(f"{p.die_id} die", p.thickness_um, design.die(p.die_id).material))
        level = p.z_top_um
    top = design.die(peak.die_id)
    if top.bond is BondType.WIRE_BOND and rules.wire_loop_um:
        layers.append(Layer("wire loop", rules.wire_loop_um, rules.mold_material))
        layers.append(Layer("mold over loop", rules.mold_clearance_um, rules.mold_material))
    elif stack_top - level:
        layers.append(Layer("mold cap", stack_top - level, rules.mold_material))
    if total > stack_top:
        layers.append(Layer(FILL_LAYER, total - stack_top, rules.mold_material))
    return tuple(layer for layer in layers if layer.thickness_um)


def _flipped_layers(design: Design, top_side: Sequence[Placement]) -> list[Layer]:
    """A vertical-wire fan-out's layers above the RDL, through its tallest stack: the
    standoff its vertical wires cross, then each die from the last tier (nearest the
    RDL) to tier 0, each with its own adhesive above it (docs/rules.md ``z``)."""
    rules = design.rules
    peak = max(
        top_side,
        key=lambda p: (p.z_top_um + rules.top_clearance_um(design.die(p.die_id)), -p.stack),
    )
    chain = sorted((p for p in top_side if p.stack == peak.stack), key=lambda p: -p.tier)
    layers = [
        Layer(
            "mold over the nearest die (vertical wires)",
            chain[0].z_bottom_um - rules.base_thickness_um,
            rules.mold_material,
        )
    ]
    for k, p in enumerate(chain):
        die = design.die(p.die_id)
        layers.append(Layer(f"{p.die_id} die (face down)", p.thickness_um, die.material))
        above = (
            chain[k + 1].z_bottom_um
            if k + 1 < len(chain)
            else p.z_top_um + rules.top_clearance_um(die)
        )
        lower = design.die(chain[k + 1].die_id) if k + 1 < len(chain) else None
        where = f"on {lower.id}" if lower is not None else "carrier side"
        layers.append(
            Layer(
                f"{JOINT_NAMES[die.bond.value]} of {p.die_id} ({where})",
                above - p.z_top_um,
                rules.joint_material(die, lower),
            )
        )
    return layers


def _joint_layers(design: Design, p: Placement, joint_um: int) -> list[Layer]:
    """The layers of the ``joint_um`` under ``p`` (a PoP's interface as its real layers:
    air gap, top substrate, die attach), each named ``<layer> under <die>``."""
    if joint_um <= 0:
        return []
    die = design.die(p.die_id)
    lower = design.die(p.on_die) if p.on_die is not None else None
    parts = design.rules.joint_layers(die, lower, film_over_wire=p.film_over_wire)
    if sum(layer.thickness_um for layer in parts) != joint_um:
        # A hand-made layout off the rule (the validator says so): one layer keeps the sum.
        parts = (Layer(parts[-1].name, joint_um, parts[-1].material),)
    return [
        Layer(f"{layer.name} under {p.die_id}", layer.thickness_um, layer.material)
        for layer in parts
    ]


_ID_SUFFIX = re.compile(r"^(?P<stem>.*?)(\d+)(?P<rest> .*)$")


def describe_layers(layers: Sequence[Layer]) -> str:
    """A budget in words, grouping repeated layers: ``4 × NAND die 40 µm + ...``."""
    groups: list[tuple[str, int, int]] = []
    for layer in layers:
        name = layer.name
        match = _ID_SUFFIX.match(name)
        if match and " under " not in name:
            name = match.group("stem") + match.group("rest")
        elif " under " in name:
            name = name.split(" under ")[0]
        if groups and groups[-1][0] == name and groups[-1][1] == layer.thickness_um:
            groups[-1] = (name, layer.thickness_um, groups[-1][2] + 1)
        elif any(g[0] == name and g[1] == layer.thickness_um for g in groups):
            k = next(k for k, g in enumerate(groups) if g[0] == name and g[1] == layer.thickness_um)
            groups[k] = (name, layer.thickness_um, groups[k][2] + 1)
        else:
            groups.append((name, layer.thickness_um, 1))
    parts = [
        (f"{count} × " if count > 1 else "") + f"{name} {thickness} µm"
        for name, thickness, count in groups
    ]
    return " + ".join(parts)
