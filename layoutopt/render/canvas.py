"""Drawing primitives and their two painters: hand-written SVG and matplotlib.

Every view is built once as a tree of frozen primitives in *sheet pixels* (SVG user units,
96 per inch, y down). :func:`to_svg_document` writes the tree as semantic SVG (one ``<g>``
per die, ids and classes that tests and people can read); :func:`paint_matplotlib` draws
the same tree on a matplotlib figure for PDF and PNG, so the three formats never drift
apart and PDF/PNG need no system cairo.

Output is deterministic: numbers are written with a fixed format, nothing is random, and
callers pass children in a sorted order.

Examples
--------
>>> doc = to_svg_document(Drawing(40, 20, (Box(1, 2, 10, 5, fill="#ffffff"),)))
>>> doc.splitlines()[1]
'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
>>> fmt(1.006), fmt(2.0), fmt(-0.0)
('1.01', '2', '0')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "Box",
    "Curve",
    "Drawing",
    "Ellipse",
    "Group",
    "Item",
    "Line",
    "Poly",
    "Text",
    "fmt",
    "paint_matplotlib",
    "text_box",
    "text_width_px",
    "to_raster",
    "to_svg_document",
]

FONT_FAMILY = "DejaVu Sans, Arial, Helvetica, sans-serif"
# Labels are fitted with DejaVu Sans advance widths (the font matplotlib ships, so the PDF
# and PNG match the estimate exactly; SVG viewers without it fall back to a font of similar
# widths). Used when matplotlib cannot be read: measured mean over digits and capitals.
_FALLBACK_CHAR_WIDTH_EM = 0.62
# Vertical extent of a line of text around its baseline, as a fraction of the size:
# DejaVu Sans ascender 0.93 and descender 0.24 em; capitals and digits reach 0.73 em, so
# 0.76 above the baseline holds every label we write (no accents above capitals).
TEXT_ASCENT_EM = 0.76
TEXT_DESCENT_EM = 0.24


@lru_cache(maxsize=2)
def _advances(bold: bool) -> dict[str, float] | None:
    """Advance widths (em) of the glyphs of DejaVu Sans, or None without matplotlib."""
    try:
        from matplotlib import font_manager
        from matplotlib.ft2font import FT2Font, LoadFlags
    except ImportError:  # pragma: no cover - matplotlib is a core dependency
        return None
    path = font_manager.findfont(
        font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
    )
    font = FT2Font(path)
    font.set_size(100, 72)
    table: dict[str, float] = {}
    for code, _ in sorted(font.get_charmap().items()):
        if code < 0x3000:  # Latin, Greek, symbols: all a drawing writes
            glyph = font.load_char(code, flags=LoadFlags.NO_HINTING)
            table[chr(code)] = glyph.linearHoriAdvance / 65536 / 100
    return table


def fmt(value: float) -> str:
    """A coordinate as text: two decimals, no trailing zeros, no ``-0``."""
    text = f"{round(value + 0.0, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_width_px(text: str, size_px: float, bold: bool = False) -> float:
    """Width of ``text`` at ``size_px`` in DejaVu Sans (no kerning), for fitting labels.

    >>> round(text_width_px("W0", 10.0), 2)
    16.25
    """
    table = _advances(bold)
    if table is None:  # pragma: no cover
        return len(text) * size_px * _FALLBACK_CHAR_WIDTH_EM
    return sum(table.get(c, _FALLBACK_CHAR_WIDTH_EM) for c in text) * size_px


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle, (x, y) its top-left corner in sheet pixels."""

    x: float
    y: float
    width: float
    height: float
    fill: str = "none"
    stroke: str = "none"
    stroke_width: float = 1.0
    opacity: float = 1.0
    dash: tuple[float, ...] = ()
    css_class: str = ""


@dataclass(frozen=True)
class Ellipse:
    cx: float
    cy: float
    rx: float
    ry: float
    fill: str = "none"
    stroke: str = "none"
    stroke_width: float = 1.0
    css_class: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = "#000000"
    stroke_width: float = 1.0
    dash: tuple[float, ...] = ()
    css_class: str = ""


@dataclass(frozen=True)
class Poly:
    """A polyline, or a polygon when ``closed``."""

    points: tuple[tuple[float, float], ...]
    closed: bool = True
    fill: str = "none"
    stroke: str = "none"
    stroke_width: float = 1.0
    opacity: float = 1.0
    dash: tuple[float, ...] = ()
    css_class: str = ""


@dataclass(frozen=True)
class Curve:
    """A cubic Bézier from ``p0`` to ``p3`` (wire loops)."""

    p0: tuple[float, float]
    p1: tuple[float, float]
    p2: tuple[float, float]
    p3: tuple[float, float]
    stroke: str = "#000000"
    stroke_width: float = 1.0
    css_class: str = ""


@dataclass(frozen=True)
class Text:
    """Text anchored at (x, y) on its baseline; ``anchor`` is start, middle or end."""

    x: float
    y: float
    text: str
    size: float = 10.0
    anchor: str = "start"
    fill: str = "#000000"
    weight: str = "normal"
    rotate_deg: float = 0.0  # counter-clockwise, about (x, y)
    css_class: str = ""


@dataclass(frozen=True)
class Group:
    """Children translated by (dx, dy); ``id``/``css_class``/``data`` go to the SVG ``<g>``."""

    items: tuple[Item, ...]
    id: str = ""
    css_class: str = ""
    dx: float = 0.0
    dy: float = 0.0
    data: tuple[tuple[str, str], ...] = ()
    title: str = ""


Item = Box | Ellipse | Line | Poly | Curve | Text | Group


@dataclass(frozen=True)
class Drawing:
    """A whole picture: its size in pixels and its items, painted in order."""

    width: float
    height: float
    items: tuple[Item, ...] = field(default_factory=tuple)
    title: str = ""
    description: str = ""


# --------------------------------------------------------------------------- SVG


def _attrs(pairs: Iterable[tuple[str, Any]]) -> str:
    out = []
    for key, value in pairs:
        if value is None or value == "":
            continue
        text = (
            fmt(value)
            if isinstance(value, float | int) and not isinstance(value, bool)
            else str(value)
        )
        out.append(f"{key}={quoteattr(text)}")
    return (" " + " ".join(out)) if out else ""


def _paint_attrs(
    fill: str, stroke: str, width: float, opacity: float, dash: tuple[float, ...]
) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = [("fill", fill)]
    if opacity < 1.0:
        pairs.append(("fill-opacity", opacity))
    if stroke != "none":
        pairs += [("stroke", stroke), ("stroke-width", width)]
        if dash:
            pairs.append(("stroke-dasharray", " ".join(fmt(d) for d in dash)))
    return pairs


def _svg_items(items: Iterable[Item], indent: int) -> Iterator[str]:
    pad = "  " * indent
    for item in items:
        if isinstance(item, Group):
            transform = f"translate({fmt(item.dx)},{fmt(item.dy)})" if (item.dx or item.dy) else ""
            attrs = [("id", item.id), ("class", item.css_class), ("transform", transform)]
            attrs += [(f"data-{k}", v) for k, v in item.data]
            yield f"{pad}<g{_attrs(attrs)}>"
            if item.title:
                yield f"{pad}  <title>{escape(item.title)}</title>"
            yield from _svg_items(item.items, indent + 1)
            yield f"{pad}</g>"
        elif isinstance(item, Box):
            attrs = [
                ("class", item.css_class),
                ("x", item.x),
                ("y", item.y),
                ("width", item.width),
                ("height", item.height),
            ]
            attrs += _paint_attrs(
                item.fill, item.stroke, item.stroke_width, item.opacity, item.dash
            )
            yield f"{pad}<rect{_attrs(attrs)}/>"
        elif isinstance(item, Ellipse):
            attrs = [
                ("class", item.css_class),
                ("cx", item.cx),
                ("cy", item.cy),
                ("rx", item.rx),
                ("ry", item.ry),
            ]
            attrs += _paint_attrs(item.fill, item.stroke, item.stroke_width, 1.0, ())
            yield f"{pad}<ellipse{_attrs(attrs)}/>"
        elif isinstance(item, Line):
            attrs = [
                ("class", item.css_class),
                ("x1", item.x1),
                ("y1", item.y1),
                ("x2", item.x2),
                ("y2", item.y2),
            ]
            attrs += _paint_attrs("none", item.stroke, item.stroke_width, 1.0, item.dash)[1:]
            yield f"{pad}<line{_attrs(attrs)}/>"
        elif isinstance(item, Poly):
            points = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in item.points)
            attrs = [("class", item.css_class), ("points", points)]
            attrs += _paint_attrs(
                item.fill if item.closed else "none",
                item.stroke,
                item.stroke_width,
                item.opacity,
                item.dash,
            )
            tag = "polygon" if item.closed else "polyline"
            yield f"{pad}<{tag}{_attrs(attrs)}/>"
        elif isinstance(item, Curve):
            d = "M {} {} C {} {} {} {} {} {}".format(
                *(fmt(v) for p in (item.p0, item.p1, item.p2, item.p3) for v in p)
            )
            attrs = [("class", item.css_class), ("d", d)]
            attrs += _paint_attrs("none", item.stroke, item.stroke_width, 1.0, ())
            yield f"{pad}<path{_attrs(attrs)}/>"
        elif isinstance(item, Text):
            transform = (
                f"rotate({fmt(-item.rotate_deg)},{fmt(item.x)},{fmt(item.y)})"
                if item.rotate_deg
                else ""
            )
            attrs = [
                ("class", item.css_class),
                ("x", item.x),
                ("y", item.y),
                ("font-size", item.size),
                ("text-anchor", "" if item.anchor == "start" else item.anchor),
                ("font-weight", "" if item.weight == "normal" else item.weight),
                ("fill", "" if item.fill == "#000000" else item.fill),
                ("transform", transform),
            ]
            yield f"{pad}<text{_attrs(attrs)}>{escape(item.text)}</text>"
        else:  # pragma: no cover - the Item union is closed
            raise TypeError(f"not a drawing item: {item!r}")


def to_svg_document(drawing: Drawing) -> str:
    """The drawing as a standalone SVG document (UTF-8 text, trailing newline)."""
    w, h = fmt(drawing.width), fmt(drawing.height)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
    ]
    if drawing.title:
        lines.append(f"  <title>{escape(drawing.title)}</title>")
    if drawing.description:
        lines.append(f"  <desc>{escape(drawing.description)}</desc>")
    lines.append(f'  <g font-family="{FONT_FAMILY}">')
    lines.extend(_svg_items(drawing.items, 2))
    lines.append("  </g>")
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- matplotlib


def _mpl_dash(dash: tuple[float, ...], width: float) -> Any:
    if not dash:
        return "solid"
    # matplotlib scales dash lengths by the line width; SVG does not.
    return (0, tuple(d / max(width, 0.1) for d in dash))


@lru_cache(maxsize=1024)
def _rgba(colour: str, opacity: float) -> tuple[float, ...]:
    from matplotlib.colors import to_rgba

    return to_rgba(colour, opacity)


_RASTER_RUN = 400  # filled boxes in one run beyond which a PDF gets them as a bitmap


class _MatplotlibPainter:
    """Paints primitives on one matplotlib axes, in order (each artist gets the next z).

    Runs of plain filled boxes (thermal cells) and of plain solid lines become one
    collection each: one artist per cell makes a sheet with a thermal map take seconds.
    """

    PT = 72.0 / 96.0  # points per sheet pixel

    def __init__(self, ax: Any, text_as_paths: bool = True) -> None:
        self.ax = ax
        self.text_as_paths = text_as_paths
        self.z = 0
        self.fills: list[tuple[list[tuple[float, float]], tuple[float, ...]]] = []
        self.lines: list[tuple[list[tuple[float, float]], str, float]] = []
        self.ellipses: list[Ellipse] = []  # offset already applied
        self.texts: list[tuple[Text, float, float]] = []

    def order(self) -> int:
        self.z += 1
        return self.z

    # --- batched runs -------------------------------------------------------------------
    def flush(self) -> None:
        import numpy as np
        from matplotlib.collections import EllipseCollection, LineCollection, PolyCollection

        if self.fills:
            self.ax.add_collection(
                PolyCollection(
                    np.array([f[0] for f in self.fills]),  # one array: matplotlib's fast path
                    facecolors=[f[1] for f in self.fills],
                    edgecolors="none",
                    linewidths=0,
                    zorder=self.order(),
                    # A large run is a thermal map: a bitmap in a PDF (thousands of vector
                    # cells take seconds to write and to open, and show nothing more).
                    rasterized=len(self.fills) > _RASTER_RUN,
                ),
                autolim=False,
            )
            self.fills.clear()
        if self.lines:
            self.ax.add_collection(
                LineCollection(
                    [seg[0] for seg in self.lines],
                    colors=[seg[1] for seg in self.lines],
                    linewidths=[seg[2] * self.PT for seg in self.lines],
                    capstyle="butt",
                    zorder=self.order(),
                ),
                autolim=False,
            )
            self.lines.clear()
        if self.ellipses:
            es = self.ellipses
            self.ax.add_collection(
                EllipseCollection(
                    [2 * e.rx for e in es],
                    [2 * e.ry for e in es],
                    [0.0] * len(es),
                    units="xy",
                    offsets=[(e.cx, e.cy) for e in es],
                    offset_transform=self.ax.transData,
                    facecolors=[e.fill for e in es],
                    edgecolors=[e.stroke for e in es],
                    linewidths=[e.stroke_width * self.PT if e.stroke != "none" else 0 for e in es],
                    zorder=self.order(),
                ),
                autolim=False,
            )
            self.ellipses.clear()
        if self.texts:
            self._flush_texts()

    def batch(self, item: Item, ox: float, oy: float) -> bool:
        """Add ``item`` to a run if it is a plain fill or a solid line; False otherwise."""
        if isinstance(item, Text) and self.text_as_paths:
            if self.lines or self.fills or self.ellipses:
                self.flush()
            self.texts.append((item, ox, oy))
            return True
        if isinstance(item, Ellipse):
            if self.lines or self.fills or self.texts:
                self.flush()
            self.ellipses.append(replace(item, cx=ox + item.cx, cy=oy + item.cy))
            return True
        if isinstance(item, Box) and item.stroke == "none" and item.fill != "none":
            if self.lines or self.ellipses or self.texts:
                self.flush()
            x, y = ox + item.x, oy + item.y
            corners = [(x, y), (x + item.width, y), (x + item.width, y + item.height)]
            self.fills.append(([*corners, (x, y + item.height)], _rgba(item.fill, item.opacity)))
            return True
        if isinstance(item, Line) and not item.dash:
            if self.fills or self.ellipses or self.texts:
                self.flush()
            segment = [(ox + item.x1, oy + item.y1), (ox + item.x2, oy + item.y2)]
            self.lines.append((segment, item.stroke, item.stroke_width))
            return True
        return False

    # --- one method per primitive -------------------------------------------------------
    def paint(self, items: Iterable[Item], ox: float, oy: float) -> None:
        for item in items:
            if self.batch(item, ox, oy):
                continue
            self.flush()
            getattr(self, "paint_" + type(item).__name__.lower())(item, ox, oy)

    def paint_group(self, item: Group, ox: float, oy: float) -> None:
        self.paint(item.items, ox + item.dx, oy + item.dy)

    def _outline(
        self,
        patch_type: Any,
        *args: Any,
        fill: str,
        opacity: float,
        stroke: str,
        width: float,
        dash: tuple[float, ...],
        **kw: Any,
    ) -> None:
        if fill != "none":
            self.ax.add_artist(
                patch_type(
                    *args,
                    facecolor=fill,
                    alpha=opacity,
                    edgecolor="none",
                    zorder=self.order(),
                    **kw,
                )
            )
        if stroke != "none":
            self.ax.add_artist(
                patch_type(
                    *args,
                    facecolor="none",
                    edgecolor=stroke,
                    linewidth=width * self.PT,
                    linestyle=_mpl_dash(dash, width),
                    zorder=self.order(),
                    **kw,
                )
            )

    def paint_box(self, item: Box, ox: float, oy: float) -> None:
        from matplotlib.patches import Rectangle

        self._outline(
            Rectangle,
            (ox + item.x, oy + item.y),
            item.width,
            item.height,
            fill=item.fill,
            opacity=item.opacity,
            stroke=item.stroke,
            width=item.stroke_width,
            dash=item.dash,
        )

    def paint_ellipse(self, item: Ellipse, ox: float, oy: float) -> None:
        from matplotlib.patches import Ellipse as MplEllipse

        self._outline(
            MplEllipse,
            (ox + item.cx, oy + item.cy),
            2 * item.rx,
            2 * item.ry,
            fill=item.fill,
            opacity=1.0,
            stroke=item.stroke,
            width=item.stroke_width,
            dash=(),
        )

    def _polyline(
        self, pts: list[tuple[float, float]], stroke: str, width: float, dash: tuple[float, ...]
    ) -> None:
        self.ax.plot(
            [p[0] for p in pts],
            [p[1] for p in pts],
            color=stroke,
            linewidth=width * self.PT,
            linestyle=_mpl_dash(dash, width),
            zorder=self.order(),
            solid_capstyle="butt",
        )

    def paint_line(self, item: Line, ox: float, oy: float) -> None:
        pts = [(ox + item.x1, oy + item.y1), (ox + item.x2, oy + item.y2)]
        self._polyline(pts, item.stroke, item.stroke_width, item.dash)

    def paint_poly(self, item: Poly, ox: float, oy: float) -> None:
        from matplotlib.patches import Polygon

        pts = [(ox + x, oy + y) for x, y in item.points]
        if item.closed:
            self._outline(
                Polygon,
                pts,
                fill=item.fill,
                opacity=item.opacity,
                stroke=item.stroke,
                width=item.stroke_width,
                dash=item.dash,
                closed=True,
            )
        else:
            self._polyline(pts, item.stroke, item.stroke_width, item.dash)

    def paint_curve(self, item: Curve, ox: float, oy: float) -> None:
        from matplotlib.patches import PathPatch
        from matplotlib.path import Path as MplPath

        verts = [(ox + x, oy + y) for x, y in (item.p0, item.p1, item.p2, item.p3)]
        codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4]
        self.ax.add_artist(
            PathPatch(
                MplPath(verts, codes),
                facecolor="none",
                edgecolor=item.stroke,
                linewidth=item.stroke_width * self.PT,
                zorder=self.order(),
            )
        )

    def _flush_texts(self) -> None:
        """A run of texts as one collection of glyph outlines (DejaVu Sans, as measured).

        One matplotlib text artist per label costs milliseconds to lay out and draw; the
        outlines of each string are made once and placed by an affine transform.
        """
        from matplotlib.collections import PathCollection
        from matplotlib.transforms import Affine2D

        paths, colours = [], []
        for item, ox, oy in self.texts:
            glyphs = _glyph_path(item.text, item.weight == "bold")
            w = text_width_px(item.text, item.size, item.weight == "bold")
            shift = {"start": 0.0, "middle": -w / 2, "end": -w}[item.anchor]
            transform = (
                Affine2D()
                .scale(item.size)
                .translate(shift, 0.0)
                .rotate_deg(item.rotate_deg)
                .scale(1.0, -1.0)  # the sheet's y runs down
                .translate(ox + item.x, oy + item.y)
            )
            paths.append(transform.transform_path(glyphs))
            colours.append(item.fill)
        self.ax.add_collection(
            PathCollection(
                paths,
                facecolors=colours,
                edgecolors="none",
                linewidths=0,
                offset_transform=None,
                zorder=self.order(),
            ),
            autolim=False,
        )
        self.texts.clear()

    def paint_text(self, item: Text, ox: float, oy: float) -> None:
        if self.text_as_paths:
            self.texts.append((item, ox, oy))
            return
        self.ax.text(
            ox + item.x,
            oy + item.y,
            item.text,
            fontsize=item.size * self.PT,
            ha={"start": "left", "middle": "center", "end": "right"}[item.anchor],
            va="baseline",
            color=item.fill,
            fontweight=item.weight,
            rotation=item.rotate_deg,
            rotation_mode="anchor",
            zorder=self.order(),
            family="DejaVu Sans",
        )


@lru_cache(maxsize=4096)
def _glyph_path(text: str, bold: bool) -> Any:
    """The outline of ``text`` at size 1 (baseline at y = 0, y up), cached per string."""
    import numpy as np
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path as MplPath
    from matplotlib.textpath import TextPath

    if not text.strip():
        return MplPath(np.zeros((0, 2)))
    prop = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
    # Dollar signs are text here, not mathtext.
    return TextPath((0, 0), text.replace("$", r"\$"), size=1.0, prop=prop)


def paint_matplotlib(drawing: Drawing, dpi: float = 96.0, text_as_paths: bool = True) -> Any:
    """A matplotlib ``Figure`` showing ``drawing`` at its pixel size (96 px per inch).

    ``text_as_paths`` draws the texts as glyph outlines in one collection (fast; in a PDF
    they are then shapes, not searchable text); False makes one text artist per label."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(drawing.width / 96.0, drawing.height / 96.0), dpi=dpi)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, drawing.width)
    ax.set_ylim(drawing.height, 0)
    ax.set_axis_off()
    painter = _MatplotlibPainter(ax, text_as_paths)
    painter.paint(drawing.items, 0.0, 0.0)
    painter.flush()
    return fig


def to_raster(drawing: Drawing, fmt: str, dpi: float) -> bytes:
    """The drawing as PDF or PNG bytes, with no dates or versions in the file (the same
    drawing gives the same bytes). PNGs are compressed lightly: zlib level 1 writes a
    sheet in a quarter of the default's time for a file about a third larger."""
    import io

    buffer = io.BytesIO()
    if fmt == "pdf":
        metadata: dict[str, Any] = {"CreationDate": None, "Producer": None, "Creator": None}
        paint_matplotlib(drawing).savefig(buffer, format="pdf", dpi=dpi, metadata=metadata)
    else:
        paint_matplotlib(drawing).savefig(
            buffer,
            format=fmt,
            dpi=dpi,
            metadata={"Software": None},
            pil_kwargs={"compress_level": 1},
        )
    return buffer.getvalue()


def text_box(item: Text, ox: float = 0.0, oy: float = 0.0) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1, sheet pixels) a text covers, offset by (ox, oy).

    Rotation is about the anchor point, counter-clockwise (0 and 90 degrees are exact;
    other angles get the box of the rotated rectangle).

    >>> text_box(Text(10, 20, "AB", 10.0, "middle"))
    (3.15, 12.4, 16.85, 22.4)
    """
    w = text_width_px(item.text, item.size, item.weight == "bold")
    a0 = {"start": 0.0, "middle": -w / 2, "end": -w}[item.anchor]
    u0, u1 = a0, a0 + w
    v0, v1 = -TEXT_ASCENT_EM * item.size, TEXT_DESCENT_EM * item.size  # y down
    corners = [(u0, v0), (u1, v0), (u1, v1), (u0, v1)]
    if item.rotate_deg:
        c, s = math.cos(math.radians(item.rotate_deg)), math.sin(math.radians(item.rotate_deg))
        # Counter-clockwise on the sheet (y down): (u, v) -> (u c + v s, -u s + v c).
        corners = [(u * c + v * s, -u * s + v * c) for u, v in corners]
    xs = [ox + item.x + u for u, _ in corners]
    ys = [oy + item.y + v for _, v in corners]
    return (round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2))


def arrow_head(
    tip: tuple[float, float],
    toward: tuple[float, float],
    size: float = 6.0,
    colour: str = "#000000",
) -> Poly:
    """A filled arrow head at ``tip`` pointing away from ``toward``."""
    dx, dy = tip[0] - toward[0], tip[1] - toward[1]
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    bx, by = tip[0] - ux * size, tip[1] - uy * size
    w = size * 0.35
    return Poly(
        ((tip[0], tip[1]), (bx - uy * w, by + ux * w), (bx + uy * w, by - ux * w)), fill=colour
    )
