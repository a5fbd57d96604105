"""STEP export: the package as named solids a mechanical engineer drops into device CAD.

Built with build123d (on the OpenCascade kernel, through the ``cadquery-ocp`` wheels), in
millimetres, z up from the seating plane, x east and y north as in the drawings. Solids:

- ``substrate`` and ``rdl-N``: slabs over the package outline;
- one solid per die, named by its id (``D0``), bottom-side parts among the balls;
- ``joint-<die>``: the die attach, bumps or bond line under each die;
- ``mold``: the mold body with the dies and joints cut out;
- ``balls``: an assembly of instances of one solder ball (spheres truncated at the
  seating plane and the substrate), at the layout's ball map, or the drawings' picture
  grid without one;
- ``wire-<die>-<edge>-K``: a few wires of each bonded edge on the bond plan's path
  (:mod:`layoutopt.bonding`), swept 25 µm circles (K: the wire's index on its edge).

build123d is imported lazily: it is a large optional dependency (the ``cad`` extra) and
only this module needs it. STEP files carry a timestamp; it is fixed, so the same layout
gives the same bytes.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from layoutopt.model import Design, Layout
from layoutopt.pop import pop_structure
from layoutopt.render.geometry import ball_sites_um, is_bottom, ordered_placements, wire_paths_um

__all__ = ["CadUnavailable", "step_solid_names", "to_step"]

WIRES_PER_EDGE = 3  # representative loops per pad edge (the layout does not place pads)
WIRE_DIAMETER_UM = 25  # a common Au/Cu bond wire (domain_data.md §2.5, E)


class CadUnavailable(ImportError):
    """build123d (and its OpenCascade wheels) is not installed: ``pip install build123d``."""


def _kernel() -> Any:
    try:
        import build123d
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise CadUnavailable(
            "STEP export needs build123d (OpenCascade); install it with "
            "'pip install build123d' or the project's 'cad' extra"
        ) from error
    return build123d


def _mm(um: float) -> float:
    return um / 1000.0


def _solids(design: Design, layout: Layout) -> list[Any]:
    """Every solid of the package, labelled."""
    bd = _kernel()
    rules, pkg = design.rules, layout.package
    lo = (bd.Align.MIN, bd.Align.MIN, bd.Align.MIN)

    def slab(x: float, y: float, z: float, w: float, ln: float, h: float, name: str) -> Any:
        solid = bd.Pos(_mm(x), _mm(y), _mm(z)) * bd.Box(_mm(w), _mm(ln), _mm(h), align=lo)
        solid.label = name
        return solid

    out: list[Any] = []
    z = rules.ball_height_um
    if rules.substrate_thickness_um:
        out.append(
            slab(
                pkg.x_um,
                pkg.y_um,
                z,
                pkg.width_um,
                pkg.length_um,
                rules.substrate_thickness_um,
                "substrate",
            )
        )
        z += rules.substrate_thickness_um
    for i in range(rules.rdl_layers if rules.rdl_layer_thickness_um else 0):
        out.append(
            slab(
                pkg.x_um,
                pkg.y_um,
                z,
                pkg.width_um,
                pkg.length_um,
                rules.rdl_layer_thickness_um,
                f"rdl-{i}",
            )
        )
        z += rules.rdl_layer_thickness_um
    cut_from_mold: list[Any] = []
    pop = pop_structure(design, layout)
    if pop is not None:  # the top package's substrate, over the whole package
        top_t = pop.top_substrate_top_um - pop.top_substrate_bottom_um
        z0 = pop.top_substrate_bottom_um
        out.append(
            slab(pkg.x_um, pkg.y_um, z0, pkg.width_um, pkg.length_um, top_t, "top-substrate")
        )
        cut_from_mold.append(out[-1])
    for p in ordered_placements(layout):
        die = design.die(p.die_id)
        body = slab(
            p.x_um, p.y_um, p.z_bottom_um, p.width_um, p.length_um, p.thickness_um, p.die_id
        )
        out.append(body)
        lower = None if p.on_die is None else design.die(p.on_die)
        joint = rules.joint_um(die, lower, film_over_wire=p.film_over_wire)
        if rules.on_top_package(die, lower) and not p.film_over_wire:
            joint = rules.joint_layers(die, lower)[-1].thickness_um  # PoP: its own attach
        if joint:
            above = is_bottom(p) or rules.fan_out.flipped  # joint on the die's back
            jz = p.z_top_um if above else p.z_bottom_um - joint
            out.append(
                slab(p.x_um, p.y_um, jz, p.width_um, p.length_um, joint, f"joint-{p.die_id}")
            )
            if not is_bottom(p):
                cut_from_mold.append(out[-1])
        if not is_bottom(p):
            cut_from_mold.append(body)
    base = rules.base_thickness_um
    if layout.thickness_um > base:
        mold = slab(
            pkg.x_um,
            pkg.y_um,
            base,
            pkg.width_um,
            pkg.length_um,
            layout.thickness_um - base,
            "mold",
        )
        if cut_from_mold:
            mold = mold - cut_from_mold
        mold.label = "mold"
        out.append(mold)
    out += _balls(design, layout)
    out += _wires(design, layout)
    return out


def _balls(design: Design, layout: Layout) -> list[Any]:
    """Board balls (the ball map, or the drawings' picture grid), cut flat at the seating
    plane and the substrate: instances of one ball per diameter."""
    bd = _kernel()
    h = design.rules.ball_height_um
    if not h:
        return []
    shapes: dict[float, Any] = {}
    copies = []
    for cx, cy, d in ball_sites_um(layout):
        if d not in shapes:
            shapes[d] = bd.Sphere(_mm(d) / 2) & bd.Box(_mm(d), _mm(d), _mm(h))
            shapes[d].label = "ball"
        copies.append(shapes[d].moved(bd.Location((_mm(cx), _mm(cy), _mm(h) / 2))))
    # One sub-assembly of instances: STEP writes each ball's geometry once.
    return [bd.Compound(label="balls", children=copies)] if copies else []


def _wires(design: Design, layout: Layout) -> list[Any]:
    """A few wires per bonded edge on the bond plan's path, swept 25 µm circles."""
    bd = _kernel()
    out = []
    for die_id, side, k, path in wire_paths_um(design, layout, WIRES_PER_EDGE):
        # A wire whose descent starts at its pad has its middle points coincide: once each.
        points = [tuple(_mm(v) for v in point) for point in dict.fromkeys(path)]
        curve = bd.Spline(*points)
        profile = bd.Plane(curve @ 0, z_dir=curve % 0) * bd.Circle(_mm(WIRE_DIAMETER_UM) / 2)
        wire = bd.sweep(profile, curve)
        wire.label = f"wire-{die_id}-{side.value}-{k}"
        out.append(wire)
    return out


_STAMP = re.compile(rb"(FILE_NAME\('[^']*',)'[^']*'")
_NAUO = re.compile(rb"(NEXT_ASSEMBLY_USAGE_OCCURRENCE\()'\d+'")
_NAUO_ENTRY = re.compile(rb"NEXT_ASSEMBLY_USAGE_OCCURRENCE\([^;]*\);")


def to_step(design: Design, layout: Layout) -> bytes:
    """The package as a STEP AP214 assembly of named solids, in mm (deterministic bytes).

    Raises
    ------
    CadUnavailable
        When build123d is not installed.
    """
    bd = _kernel()
    assembly = bd.Compound(label=design.name, children=_solids(design, layout))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "package.step"
        bd.export_step(assembly, str(path))
        data = path.read_bytes()
    # The writer stamps the time into the header and numbers assembly links from a
    # process-wide counter: fix both, so the same layout gives the same bytes.
    data = _STAMP.sub(rb"\1'1970-01-01T00:00:00'", data, count=1)
    counter = iter(range(1, 1 << 30))
    data = _NAUO.sub(lambda m: b"%s'%d'" % (m.group(1), next(counter)), data)
    # The writer wraps long lines, so the counter's digits moved the breaks: one line each.
    return _NAUO_ENTRY.sub(lambda m: re.sub(rb"\n\s*", b"", m.group(0)), data)


def step_solid_names(data: bytes) -> list[str]:
    """The labels of the solids in a STEP file written by :func:`to_step` (read back)."""
    bd = _kernel()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "read.step"
        path.write_bytes(data)
        compound = bd.import_step(str(path))
    names = []
    for child in compound.children:
        names.append(child.label)
        names += [f"{child.label}/{c.label}" for c in getattr(child, "children", ())][:1]
    return sorted(names)
