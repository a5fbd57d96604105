"""Drafting annotations: dimension lines, scale bar, north arrow, tables and legends."""

from __future__ import annotations

from collections.abc import Sequence

from layoutopt.render.canvas import Box, Group, Item, Line, Text, arrow_head, fmt, text_width_px
from layoutopt.render.geometry import nice_floor
from layoutopt.render.style import DIM, TEXT_PX

__all__ = ["dimension_h", "dimension_v", "legend", "north_arrow", "scale_bar", "table"]

_GAP = 3.0  # extension lines start this far from the object (drafting convention)


def mm_text(value_um: float) -> str:
    """Millimetres with up to three decimals (µm resolution)."""
    return f"{value_um / 1000:.3f}".rstrip("0").rstrip(".") + " mm" if value_um else "0 mm"


def dimension_h(
    x1: float, x2: float, y_obj: float, y_dim: float, label: str, css_class: str = "dimension"
) -> Group:
    """A horizontal dimension between x1 and x2, drawn at ``y_dim``, measured on ``y_obj``."""
    sign = 1.0 if y_dim >= y_obj else -1.0
    items: list[Item] = [
        Line(x1, y_obj + sign * _GAP, x1, y_dim + sign * 4, DIM, 0.6),
        Line(x2, y_obj + sign * _GAP, x2, y_dim + sign * 4, DIM, 0.6),
        Line(x1, y_dim, x2, y_dim, DIM, 0.8),
        arrow_head((x1, y_dim), (x2, y_dim), colour=DIM),
        arrow_head((x2, y_dim), (x1, y_dim), colour=DIM),
    ]
    size = TEXT_PX["dim"]
    mid = (x1 + x2) / 2
    if text_width_px(label, size) + 8 > abs(x2 - x1):  # too narrow: put the text beside
        items.append(Text(max(x1, x2) + 4, y_dim + size * 0.35, label, size))
    else:
        items.append(Text(mid, y_dim - 3, label, size, "middle"))
    return Group(tuple(items), css_class=css_class, title=label)


def dimension_v(
    y1: float,
    y2: float,
    x_obj: float,
    x_dim: float,
    label: str,
    css_class: str = "dimension",
    horizontal: bool = False,
) -> Group:
    """A vertical dimension between y1 and y2, drawn at ``x_dim``; text reads bottom-up,
    or level to the right of the line when ``horizontal`` (height callouts)."""
    sign = 1.0 if x_dim >= x_obj else -1.0
    items: list[Item] = [
        Line(x_obj + sign * _GAP, y1, x_dim + sign * 4, y1, DIM, 0.6),
        Line(x_obj + sign * _GAP, y2, x_dim + sign * 4, y2, DIM, 0.6),
        Line(x_dim, y1, x_dim, y2, DIM, 0.8),
        arrow_head((x_dim, y1), (x_dim, y2), colour=DIM),
        arrow_head((x_dim, y2), (x_dim, y1), colour=DIM),
    ]
    size = TEXT_PX["dim"]
    mid = (y1 + y2) / 2
    if horizontal:
        items.append(Text(x_dim + 4, mid + size * 0.36, label, size))
    elif text_width_px(label, size) + 8 > abs(y2 - y1):
        # Too short for the text between the arrows: write it beyond the upper end.
        items.append(
            Text(x_dim + size * 0.35, min(y1, y2) - 8, label, size, "start", rotate_deg=90.0)
        )
    else:
        items.append(Text(x_dim - 3, mid, label, size, "middle", rotate_deg=90.0))
    return Group(tuple(items), css_class=css_class, title=label)


def scale_bar(x: float, y: float, px_per_mm: float, max_px: float = 160.0) -> Group:
    """A scale bar of a round length in mm, alternately filled, with its length written."""
    step_mm = nice_floor(max_px / px_per_mm)
    seg = step_mm * px_per_mm / 2
    items: list[Item] = [
        Box(x, y, seg, 5, fill="#000000", stroke="#000000", stroke_width=0.6),
        Box(x + seg, y, seg, 5, fill="#ffffff", stroke="#000000", stroke_width=0.6),
        Text(x, y + 16, "0", TEXT_PX["small"], "middle"),
        Text(x + 2 * seg, y + 16, f"{fmt(step_mm)} mm", TEXT_PX["small"], "middle"),
    ]
    return Group(tuple(items), id="scale-bar", css_class="scale-bar")


def north_arrow(x: float, y: float, size: float = 24.0) -> Group:
    """An arrow pointing to +y of the layout (up on the sheet) marked N."""
    return Group(
        (
            Line(x, y + size, x, y + 6, DIM, 1.2),
            arrow_head((x, y), (x, y + size), size=9, colour=DIM),
            Text(x, y - 3, "N", TEXT_PX["label"], "middle", weight="bold"),
        ),
        id="north-arrow",
        css_class="north-arrow",
    )


def table(
    x: float,
    y: float,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    id: str,
    title: str = "",
    align: Sequence[str] = (),
    emphasis_rows: Sequence[int] = (),
    row_fill: Sequence[str] = (),
) -> Group:
    """A ruled table; ``align`` per column is start or end; returns a group of its cells."""
    size = TEXT_PX["small"]
    row_h = size + 6
    total_w = sum(widths)
    items: list[Item] = []
    top = y
    if title:
        items.append(
            Text(x, y + size + 2, title, TEXT_PX["label"], weight="bold", css_class="pinned")
        )
        top = y + row_h + 2
    all_rows = [list(header), *[list(r) for r in rows]]
    for r, row in enumerate(all_rows):
        ry = top + r * row_h
        fill = "#eeeeee" if r == 0 else (row_fill[r - 1] if r - 1 < len(row_fill) else "none")
        if fill != "none":
            items.append(Box(x, ry, total_w, row_h, fill=fill))
        cx = x
        for c, cell in enumerate(row):
            a = align[c] if c < len(align) else "start"
            tx = cx + 3 if a == "start" else cx + widths[c] - 3
            weight = "bold" if r == 0 or (r - 1) in emphasis_rows else "normal"
            items.append(
                Text(tx, ry + row_h - 4, cell, size, a, weight=weight, css_class="cell pinned")
            )
            cx += widths[c]
    height = top - y + len(all_rows) * row_h
    items.append(Box(x, top, total_w, len(all_rows) * row_h, stroke="#000000", stroke_width=0.8))
    for r in range(1, len(all_rows)):
        ry = top + r * row_h
        items.append(Line(x, ry, x + total_w, ry, "#999999", 0.4))
    cx = x
    for w in widths[:-1]:
        cx += w
        items.append(Line(cx, top, cx, top + len(all_rows) * row_h, "#999999", 0.4))
    return Group(tuple(items), id=id, css_class="table", data=(("height", fmt(height)),))


def table_height(rows: int, title: bool = True) -> float:
    """Height in pixels of :func:`table` with ``rows`` body rows."""
    row_h = TEXT_PX["small"] + 6
    return (row_h + 2 if title else 0.0) + (rows + 1) * row_h


def legend(
    x: float,
    y: float,
    entries: Sequence[tuple[str, str, float]],
    id: str = "legend",
    columns: int = 1,
    column_width: float = 110.0,
) -> Group:
    """Colour swatches with names: entries are (fill, label, opacity)."""
    size = TEXT_PX["small"]
    items: list[Item] = []
    for i, (fill, label, opacity) in enumerate(entries):
        col, row = i % columns, i // columns
        ex = x + col * column_width
        ey = y + row * (size + 6)
        items.append(
            Box(ex, ey, 12, size, fill=fill, stroke="#000000", stroke_width=0.5, opacity=opacity)
        )
        items.append(Text(ex + 16, ey + size - 1, label, size))
    return Group(tuple(items), id=id, css_class="legend")
