"""The bottom view: the ball map as a package drawing shows it, dimensioned.

Seen from below, so east is on the left (the view is the top view mirrored about its
vertical axis). Each ball is a circle at its diameter; a depopulated site is a ``+`` at its
theoretical centre (reference data §10.3, JEDEC drawing notes); ball A1 carries a filled
corner mark and the rows and columns their JEDEC names; bottom-side parts are outlined where
they hang among the balls, ball keep-outs dashed. Dimensions: body width and length, the
array's extent, the pitch. A PoP adds a second panel: the interface ring on the bottom
package's top, around its mold, seen from above.

Pure: :func:`build_bottom_view` returns a :class:`~layoutopt.render.canvas.Drawing`,
:func:`to_svg_bottom` its SVG text.
"""

from __future__ import annotations

from dataclasses import dataclass

from layoutopt.ballmap import ball_requirements, bottom_mold, keepout_rects, row_letters
from layoutopt.model import BallArray, BallRole, Corner, Design, Layout, Rect, Side
from layoutopt.render.annotate import dimension_h, dimension_v, mm_text
from layoutopt.render.canvas import (
    Box,
    Drawing,
    Ellipse,
    Group,
    Item,
    Line,
    Poly,
    Text,
    to_svg_document,
)
from layoutopt.render.style import DIM, KIND_FILL, OUTLINE, TEXT_PX

__all__ = ["build_bottom_view", "to_svg_bottom"]

_PANEL_PX = 420.0  # the longer package side, in pixels
_MARGIN = 70.0  # room for names and dimensions around a panel
_BALL = "#b0b0b0"


@dataclass(frozen=True)
class _Frame:
    """µm to pixels for one panel; ``mirror`` for the view from below."""

    pkg: Rect
    scale: float  # px per µm
    left: float
    top: float
    mirror: bool

    def x(self, x_um: float) -> float:
        along = (self.pkg.x_max_um - x_um) if self.mirror else (x_um - self.pkg.x_um)
        return self.left + along * self.scale

    def y(self, y_um: float) -> float:
        return self.top + (self.pkg.y_max_um - y_um) * self.scale

    def box(self, r: Rect) -> tuple[float, float, float, float]:
        xs = sorted((self.x(r.x_um), self.x(r.x_max_um)))
        return xs[0], self.y(r.y_max_um), xs[1] - xs[0], r.length_um * self.scale


def _balls(frame: _Frame, array: BallArray, css: str, dashed: bool = False) -> list[Item]:
    r = array.diameter_um / 2 * frame.scale
    items: list[Item] = []
    empty = set(array.depopulated)
    for c, row in array.sites():
        x_um, y_um = array.centre_um(c, row)
        cx, cy = frame.x(x_um), frame.y(y_um)
        if (c, row) in empty:
            arm = max(1.5, r * 0.7)
            items += [
                Line(cx - arm, cy, cx + arm, cy, DIM, 0.5, css_class="depopulated"),
                Line(cx, cy - arm, cx, cy + arm, DIM, 0.5, css_class="depopulated"),
            ]
        else:
            items.append(
                Ellipse(
                    cx,
                    cy,
                    r,
                    r,
                    fill="none" if dashed else _BALL,
                    stroke=OUTLINE,
                    stroke_width=0.4,
                    css_class=css,
                )
            )
    return items


def _a1_mark(frame: _Frame, a1: Corner) -> Item:
    """A filled triangle in the A1 corner of the body (as the package is marked)."""
    pkg = frame.pkg
    x_um = pkg.x_um if a1 in (Corner.NORTH_WEST, Corner.SOUTH_WEST) else pkg.x_max_um
    y_um = pkg.y_max_um if a1 in (Corner.NORTH_WEST, Corner.NORTH_EAST) else pkg.y_um
    x, y = frame.x(x_um), frame.y(y_um)
    size = 14.0
    sx = size if x <= frame.x((pkg.x_um + pkg.x_max_um) / 2) else -size
    sy = size if y <= frame.y((pkg.y_um + pkg.y_max_um) / 2) else -size
    # the label outside the corner, beside the mark
    lx = x - (10.0 if sx > 0 else -10.0)
    ly = y - (4.0 if sy > 0 else -4.0 - TEXT_PX["small"])
    return Group(
        (
            Poly(((x, y), (x + sx, y), (x, y + sy)), fill=OUTLINE),
            Text(lx, ly, "A1", TEXT_PX["small"], "middle", weight="bold"),
        ),
        css_class="a1-mark",
    )


def _names(frame: _Frame, array: BallArray, a1: Corner) -> list[Item]:
    """Row letters beside the array, column numbers over it (every k-th when crowded),
    counted from ball A1 as :func:`layoutopt.ballmap.ball_name` names them."""
    size = TEXT_PX["small"]
    pitch_px = array.pitch_um * frame.scale
    every = max(1, -int(-size * 2.2 // max(pitch_px, 1e-9)))
    from_west = a1 in (Corner.NORTH_WEST, Corner.SOUTH_WEST)
    from_north = a1 in (Corner.NORTH_WEST, Corner.NORTH_EAST)
    items: list[Item] = []
    top = frame.y(frame.pkg.y_max_um) - 6
    for c in range(array.columns):
        index = c if from_west else array.columns - 1 - c
        if index % every == 0:
            x = frame.x(array.centre_um(c, 0)[0])
            items.append(
                Text(x, top, str(index + 1), size, "middle", fill=DIM, css_class="column-name")
            )
    side = min(frame.x(frame.pkg.x_um), frame.x(frame.pkg.x_max_um)) - 6
    for r in range(array.rows):
        index = array.rows - 1 - r if from_north else r
        if index % every == 0:
            y = frame.y(array.centre_um(0, r)[1]) + size * 0.35
            items.append(
                Text(side, y, row_letters(index), size, "end", fill=DIM, css_class="row-name")
            )
    return items


def _dimensions(frame: _Frame, array: BallArray) -> list[Item]:
    pkg = frame.pkg
    x0, x1 = sorted((frame.x(pkg.x_um), frame.x(pkg.x_max_um)))
    y0, y1 = frame.y(pkg.y_max_um), frame.y(pkg.y_um)
    first = array.centre_um(0, 0)
    last = array.centre_um(array.columns - 1, array.rows - 1)
    ax0, ax1 = sorted((frame.x(first[0]), frame.x(last[0])))
    ay1, ay0 = frame.y(first[1]), frame.y(last[1])
    items: list[Item] = [
        dimension_h(x0, x1, y1, y1 + 34, mm_text(pkg.width_um)),
        dimension_v(y0, y1, x1, x1 + 40, mm_text(pkg.length_um)),
        dimension_h(ax0, ax1, y1, y1 + 16, mm_text(last[0] - first[0])),
        dimension_v(ay0, ay1, x1, x1 + 20, mm_text(last[1] - first[1])),
    ]
    if array.columns > 1:
        px0, px1 = sorted((frame.x(first[0]), frame.x(first[0] + array.pitch_um)))
        items.append(dimension_h(px0, px1, y0, y0 - 22, f"e {mm_text(array.pitch_um)}"))
    return items


def _caption(array: BallArray, need: int | None) -> str:
    pattern = (
        "full array" if array.perimeter_rows <= 0 else f"{array.perimeter_rows} perimeter rows"
    )
    text = (
        f"{array.ball_count} balls on {array.columns} x {array.rows} sites, {pattern}, "
        f"pitch {mm_text(array.pitch_um)}, ball {mm_text(array.diameter_um)}"
    )
    if array.depopulated:
        text += f", {len(array.depopulated)} depopulated (+)"
    return text + ("" if need is None else f"; {need} needed")


def _board_panel(
    design: Design, layout: Layout, array: BallArray, a1: Corner, frame: _Frame, need: int | None
) -> Group:
    pkg = layout.package
    items: list[Item] = [
        Box(*frame.box(pkg), fill="#f7f7f7", stroke=OUTLINE, stroke_width=1.2, css_class="body")
    ]
    for k in keepout_rects(design, pkg):
        items.append(
            Box(
                *frame.box(k),
                stroke="#d62728",
                stroke_width=0.8,
                dash=(4, 3),
                css_class="ball-keepout",
            )
        )
    for p in sorted(layout.placements, key=lambda p: p.die_id):
        if p.side is Side.BOTTOM:
            fill = KIND_FILL[design.die(p.die_id).kind]
            items.append(
                Group(
                    (Box(*frame.box(p.rect), fill=fill, stroke=OUTLINE, stroke_width=0.6),),
                    id=f"bottom-{p.die_id}",
                    css_class="bottom-part",
                    title=p.die_id,
                )
            )
    items += _balls(frame, array, "ball")
    items += [_a1_mark(frame, a1), *_names(frame, array, a1), *_dimensions(frame, array)]
    title_y = frame.top - 48
    items.append(
        Text(
            frame.left,
            title_y,
            "BOTTOM VIEW (balls up, east on the left)",
            TEXT_PX["label"],
            weight="bold",
        )
    )
    items.append(Text(frame.left, title_y + 13, _caption(array, need), TEXT_PX["small"], fill=DIM))
    return Group(tuple(items), id="bottom-view", css_class="bottom-view")


def _ring_panel(
    design: Design, layout: Layout, ring: BallArray, frame: _Frame, need: int | None
) -> Group:
    pkg = layout.package
    items: list[Item] = [
        Box(*frame.box(pkg), fill="#f7f7f7", stroke=OUTLINE, stroke_width=1.2, css_class="body")
    ]
    mold = bottom_mold(design, layout.placements)
    if mold is not None:
        items.append(
            Box(
                *frame.box(mold),
                fill="#d9d9d9",
                stroke=DIM,
                stroke_width=0.8,
                css_class="bottom-mold",
            )
        )
        x, y, w, h = frame.box(mold)
        items.append(
            Text(
                x + w / 2,
                y + h / 2,
                f"bottom mold {mm_text(mold.width_um)} x {mm_text(mold.length_um)}",
                TEXT_PX["small"],
                "middle",
            )
        )
    items += _balls(frame, ring, "interface-ball")
    items += _dimensions(frame, ring)
    title_y = frame.top - 48
    items.append(
        Text(
            frame.left,
            title_y,
            "POP INTERFACE RING (top of the bottom package)",
            TEXT_PX["label"],
            weight="bold",
        )
    )
    items.append(Text(frame.left, title_y + 13, _caption(ring, need), TEXT_PX["small"], fill=DIM))
    return Group(tuple(items), id="interface-ring", css_class="interface-ring")


def build_bottom_view(design: Design, layout: Layout) -> Drawing:
    """The bottom view (and, for a PoP, the interface ring) as a drawing."""
    pkg = layout.package
    ball_map = layout.ball_map
    scale = _PANEL_PX / max(pkg.width_um, pkg.length_um, 1)
    panel_w, panel_h = pkg.width_um * scale, pkg.length_um * scale
    needs = {r.role: r.count for r in ball_requirements(design)}
    height = panel_h + 2 * _MARGIN + 40
    board = None if ball_map is None else ball_map.array(BallRole.BOARD)
    if ball_map is None or board is None:
        note = Text(
            20, 30, f"{design.name}: no ball map (family {design.family.value})", TEXT_PX["label"]
        )
        return Drawing(420, 60, (Box(0, 0, 420, 60, fill="#ffffff"), note), title=design.name)
    frame = _Frame(pkg, scale, _MARGIN, _MARGIN + 20, mirror=True)
    groups: list[Item] = [
        _board_panel(design, layout, board, ball_map.a1, frame, needs.get(BallRole.BOARD))
    ]
    width = panel_w + 2 * _MARGIN + 40
    ring = ball_map.array(BallRole.INTERFACE)
    if ring is not None:
        right = _Frame(pkg, scale, width + _MARGIN, _MARGIN + 20, mirror=False)
        groups.append(_ring_panel(design, layout, ring, right, needs.get(BallRole.INTERFACE)))
        width += panel_w + 2 * _MARGIN + 40
    return Drawing(
        width,
        height,
        (Box(0, 0, width, height, fill="#ffffff"), *groups),
        title=f"{design.name} bottom view",
        description=_caption(board, needs.get(BallRole.BOARD)),
    )


def to_svg_bottom(design: Design, layout: Layout) -> str:
    """The bottom view as SVG text (deterministic)."""
    return to_svg_document(build_bottom_view(design, layout))
