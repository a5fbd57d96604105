"""STEP export: the package as named solids a mechanical engineer drops into device CAD.

Built with build123d (on the OpenCascade kernel, through the ``cadquery-ocp`` wheels), in
millimetres, z up from the seating plane, x east and y north as in the drawings. Solids:

- ``substrate`` and ``rdl-N``: slabs over the package outline;
- one solid per die, named by its id (``D0``), bottom-side parts among the balls;
- ``joint-<die>``: the die attach, bumps or bond line under each die;
- ``mold``: the mold body with the dies and joints cut out;
- ``balls``: an assembly of instances of one solder ball (spheres truncated at the
  seating plane and the substrate) on the picture pitch of the drawings (the layout places
  no ball map: domain_data.md §6 "Ball standoff at 0.4 mm pitch", E);
- ``wire-<die>-<edge>-K``: a few wire loops per wire-bonded pad edge, swept 25 µm circles.

build123d is imported lazily: it is a large optional dependency (the ``cad`` extra) and
only this module needs it. STEP files carry a timestamp; it is fixed, so the same layout
gives the same bytes.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from layoutopt.model import BondType, Design, Layout
from layoutopt.render.geometry import EDGES, finger_rings, is_bottom, ordered_placements
from layoutopt.render.section import BALL_PITCH_UM, PAD_INSET_UM

__all__ = ["CadUnavailable", "step_solid_names", "to_step"]

WIRES_PER_EDGE = 3  # representative loops per pad edge (the layout does not place pads)
WIRE_DIAMETER_UM = 25  # a common Au/Cu bond wire (domain_data.md §2.5, E)
BALL_DIAMETER_OVER_PITCH = 0.6  # the drawings' ball: 0.24 mm at 0.4 mm pitch (§1.5, E)


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
    for p in ordered_placements(layout):
        die = design.die(p.die_id)
        body = slab(
            p.x_um, p.y_um, p.z_bottom_um, p.width_um, p.length_um, p.thickness_um, p.die_id
        )
        out.append(body)
        lower = None if p.on_die is None else design.die(p.on_die)
        joint = rules.joint_um(die, lower)
        if joint:
            jz = p.z_top_um if is_bottom(p) else p.z_bottom_um - joint
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
    """Spheres on the picture pitch, cut flat at the seating plane and the substrate."""
    bd = _kernel()
    h, pkg = design.rules.ball_height_um, layout.package
    if not h:
        return []
    d = BALL_PITCH_UM * BALL_DIAMETER_OVER_PITCH
    # One ball, then moved copies: the kernel shares the geometry.
    ball = bd.Sphere(_mm(d) / 2) & bd.Box(_mm(d), _mm(d), _mm(h))
    nx, ny = max(1, pkg.width_um // BALL_PITCH_UM), max(1, pkg.length_um // BALL_PITCH_UM)
    x0 = pkg.x_um + (pkg.width_um - (nx - 1) * BALL_PITCH_UM) / 2
    y0 = pkg.y_um + (pkg.length_um - (ny - 1) * BALL_PITCH_UM) / 2
    bottom = [p.rect for p in layout.placements if is_bottom(p)]
    ball.label = "ball"
    copies = []
    for i in range(nx):
        for j in range(ny):
            cx, cy = x0 + i * BALL_PITCH_UM, y0 + j * BALL_PITCH_UM
            if any(
                b.x_um - d / 2 <= cx <= b.x_max_um + d / 2
                and b.y_um - d / 2 <= cy <= b.y_max_um + d / 2
                for b in bottom
            ):
                continue
            copies.append(ball.moved(bd.Location((_mm(cx), _mm(cy), _mm(h) / 2))))
    # One sub-assembly of instances of one ball: STEP writes its geometry once.
    return [bd.Compound(label="balls", children=copies)]


def _wires(design: Design, layout: Layout) -> list[Any]:
    """Loops from each wire-bonded pad edge to its finger ring, swept along a spline."""
    bd = _kernel()
    rules = design.rules
    rings = {(n, side): strip for n, side, strip in finger_rings(design, layout)}
    out = []
    for p in ordered_placements(layout):
        die = design.die(p.die_id)
        if die.bond is not BondType.WIRE_BOND or is_bottom(p):
            continue
        for edge in sorted(die.pad_edges_at(p.rotation_deg), key=lambda e: e.value):
            if (p.stack, edge) not in rings:
                continue
            geo, strip = EDGES[edge], rings[(p.stack, edge)]
            for k in range(WIRES_PER_EDGE):
                f = (k + 0.5) / WIRES_PER_EDGE
                if geo.axis == "x":
                    along = p.y_um + f * p.length_um
                    pad = (geo.coordinate_um(p.rect) - geo.outward * PAD_INSET_UM, along)
                    finger = (strip.x_um + strip.width_um / 2, along)
                else:
                    along = p.x_um + f * p.width_um
                    pad = (along, geo.coordinate_um(p.rect) - geo.outward * PAD_INSET_UM)
                    finger = (along, strip.y_um + strip.length_um / 2)
                peak = p.z_top_um + rules.wire_loop_um
                points = [
                    (_mm(pad[0]), _mm(pad[1]), _mm(p.z_top_um)),
                    (
                        _mm(pad[0] + (finger[0] - pad[0]) * 0.15),
                        _mm(pad[1] + (finger[1] - pad[1]) * 0.15),
                        _mm(peak),
                    ),
                    (_mm(finger[0]), _mm(finger[1]), _mm(rules.base_thickness_um)),
                ]
                path = bd.Spline(*points)
                profile = bd.Plane(path @ 0, z_dir=path % 0) * bd.Circle(_mm(WIRE_DIAMETER_UM) / 2)
                wire = bd.sweep(profile, path)
                wire.label = f"wire-{p.die_id}-{edge.value}-{k}"
                out.append(wire)
    return out


_STAMP = re.compile(rb"(FILE_NAME\('[^']*',)'[^']*'")
_NAUO = re.compile(rb"(NEXT_ASSEMBLY_USAGE_OCCURRENCE\()'\d+'")


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
    return _NAUO.sub(lambda m: b"%s'%d'" % (m.group(1), next(counter)), data)


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
