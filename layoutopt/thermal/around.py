"""Heat sources with a body around the package: where each one stands.

A design's ``thermal.bodies`` (:class:`~layoutopt.thermal_spec.HeatBody`, the file's
``thermal.around``) are parts that dissipate next to the package and conduct like their
materials: the GPU beside an HBM stack on the interposer, a camera module beside the
glasses' package, the host SoC an ePOP sits on. The package is placed by the solver, so a
body placed relative to it (``beside`` a side, or ``under`` it) gets its footprint only
here, from the layout; the checks that need the footprint (on the board, clear of the
package and of each other, under the housing) are made here too, with the body's field.

z frame (:mod:`layoutopt.thermal.stackup`): the package's seating plane stays at z = 0. A
body under the package fills ``[-h, 0]`` (``h`` its height) and the board top drops to
``-h``; bodies on the board stand on the board top.
"""

from __future__ import annotations

from shapely.geometry import Polygon, box

from layoutopt.errors import DesignError
from layoutopt.model import Design, Layout, Rect
from layoutopt.thermal_spec import BodySite, Compass, HeatBody

__all__ = ["board_top_um", "body_rect_um", "body_span_um", "check_bodies"]


def board_top_um(design: Design) -> int:
    """z of the board's top face (µm): 0, or the height of the body under the package."""
    return -design.thermal.under_height_um


def body_rect_um(body: HeatBody, package: Rect) -> tuple[int, int, int, int]:
    """The body's footprint (x0, y0, x1, y1), µm, for the package at ``package``.

    >>> from layoutopt.thermal_spec import BodyLayer
    >>> gpu = HeatBody("gpu", 1.0, (BodyLayer(100, "silicon"),), width_um=4000,
    ...                length_um=2000, side=Compass.WEST, gap_um=500)
    >>> body_rect_um(gpu, Rect(0, 0, 10_000, 11_000))
    (-4500, 4500, -500, 6500)
    """
    pkg = package
    if body.site is BodySite.UNDER_PACKAGE:
        w = pkg.width_um if body.width_um is None else body.width_um
        length = pkg.length_um if body.length_um is None else body.length_um
        x0 = pkg.x_um + (pkg.width_um - w) // 2
        y0 = pkg.y_um + (pkg.length_um - length) // 2
        return x0, y0, x0 + w, y0 + length
    w, length = body.width_um, body.length_um
    assert (
        w is not None and length is not None
    )  # ThermalSpec checked: bodies on the board have a size
    if body.side is None:
        assert body.x_um is not None and body.y_um is not None
        return body.x_um, body.y_um, body.x_um + w, body.y_um + length
    gap, off = body.gap_um, body.offset_um
    cx = pkg.x_um + (pkg.width_um - w) // 2 + off  # centred on a south / north side
    cy = pkg.y_um + (pkg.length_um - length) // 2 + off  # centred on a west / east side
    x0, y0 = {
        Compass.WEST: (pkg.x_um - gap - w, cy),
        Compass.EAST: (pkg.x_max_um + gap, cy),
        Compass.SOUTH: (cx, pkg.y_um - gap - length),
        Compass.NORTH: (cx, pkg.y_max_um + gap),
    }[body.side]
    return x0, y0, x0 + w, y0 + length


def body_span_um(design: Design, body: HeatBody) -> tuple[int, int]:
    """(z bottom, z top) of the body, µm."""
    if body.site is BodySite.UNDER_PACKAGE:
        return -body.height_um, 0
    z0 = board_top_um(design)
    return z0, z0 + body.height_um


def check_bodies(design: Design, layout: Layout, board: Polygon) -> None:
    """Every body on the board, clear of the package and of the other bodies, and below
    the housing; a :class:`DesignError` naming the body otherwise."""
    spec, pkg = design.thermal, layout.package
    package = box(pkg.x_um, pkg.y_um, pkg.x_max_um, pkg.y_max_um)
    placed: list[tuple[str, Polygon]] = []
    for body in spec.bodies:
        where = f"thermal.around[{body.name}]"
        x0, y0, x1, y1 = body_rect_um(body, pkg)
        foot = box(x0, y0, x1, y1)
        mm = f"x {x0 / 1000:g}..{x1 / 1000:g} mm, y {y0 / 1000:g}..{y1 / 1000:g} mm"
        if not board.buffer(1e-6).covers(foot):
            bx0, by0, bx1, by1 = board.bounds
            raise DesignError(
                f"the body ({mm}) is not on the board (x {bx0 / 1000:g}..{bx1 / 1000:g} mm, "
                f"y {by0 / 1000:g}..{by1 / 1000:g} mm)",
                field=f"{where}.beside" if body.side is not None else f"{where}.at",
                fix="move or shrink the body, or grow thermal.board.outline (or board_margin)",
            )
        if body.site is BodySite.BOARD and foot.intersection(package).area > 0:
            raise DesignError(
                f"the body ({mm}) overlaps the package "
                f"({pkg.width_um / 1000:g} x {pkg.length_um / 1000:g} mm at "
                f"{pkg.x_um / 1000:g}, {pkg.y_um / 1000:g} mm)",
                field=f"{where}.beside" if body.side is not None else f"{where}.at",
                fix="place it beside the package (beside: {side, gap}), or under it (under: true)",
            )
        for other, shape in placed:
            if foot.intersection(shape).area > 0 and body.site is BodySite.BOARD:
                raise DesignError(
                    f"the body overlaps the body {other!r}",
                    field=where,
                    fix="move one of them",
                )
        if body.site is BodySite.BOARD:
            placed.append((body.name, foot))
        _check_under_housing(design, layout, body, where)


def _check_under_housing(design: Design, layout: Layout, body: HeatBody, where: str) -> None:
    spec = design.thermal
    if not spec.has_housing or body.site is BodySite.UNDER_PACKAGE:
        return
    ceiling = layout.thickness_um + spec.housing_gap_um
    top = body_span_um(design, body)[1]
    if top > ceiling:
        raise DesignError(
            f"the body reaches {top} um, above the housing's inner face at {ceiling} um "
            "(package top + housing gap)",
            field=f"{where}.height" if len(body.layers) == 1 else f"{where}.layers",
            value=body.height_um,
            fix="lower the body, or widen thermal.housing_gap",
        )
