"""The ball-out: how many balls a package needs, and the ball map its outline holds.

A package's balls follow from its dies' interfaces (reference data §10.1: the signals of
each LPDDR channel, eMMC bus or UFS link) and its family's power/ground share, unless the
design gives the count. The map is a regular array at the family's pitch, centred on the
body (JEDEC: SD/SE offsets centre the array, domain_data.md §10.3), full or in perimeter
rows, with sites left empty under bottom-side parts and ball keep-outs; a PoP adds the
ring of interface balls outside its bottom mold. Everything here is a pure function of the
core values (:mod:`layoutopt.model`); the solver, the validator and the drawings share the
*counting* (:func:`sites_along`, :func:`pattern_sites`), each checks the map on its own.

Site count along one side of length ``L`` at pitch ``p`` with ball diameter ``d`` and
ball-edge-to-body-edge clearance ``c``: ball centres must lie at least ``c + d/2`` inside
each edge, so ``n = floor((L - 2c - d) / p) + 1``. A perimeter array of ``k`` rows on
``n_x x n_y`` sites keeps ``n_x n_y - (n_x - 2k)(n_y - 2k)`` of them.

Examples
--------
The legacy 12 x 12 mm LPDDR2 PoP packages of reference data §1.3 (Micron WFBGA-216 and
WFBGA-168) are two perimeter rows at 0.4 and 0.5 mm pitch: with 0.25 mm clearance and
0.25 / 0.30 mm balls (§1.5) the formula gives exactly their ball counts:

>>> n = sites_along(12000, 400, 250, 250)
>>> n, pattern_sites(n, n, 2)
(29, 216)
>>> n = sites_along(12000, 500, 300, 250)
>>> n, pattern_sites(n, n, 2)
(23, 168)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from layoutopt.model import (
    BallArray,
    BallMap,
    BallRole,
    BondType,
    Corner,
    Design,
    Family,
    InterfaceRole,
    Placement,
    Rect,
    Side,
)

__all__ = [
    "BallRequirement",
    "SignalCount",
    "ball_name",
    "ball_requirements",
    "bottom_mold",
    "grow_to_hold",
    "keepout_rects",
    "pattern_sites",
    "place_balls",
    "row_letters",
    "signal_counts",
    "sites_along",
    "too_close",
]


def sites_along(length_um: int, pitch_um: int, diameter_um: int, clearance_um: int) -> int:
    """Ball sites in one row across ``length_um`` (see the module docstring).

    >>> sites_along(8000, 350, 200, 250)
    21
    >>> sites_along(600, 350, 200, 250)
    0
    """
    if pitch_um <= 0:
        return 0
    room = length_um - 2 * clearance_um - diameter_um
    return room // pitch_um + 1 if room >= 0 else 0


def pattern_sites(columns: int, rows: int, perimeter_rows: int) -> int:
    """Sites of a ``columns x rows`` array: all of them, or its outer ``perimeter_rows``.

    >>> pattern_sites(21, 26, 2), pattern_sites(21, 26, 0), pattern_sites(3, 3, 2)
    (172, 546, 9)
    """
    if columns <= 0 or rows <= 0:
        return 0
    k = perimeter_rows
    inner = max(0, columns - 2 * k) * max(0, rows - 2 * k) if k > 0 else 0
    return columns * rows - inner


@dataclass(frozen=True)
class SignalCount:
    """Signals of one interface that leave the package on one ball array."""

    interface: str
    role: BallRole
    channels: int
    signals_each: int

    @property
    def signals(self) -> int:
        return self.channels * self.signals_each


@dataclass(frozen=True)
class BallRequirement:
    """What one ball array must provide: ``count`` balls at the pitch, full or perimeter.

    ``signals`` is the number of signal balls behind a derived count (0 when the design
    gives the count); ``basis`` says in words where the count comes from.
    """

    role: BallRole
    count: int
    pitch_um: int
    diameter_um: int
    perimeter_rows: int
    edge_clearance_um: int
    signals: int
    basis: str


def signal_counts(design: Design) -> tuple[SignalCount, ...]:
    """The signals that leave the package, per interface and ball array.

    Per interface name: ``R`` device channels (each die's count, over all dies) and ``H``
    host channels. Each host channel serves up to ``Interface.ranks`` device channels of
    different dies (chip selects), so ``min(H, R)`` channels are served inside the package
    (in a PoP, by the memory in the top package through the interface ring). Device
    channels left over go to the board, those of one part sharing channels as ranks
    (``count x ceil(dies / ranks)`` with no host at all); host channels left over go to
    the board where ``Interface.host_reaches_balls``. In name order (deterministic).
    """
    width: dict[str, int] = {}
    ranks: dict[str, int] = {}
    host: dict[str, int] = {}
    host_out: dict[str, bool] = {}
    per_part: dict[tuple[str, str], tuple[int, int]] = {}  # (count per die, dies)
    for die in design.dies:
        for itf in die.interfaces:
            width[itf.name] = max(width.get(itf.name, 0), itf.signals)
            ranks[itf.name] = max(1, itf.ranks)
            if itf.role is InterfaceRole.HOST:
                host[itf.name] = host.get(itf.name, 0) + itf.count
                host_out[itf.name] = itf.host_reaches_balls
            else:
                each, dies = per_part.get((itf.name, die.part), (0, 0))
                per_part[itf.name, die.part] = (max(each, itf.count), dies + 1)
    out = []
    for name in sorted(width):
        mine = [(each, dies) for (n, _), (each, dies) in sorted(per_part.items()) if n == name]
        raw = sum(each * dies for each, dies in mine)
        h, k = host.get(name, 0), ranks[name]
        served = min(h, raw)
        if h == 0:
            left = sum(each * math.ceil(dies / k) for each, dies in mine)
        else:
            left = math.ceil(max(0, raw - h * k) / k)
        board = left + ((h - served) if host_out.get(name, True) else 0)
        if design.family is Family.POP and served:
            out.append(SignalCount(name, BallRole.INTERFACE, served, width[name]))
        if board:
            out.append(SignalCount(name, BallRole.BOARD, board, width[name]))
    return tuple(out)


def ball_requirements(design: Design) -> tuple[BallRequirement, ...]:
    """The ball arrays ``design`` needs (board first), resolved from the design's ``balls``,
    its family's rules and its dies' interfaces. Empty when the family has no ball map; an
    array whose count comes out 0 (dies without interfaces) is not needed."""
    rules, spec = design.rules, design.balls
    pitch = spec.pitch_um if spec.pitch_um is not None else rules.ball_pitch_um
    if pitch <= 0:
        return ()
    counts = signal_counts(design)
    out = [
        _requirement(
            BallRole.BOARD,
            spec.count,
            counts,
            pitch,
            spec.diameter_um if spec.diameter_um is not None else rules.ball_diameter_um,
            spec.rows if spec.rows is not None else rules.ball_rows,
            design,
        )
    ]
    if design.family is Family.POP:
        ring_pitch = (
            spec.interface_pitch_um
            if spec.interface_pitch_um is not None
            else rules.pop_ball_pitch_um
        )
        if ring_pitch > 0:
            out.append(
                _requirement(
                    BallRole.INTERFACE,
                    spec.interface_count,
                    counts,
                    ring_pitch,
                    spec.interface_diameter_um
                    if spec.interface_diameter_um is not None
                    else rules.pop_ball_diameter_um,
                    spec.interface_rows if spec.interface_rows is not None else rules.pop_ball_rows,
                    design,
                )
            )
    return tuple(r for r in out if r.count > 0)


def _requirement(
    role: BallRole,
    given: int | None,
    counts: tuple[SignalCount, ...],
    pitch_um: int,
    diameter_um: int,
    perimeter_rows: int,
    design: Design,
) -> BallRequirement:
    ratio = design.rules.power_ground_ratio
    mine = [c for c in counts if c.role is role]
    signals = sum(c.signals for c in mine)
    if given is not None:
        count, basis, signals = given, "given by the design", 0
    else:
        # Integer arithmetic on the ratio's thousandths: the count must not depend on
        # float rounding (a ratio of 0.8 on 80 signals is 144 balls, not 144.00000000000003).
        count = -(-signals * (1000 + round(1000 * ratio)) // 1000)
        terms = " + ".join(f"{c.channels} x {c.interface} ({c.signals_each})" for c in mine)
        basis = f"{signals} signals ({terms or 'none'}) x (1 + {ratio:g} power/ground) = {count}"
    return BallRequirement(
        role=role,
        count=count,
        pitch_um=pitch_um,
        diameter_um=diameter_um,
        perimeter_rows=perimeter_rows,
        edge_clearance_um=design.rules.ball_edge_clearance_um,
        signals=signals,
        basis=basis,
    )


def grow_to_hold(
    design: Design, width_um: int, length_um: int, step_um: int, fits: Callable[[int, int], bool]
) -> tuple[int, int]:
    """An outline at least ``width x length`` (in steps of ``step_um``, each size accepted
    by ``fits``) whose full pattern has sites for every required array's count, growing the
    side that gains more sites per step; the largest it reaches when none holds.

    For starting layouts (warm starts): depopulation is not counted.

    >>> from layoutopt.model import BallSpec, Envelope, Family, ProcessRules
    >>> from shapely.geometry import box
    >>> rules = ProcessRules(Family.SIP, ball_pitch_um=400, ball_diameter_um=250,
    ...                      ball_edge_clearance_um=250)
    >>> d = Design("d", (), rules, Envelope(box(0, 0, 9000, 9000), 1000), balls=BallSpec(count=100))
    >>> grow_to_hold(d, 3000, 3000, 50, lambda w, l: max(w, l) <= 9000)
    (4350, 4350)
    """
    w, length = width_um, length_um
    requirements = ball_requirements(design)

    def least(w: int, length: int) -> int:
        return min(_sites_of(r, w, length) - r.count for r in requirements)

    while requirements and least(w, length) < 0:
        options = [
            (least(w + step_um, length), w <= length, (w + step_um, length)),
            (least(w, length + step_um), length < w, (w, length + step_um)),
        ]
        options = [o for o in options if fits(*o[2])]
        if not options:
            break
        w, length = max(options)[2]
    return w, length


def _sites_of(req: BallRequirement, width_um: int, length_um: int) -> int:
    nx = sites_along(width_um, req.pitch_um, req.diameter_um, req.edge_clearance_um)
    ny = sites_along(length_um, req.pitch_um, req.diameter_um, req.edge_clearance_um)
    return pattern_sites(nx, ny, req.perimeter_rows)


# --------------------------------------------------------------------------------------
# Geometry shared by construction and drawings
# --------------------------------------------------------------------------------------


def keepout_rects(design: Design, package: Rect) -> tuple[Rect, ...]:
    """The design's ball keep-outs in absolute µm (they are given about the package centre;
    an odd package size puts the centre half a micrometre west/south: floor)."""
    cx = package.x_um + package.width_um // 2
    cy = package.y_um + package.length_um // 2
    return tuple(
        Rect(cx + k.x_um, cy + k.y_um, k.width_um, k.length_um) for k in design.balls.keepouts
    )


def bottom_mold(design: Design, placements: Iterable[Placement]) -> Rect | None:
    """PoP: the bottom package's mold, the box of its top-side tier-0 flip-chip dies grown
    by ``rules.pop_mold_margin_um``; None for other families or with no such die."""
    if design.family is not Family.POP:
        return None
    dies = design.dies_by_id
    rects = [
        p.rect
        for p in placements
        if p.side is Side.TOP
        and p.tier == 0
        and p.die_id in dies
        and dies[p.die_id].bond is BondType.FLIP_CHIP
    ]
    if not rects:
        return None
    x0 = min(r.x_um for r in rects)
    y0 = min(r.y_um for r in rects)
    x1 = max(r.x_max_um for r in rects)
    y1 = max(r.y_max_um for r in rects)
    m = design.rules.pop_mold_margin_um
    return Rect(x0 - m, y0 - m, x1 - x0 + 2 * m, y1 - y0 + 2 * m)


def too_close(centre: tuple[int, int], diameter_um: int, clearance_um: int, rect: Rect) -> bool:
    """Whether a ball at ``centre`` comes nearer than ``clearance_um`` to ``rect`` (its edge
    to the rectangle; exact in integers on doubled coordinates).

    >>> too_close((0, 0), 200, 250, Rect(350, -50, 100, 100))
    False
    >>> too_close((0, 0), 200, 250, Rect(349, -50, 100, 100))
    True
    """
    x, y = centre
    dx = max(rect.x_um - x, 0, x - rect.x_max_um)
    dy = max(rect.y_um - y, 0, y - rect.y_max_um)
    reach = diameter_um + 2 * clearance_um  # twice (radius + clearance)
    return 4 * (dx * dx + dy * dy) < reach * reach


def _array(req: BallRequirement, package: Rect, obstacles: tuple[Rect, ...]) -> BallArray:
    p, d, c = req.pitch_um, req.diameter_um, req.edge_clearance_um
    columns = sites_along(package.width_um, p, d, c)
    rows = sites_along(package.length_um, p, d, c)
    x0 = package.x_um + (package.width_um - (columns - 1) * p) // 2
    y0 = package.y_um + (package.length_um - (rows - 1) * p) // 2
    grid = BallArray(req.role, p, d, x0, y0, columns, rows, req.perimeter_rows)
    empty = tuple(
        site
        for site in grid.sites()
        if any(too_close(grid.centre_um(*site), d, c, o) for o in obstacles)
    )
    return BallArray(req.role, p, d, x0, y0, columns, rows, req.perimeter_rows, empty)


def place_balls(design: Design, package: Rect, placements: Iterable[Placement]) -> BallMap | None:
    """The ball map of a package: for each required array, the largest centred grid the
    outline holds, its sites near bottom-side parts, ball keep-outs and (interface ring)
    the bottom mold left empty. None when the family has no ball map. Whether the map holds
    enough balls is the validator's question (``ball_map`` in docs/rules.md)."""
    requirements = ball_requirements(design)
    if not requirements:
        return None
    placed = tuple(placements)
    bottom = tuple(p.rect for p in placed if p.side is Side.BOTTOM)
    keepouts = keepout_rects(design, package)
    mold = bottom_mold(design, placed)
    arrays = []
    for req in requirements:
        if req.role is BallRole.INTERFACE:
            obstacles: tuple[Rect, ...] = (mold,) if mold is not None else ()
        else:
            obstacles = keepouts + bottom
        arrays.append(_array(req, package, obstacles))
    return BallMap(tuple(arrays), design.balls.a1)


# --------------------------------------------------------------------------------------
# Ball names
# --------------------------------------------------------------------------------------

# JEDEC ball designation (JESD95-1 SPP-010, domain_data.md §10.3, H): rows by letter from
# the A1 corner, columns by number; the letters I, O, Q, S, X and Z are not used (they read
# as digits or as each other), and after Y come AA, AB, ...
_LETTERS = "ABCDEFGHJKLMNPRTUVWY"


def row_letters(index: int) -> str:
    """The JEDEC letters of row ``index`` (0 is row A).

    >>> [row_letters(i) for i in (0, 7, 8, 19, 20, 21)]
    ['A', 'H', 'J', 'Y', 'AA', 'AB']
    """
    if index < len(_LETTERS):
        return _LETTERS[index]
    return row_letters(index // len(_LETTERS) - 1) + _LETTERS[index % len(_LETTERS)]


def ball_name(array: BallArray, column: int, row: int, a1: Corner) -> str:
    """The JEDEC name of site ``(column, row)`` with ball A1 at corner ``a1`` (top view).

    >>> a = BallArray(BallRole.BOARD, 400, 250, 0, 0, 3, 2)
    >>> ball_name(a, 0, 1, Corner.NORTH_WEST), ball_name(a, 2, 0, Corner.NORTH_WEST)
    ('A1', 'B3')
    """
    from_north = a1 in (Corner.NORTH_WEST, Corner.NORTH_EAST)
    from_west = a1 in (Corner.NORTH_WEST, Corner.SOUTH_WEST)
    r = array.rows - 1 - row if from_north else row
    c = column if from_west else array.columns - 1 - column
    return f"{row_letters(r)}{c + 1}"
