"""DXF export (ezdxf): one layer per level, in millimetres, deterministic bytes."""

from __future__ import annotations

import io

from layoutopt.model import Design, Layout, Rect, Side
from layoutopt.render.dxf_ballout import BALLOUT_LAYERS, add_ballout
from layoutopt.render.geometry import finger_rings, ordered_placements

__all__ = ["dxf_layer_of", "to_dxf"]

# AutoCAD colour indices per layer kind (plain, prints well on white and black).
_COLOURS = {"PACKAGE": 7, "ENVELOPE": 5, "KEEPOUT": 1, "RINGS": 2, "BOTTOM": 8}
_TIER_COLOURS = (3, 4, 6, 30, 140, 200)


def dxf_layer_of(side: Side, tier: int) -> str:
    """The DXF layer of a die: ``TIER0``, ``TIER1``, ... or ``BOTTOM``."""
    return "BOTTOM" if side is Side.BOTTOM else f"TIER{tier}"


def _mm(um: float) -> float:
    return um / 1000.0


def _rect_points(r: Rect) -> list[tuple[float, float]]:
    return [
        (_mm(r.x_um), _mm(r.y_um)),
        (_mm(r.x_max_um), _mm(r.y_um)),
        (_mm(r.x_max_um), _mm(r.y_max_um)),
        (_mm(r.x_um), _mm(r.y_max_um)),
    ]


def to_dxf(design: Design, layout: Layout) -> bytes:
    """The top view as DXF R2010 in mm: layers PACKAGE, ENVELOPE, KEEPOUT, RINGS, TIER0..n,
    BOTTOM; each die a closed polyline with its id and part as TEXT on its tier's layer;
    balls, fingers and wires on their own layers (:mod:`layoutopt.render.dxf_ballout`).

    Byte-identical for the same layout: ezdxf's timestamps and GUIDs are fixed for the write.
    """
    # ezdxf writes the time and fresh GUIDs into every file (at creation and at write);
    # its own switch for fixed values is a process-wide option, so it is set only while
    # this document is built and written, then restored.
    import ezdxf  # here, not at import: it costs 1-3 s, and most commands draw no DXF

    previous = ezdxf.options.write_fixed_meta_data_for_testing
    ezdxf.options.write_fixed_meta_data_for_testing = True
    try:
        return _build_dxf(design, layout)
    finally:
        ezdxf.options.write_fixed_meta_data_for_testing = previous


def _build_dxf(design: Design, layout: Layout) -> bytes:
    import ezdxf
    from ezdxf import units

    doc = ezdxf.new("R2010", setup=False)
    doc.units = units.MM
    doc.header["$MEASUREMENT"] = 1  # metric
    msp = doc.modelspace()
    tiers = sorted(
        {(p.side, p.tier) for p in layout.placements}, key=lambda s: (s[0] is Side.BOTTOM, s[1])
    )
    tier_layers = list(dict.fromkeys(dxf_layer_of(side, tier) for side, tier in tiers))
    names = ["PACKAGE", "ENVELOPE", "KEEPOUT", "RINGS", *tier_layers]
    for name, colour in BALLOUT_LAYERS.items():
        doc.layers.add(name, color=colour)
    for name in names:
        colour = _COLOURS.get(name)
        if colour is None:
            colour = _TIER_COLOURS[int(name[4:]) % len(_TIER_COLOURS)] if name != "BOTTOM" else 8
        doc.layers.add(name, color=colour)
    msp.add_lwpolyline(_rect_points(layout.package), close=True, dxfattribs={"layer": "PACKAGE"})
    env = design.envelope
    msp.add_lwpolyline(
        [(_mm(x), _mm(y)) for x, y in list(env.outline.exterior.coords)[:-1]],
        close=True,
        dxfattribs={"layer": "ENVELOPE"},
    )
    for keepout in env.keepouts:
        msp.add_lwpolyline(
            [(_mm(x), _mm(y)) for x, y in list(keepout.exterior.coords)[:-1]],
            close=True,
            dxfattribs={"layer": "KEEPOUT"},
        )
    for _, _, strip in finger_rings(design, layout):
        msp.add_lwpolyline(_rect_points(strip), close=True, dxfattribs={"layer": "RINGS"})
    for p in ordered_placements(layout):
        layer = dxf_layer_of(p.side, p.tier)
        msp.add_lwpolyline(_rect_points(p.rect), close=True, dxfattribs={"layer": layer})
        height = max(0.05, min(_mm(p.length_um), _mm(p.width_um)) / 8)
        text = msp.add_text(
            f"{p.die_id} {design.die(p.die_id).part}",
            dxfattribs={"layer": layer, "height": round(height, 3)},
        )
        text.set_placement((_mm(p.x_um) + height / 2, _mm(p.y_um + p.length_um) - 1.5 * height))
    add_ballout(msp, design, layout)
    stream = io.StringIO()
    doc.write(stream)
    return _sorted_classes(stream.getvalue()).encode("utf-8")


def _sorted_classes(text: str) -> str:
    """The CLASSES section with its entries sorted.

    ezdxf adds some classes in the order of a set of entity types, which changes with the
    process's hash seed; DXF readers look classes up by name, so their order carries no
    meaning and sorting makes the bytes stable.
    """
    head = "  0\nSECTION\n  2\nCLASSES\n"
    start = text.find(head)
    if start < 0:
        return text
    body_start = start + len(head)
    end = text.index("  0\nENDSEC\n", body_start)
    marker = "  0\nCLASS\n"
    entries = [marker + chunk for chunk in text[body_start:end].split(marker) if chunk]
    return text[:body_start] + "".join(sorted(entries)) + text[end:]
