"""Rectangle-packing instances and answers: plain frozen values in integer micrometres.

The engine packs *blocks* (rectangles, optionally turned by 90°) without overlap, either
inside a fixed outline or in a free outline whose bounding-box area is minimised. It knows
nothing about dies, packages or file formats: callers translate their own model into a
:class:`PackProblem` and read a :class:`Packing` back.

Footprints
----------
Inside the engine every block is handled through its *footprint*: the body, plus its halo,
plus ``spacing_um`` on the east and north sides only. Packing footprints without overlap in
an outline widened by ``spacing_um`` on the east and north is exactly the same as packing
the halo-padded bodies with at least ``spacing_um`` between them and none required at the
outline edge. This keeps every algorithm a plain overlap-free packing, in integers.

Examples
--------
>>> b = Block("A", 30, 10, halo_um=(1, 2, 3, 4))
>>> b.size_um(rotated=True)
(10, 30)
>>> b.halo_at(rotated=True)  # west, south, east, north after a 90° CCW turn
(4, 1, 2, 3)
>>> p = PackProblem(blocks=(b,), outline_um=(50, 50), spacing_um=5)
>>> table = FootprintTable.of(p)
>>> table.size(0, rotated=False), table.body_offset(0, rotated=False)
((39, 21), (1, 2))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from layoutopt.errors import DesignError
from layoutopt.model import Rect

__all__ = [
    "Block",
    "FootprintTable",
    "PackProblem",
    "PackResult",
    "PackStatus",
    "Packing",
    "PlacedBlock",
    "ProgressCallback",
]


@dataclass(frozen=True)
class Block:
    """One rectangle to place.

    ``width_um`` is the x extent and ``length_um`` the y extent when not rotated.
    ``halo_um`` is extra room (west, south, east, north) that must stay free of other
    blocks and inside the outline; it turns with the block.
    """

    id: str
    width_um: int
    length_um: int
    rotatable: bool = True
    halo_um: tuple[int, int, int, int] = (0, 0, 0, 0)

    def size_um(self, rotated: bool) -> tuple[int, int]:
        """Body (x extent, y extent), turned by 90° when ``rotated``."""
        return (self.length_um, self.width_um) if rotated else (self.width_um, self.length_um)

    def halo_at(self, rotated: bool) -> tuple[int, int, int, int]:
        """Halo (west, south, east, north) after turning; a CCW turn moves west to south."""
        west, south, east, north = self.halo_um
        return (north, west, south, east) if rotated else (west, south, east, north)

    @property
    def area_um2(self) -> int:
        return self.width_um * self.length_um


@dataclass(frozen=True)
class PackProblem:
    """A packing instance.

    ``outline_um`` is the (width, length) of the fixed outline with its lower-left corner at
    the origin, or ``None`` for a free outline whose bounding-box area is minimised. With an
    outline, any packing that fits is an answer, unless ``minimize_area``: then the least
    bounding-box area that fits the outline is sought (a package in its envelope).
    ``nets`` lists block and terminal ids per net; ``terminals`` gives fixed pin positions
    ``(id, x_um, y_um)``; ``wirelength_weight`` (per µm of HPWL, against µm² of area in
    free-outline mode) trades wirelength against area.
    """

    blocks: tuple[Block, ...]
    outline_um: tuple[int, int] | None = None
    spacing_um: int = 0
    obstacles: tuple[Rect, ...] = ()
    nets: tuple[tuple[str, ...], ...] = ()
    terminals: tuple[tuple[str, int, int], ...] = ()
    wirelength_weight: float = 0.0
    minimize_area: bool = False

    def __post_init__(self) -> None:
        ids = [b.id for b in self.blocks]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise DesignError(
                "block ids must be unique",
                field="blocks",
                value=dup[0],
                fix="rename the duplicated blocks",
            )
        for index, b in enumerate(self.blocks):
            if b.width_um <= 0 or b.length_um <= 0:
                raise DesignError(
                    "block sizes must be positive",
                    field=f"blocks[{index}]",
                    value=(b.width_um, b.length_um),
                    fix="give a positive size",
                )
            if min(b.halo_um) < 0:
                raise DesignError(
                    "halo must be zero or positive",
                    field=f"blocks[{index}].halo_um",
                    value=b.halo_um,
                )
        if self.spacing_um < 0:
            raise DesignError(
                "spacing must be zero or positive", field="spacing_um", value=self.spacing_um
            )
        if self.outline_um is not None and min(self.outline_um) <= 0:
            raise DesignError(
                "outline must be positive",
                field="outline_um",
                value=self.outline_um,
                fix="give a positive outline or None",
            )
        if self.obstacles and self.outline_um is None:
            raise DesignError(
                "obstacles need a fixed outline",
                field="obstacles",
                fix="give outline_um or drop the obstacles",
            )

    @property
    def seeks_area(self) -> bool:
        """Is the bounding-box area minimised (free outline, or ``minimize_area``)?"""
        return self.outline_um is None or self.minimize_area

    @property
    def block_area_um2(self) -> int:
        return sum(b.area_um2 for b in self.blocks)

    def index(self) -> dict[str, int]:
        """Block id to its position in ``blocks``."""
        return {b.id: i for i, b in enumerate(self.blocks)}

    def on_grid(self, grid_um: int) -> PackProblem:
        """The problem in units of ``grid_um``, rounded so that any answer, scaled back by
        :meth:`Packing.from_grid`, is legal here: sizes, halos and spacing up, the outline
        down, obstacles outwards.

        >>> p = PackProblem((Block("A", 25, 10, halo_um=(1, 0, 0, 0)),), outline_um=(99, 50))
        >>> q = p.on_grid(10)
        >>> q.blocks[0], q.outline_um
        (Block(id='A', width_um=3, length_um=1, rotatable=True, halo_um=(1, 0, 0, 0)), (9, 5))
        """
        g = grid_um

        def up(v: int) -> int:
            return -(-v // g)

        blocks = tuple(
            Block(
                b.id,
                up(b.width_um),
                up(b.length_um),
                b.rotatable,
                tuple(up(h) for h in b.halo_um),  # type: ignore[arg-type]
            )
            for b in self.blocks
        )
        return PackProblem(
            blocks=blocks,
            outline_um=None
            if self.outline_um is None
            else (self.outline_um[0] // g, self.outline_um[1] // g),
            spacing_um=up(self.spacing_um),
            obstacles=tuple(
                Rect(
                    o.x_um // g,
                    o.y_um // g,
                    up(o.x_max_um) - o.x_um // g,
                    up(o.y_max_um) - o.y_um // g,
                )
                for o in self.obstacles
            ),
            nets=self.nets,
            terminals=tuple((t, round(x / g), round(y / g)) for t, x, y in self.terminals),
            wirelength_weight=self.wirelength_weight * g,
            minimize_area=self.minimize_area,
        )


@dataclass(frozen=True)
class PlacedBlock:
    """Where one block's body ended up: lower-left corner after turning."""

    id: str
    x_um: int
    y_um: int
    rotated: bool = False


@dataclass(frozen=True)
class Packing:
    """An answer: one placement per block, in the order of ``problem.blocks``.

    ``width_um`` and ``length_um`` are the bounding box from the origin of every body and
    halo (the spacing pad is not counted).
    """

    positions: tuple[PlacedBlock, ...]
    width_um: int
    length_um: int

    def by_id(self) -> dict[str, PlacedBlock]:
        return {p.id: p for p in self.positions}

    def from_grid(self, problem: PackProblem, grid_um: int) -> Packing:
        """A packing of ``problem.on_grid(grid_um)`` back in µm of ``problem``: corners
        scaled, the bounding box of the real bodies and halos."""
        g = grid_um
        blocks = {b.id: b for b in problem.blocks}
        placed = tuple(PlacedBlock(p.id, p.x_um * g, p.y_um * g, p.rotated) for p in self.positions)
        width = length = 0
        for p in placed:
            b = blocks[p.id]
            w, h = b.size_um(p.rotated)
            _, _, east, north = b.halo_at(p.rotated)
            width = max(width, p.x_um + w + east)
            length = max(length, p.y_um + h + north)
        return Packing(placed, width, length)

    @property
    def area_um2(self) -> int:
        return self.width_um * self.length_um


class PackStatus(StrEnum):
    OPTIMAL = "optimal"  # proven best (CP-SAT only)
    FEASIBLE = "feasible"  # legal packing found
    INFEASIBLE = "infeasible"  # proven: nothing fits
    NO_SOLUTION = "no_solution"  # time ran out before a legal packing

    @property
    def has_packing(self) -> bool:
        return self in (PackStatus.OPTIMAL, PackStatus.FEASIBLE)


@dataclass(frozen=True)
class PackResult:
    """Outcome of :func:`layoutopt.engine.pack`.

    ``history`` lists the improvements as ``(time_s, area_um2, source)``.
    """

    status: PackStatus
    packing: Packing | None
    dead_space: float | None
    bbox_um: tuple[int, int] | None
    time_s: float
    history: tuple[tuple[float, int, str], ...] = ()
    stats: dict[str, object] = field(default_factory=dict)


ProgressCallback = Callable[[float, int, str], None]


@dataclass(frozen=True)
class FootprintTable:
    """Footprint sizes and body offsets of every block, both orientations (internal).

    Index ``[i][r]`` with ``r`` = 0 (as given) or 1 (turned). A footprint holds body, halo
    and the east/north spacing pad; the container is the outline widened by the spacing.
    """

    widths: tuple[tuple[int, int], ...]
    heights: tuple[tuple[int, int], ...]
    offsets: tuple[tuple[tuple[int, int], tuple[int, int]], ...]
    rotatable: tuple[bool, ...]
    spacing_um: int
    container: tuple[int, int] | None
    obstacles: tuple[Rect, ...]

    @classmethod
    def of(cls, problem: PackProblem) -> FootprintTable:
        s = problem.spacing_um
        widths, heights, offsets = [], [], []
        for b in problem.blocks:
            w_row, h_row, o_row = [], [], []
            for rotated in (False, True):
                bw, bh = b.size_um(rotated)
                west, south, east, north = b.halo_at(rotated)
                w_row.append(west + bw + east + s)
                h_row.append(south + bh + north + s)
                o_row.append((west, south))
            widths.append(tuple(w_row))
            heights.append(tuple(h_row))
            offsets.append(tuple(o_row))
        container = None
        if problem.outline_um is not None:
            container = (problem.outline_um[0] + s, problem.outline_um[1] + s)
        obstacles = tuple(
            Rect(o.x_um, o.y_um, o.width_um + s, o.length_um + s) for o in problem.obstacles
        )
        return cls(
            widths=tuple(widths),  # type: ignore[arg-type]
            heights=tuple(heights),  # type: ignore[arg-type]
            offsets=tuple(offsets),  # type: ignore[arg-type]
            rotatable=tuple(
                b.rotatable
                and (b.size_um(False) != b.size_um(True) or b.halo_um != b.halo_at(True))
                for b in problem.blocks
            ),
            spacing_um=s,
            container=container,
            obstacles=obstacles,
        )

    def __len__(self) -> int:
        return len(self.widths)

    def size(self, i: int, rotated: bool) -> tuple[int, int]:
        r = int(rotated)
        return self.widths[i][r], self.heights[i][r]

    def body_offset(self, i: int, rotated: bool) -> tuple[int, int]:
        return self.offsets[i][int(rotated)]

    def to_packing(
        self, problem: PackProblem, xs: list[int], ys: list[int], rots: list[bool]
    ) -> Packing:
        """Footprint corners to a :class:`Packing` of bodies, bbox without the spacing pad."""
        placed = []
        width = length = 0
        for i, b in enumerate(problem.blocks):
            dx, dy = self.body_offset(i, rots[i])
            placed.append(PlacedBlock(b.id, xs[i] + dx, ys[i] + dy, bool(rots[i])))
            fw, fh = self.size(i, rots[i])
            width = max(width, xs[i] + fw - self.spacing_um)
            length = max(length, ys[i] + fh - self.spacing_um)
        return Packing(tuple(placed), width, length)

    def from_packing(
        self, problem: PackProblem, packing: Packing
    ) -> tuple[list[int], list[int], list[bool]]:
        """A :class:`Packing` back to footprint corners (the inverse of ``to_packing``)."""
        where = packing.by_id()
        xs, ys, rots = [], [], []
        for i, b in enumerate(problem.blocks):
            p = where[b.id]
            dx, dy = self.body_offset(i, p.rotated)
            xs.append(p.x_um - dx)
            ys.append(p.y_um - dy)
            rots.append(p.rotated)
        return xs, ys, rots
