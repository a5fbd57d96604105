"""The package body as columns: plan-view regions with one stack of layers each.

The layers come from the same blocks as the thermal model
(:func:`layoutopt.thermal.stackup.build_blocks`: substrate or RDL, mold, joints, dies, in
painter's order, later blocks cutting into earlier ones), less the board, the housing and
the board-side balls, which are not part of the package body whose warpage is measured.
Every block edge is a grid line in x and y; each grid cell gets its stack of layers
(bottom to top) and cells with the same stack are merged into one :class:`Column` with
their total area. A die column is one with a die in it; the rest are mold-only columns.

>>> from layoutopt.thermal.samples import single_die_sample
>>> design, layout = single_die_sample()
>>> [(c.label, [p.material for p in c.plies]) for c in package_columns(design, layout)]
[('mold only', ['substrate_2l', 'emc']), ('D0', ['substrate_2l', 'daf', 'silicon', 'emc'])]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from layoutopt.errors import DesignError
from layoutopt.model import Design, Layout, MechanicalProperties
from layoutopt.thermal.stackup import Block, build_blocks

__all__ = [
    "Column",
    "ColumnGrid",
    "ColumnPly",
    "column_grid",
    "mechanical_properties",
    "package_columns",
]

# Blocks of build_blocks that are not part of the package body (a PoP's interface fill is
# the air between its two packages: it carries no stress).
_NOT_BODY = ("board", "housing", "balls", "gap.board", "gap.package", "pop.fill")


@dataclass(frozen=True)
class ColumnPly:
    """One layer of a column (µm, z up from the seating plane) and where its material is set."""

    material: str
    z0_um: int
    z1_um: int
    field: str = ""

    @property
    def thickness_um(self) -> int:
        return self.z1_um - self.z0_um


@dataclass(frozen=True)
class Column:
    """Plan-view area (µm²) that has one stack of layers, and the dies in it."""

    plies: tuple[ColumnPly, ...]
    area_um2: int
    die_ids: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return "+".join(self.die_ids) if self.die_ids else "mold only"

    @property
    def thickness_um(self) -> int:
        return self.plies[-1].z1_um - self.plies[0].z0_um if self.plies else 0


def _cell_stack(blocks: Sequence[Block]) -> tuple[tuple[ColumnPly, ...], tuple[str, ...]]:
    """The layers of one cell covered by ``blocks`` (painter's order: later ones win)."""
    cuts = sorted({z for b in blocks for z in (b.z0_um, b.z1_um)})
    plies: list[ColumnPly] = []
    dies: list[str] = []
    for z0, z1 in itertools.pairwise(cuts):
        top = next((b for b in reversed(blocks) if b.z0_um <= z0 and z1 <= b.z1_um), None)
        if top is None:
            continue  # a gap (nothing there): no layer
        name = top.material.name
        if plies and plies[-1].material == name and plies[-1].z1_um == z0:
            plies[-1] = ColumnPly(name, plies[-1].z0_um, z1, plies[-1].field)
        else:
            plies.append(ColumnPly(name, z0, z1, top.field))
        if top.die_id is not None and top.die_id not in dies:
            dies.append(top.die_id)
    return tuple(plies), tuple(dies)


@dataclass(frozen=True, eq=False)
class ColumnGrid:
    """The plan-view grid of the package body: cell edges (µm) and, per cell, the index of
    its column in ``columns`` (``index[i, j]`` for x interval i, y interval j)."""

    x_edges_um: np.ndarray
    y_edges_um: np.ndarray
    index: np.ndarray
    columns: tuple[Column, ...]


def _runs(
    i0: np.ndarray, i1: np.ndarray, j0: np.ndarray, j1: np.ndarray, nx: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The cells as runs along y, each with one set of covering blocks: (x interval,
    first and end y interval, the covering blocks' indices as rows padded with -1).

    Block ``b`` covers cells ``i0[b] <= i < i1[b]``, ``j0[b] <= j < j1[b]``. Within one x
    interval the covering set changes only at the y edges of the blocks crossing it, so a
    run is the span between two of them: 2 per block crossing the interval, not one per
    cell (1,000 dies: 1.36 M cells, about 10^5 runs). Runs are in (x, y) order; a run no
    block covers is left out. Exact: the rows are the block indices, not a hash of them.

    All x intervals at once: each (x interval, block) pair puts its two y edges on a key
    ``x * k + y``, the sorted distinct keys of one interval bound its runs, and a pair
    covers the runs whose start lies in its y span (a contiguous range of them). At 5,000
    dies (4,190 x intervals, 371,000 runs) a loop over the intervals took 1.2 s, this
    0.4 s. ``nx`` (the number of x intervals) only bounds ``i1``.
    """
    span = np.clip(np.minimum(i1, nx) - i0, 0, None)
    block = np.repeat(np.arange(len(i0)), span)
    xi = np.repeat(i0, span) + np.arange(block.size) - np.repeat(np.cumsum(span) - span, span)
    order = np.lexsort((block, xi))  # (x interval, block): painter's order within one
    xi, block = xi[order], block[order]
    k = int(j1.max(initial=0)) + 1
    lo, hi = xi * k + j0[block], xi * k + j1[block]
    # Sorted and made distinct by hand: np.unique of the 800,000 keys of 5,000 dies took
    # 0.9-1.3 s (NumPy 2.4's hash table), a sort 20 ms.
    keys = np.sort(np.concatenate((lo, hi)))
    distinct = np.ones(keys.size, dtype=bool)
    distinct[1:] = keys[1:] != keys[:-1]
    keys = keys[distinct]
    same = keys[1:] // k == keys[:-1] // k  # both ends in one x interval: a run
    starts, ends = keys[:-1][same], keys[1:][same]
    r_lo, r_hi = np.searchsorted(starts, lo), np.searchsorted(starts, hi)
    n = r_hi - r_lo
    run = np.repeat(r_lo, n) + np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    by_run = np.argsort(run, kind="stable")  # stable: painter's order within a run
    run, member = run[by_run], np.repeat(block, n)[by_run]
    count = np.bincount(run, minlength=starts.size)
    covered = count > 0
    count = count[covered]
    run_x = starts[covered] // k
    padded = np.full((count.size, int(count.max(initial=0))), -1, dtype=int)
    column = np.arange(member.size) - np.repeat(np.cumsum(count) - count, count)
    padded[np.repeat(np.arange(count.size), count), column] = member
    return run_x, starts[covered] - run_x * k, ends[covered] - run_x * k, padded


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(rows, axis=0, return_index=True, return_inverse=True)``, by a stable
    lexicographic sort of the integer rows: the same three arrays, 3x faster than NumPy's
    sort of rows as opaque records (5,000 dies: 1.35 s of a 3.6 s warpage check)."""
    order = np.lexsort(rows.T[::-1])  # the first column is the primary key
    ordered = rows[order]
    starts = np.ones(len(rows), dtype=bool)
    starts[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    inverse = np.empty(len(rows), dtype=np.intp)
    inverse[order] = np.cumsum(starts) - 1
    # A stable sort keeps equal rows in index order: a group's first row is its first.
    return ordered[starts], order[starts], inverse


@dataclass(frozen=True, eq=False)
class _ColumnRuns:
    """The columns and the runs of cells they are made of (see :func:`_runs`): run ``r``
    is x interval ``xi[r]``, y intervals ``ya[r]`` to ``yb[r]``, column ``label[r]``
    (-1: no layer)."""

    xs: np.ndarray
    ys: np.ndarray
    xi: np.ndarray
    ya: np.ndarray
    yb: np.ndarray
    label: np.ndarray
    columns: tuple[Column, ...]


def _column_runs(design: Design, layout: Layout) -> _ColumnRuns:
    """Each distinct set of covering blocks stacked once (:func:`_cell_stack`), not each
    cell: at 1,000 dies the per-cell loop took 86 s of the 133 s warpage check."""
    pkg = layout.package
    blocks = [b for b in build_blocks(design, layout, around=False) if b.name not in _NOT_BODY]
    xs = np.unique(np.clip([v for b in blocks for v in (b.x0_um, b.x1_um)], pkg.x_um, pkg.x_max_um))
    ys = np.unique(np.clip([v for b in blocks for v in (b.y0_um, b.y1_um)], pkg.y_um, pkg.y_max_um))

    def cells(edges: np.ndarray, lo: list[int], hi: list[int]) -> tuple[np.ndarray, np.ndarray]:
        n = len(edges) - 1
        return (
            np.clip(np.searchsorted(edges, lo), 0, n),
            np.clip(np.searchsorted(edges, hi), 0, n),
        )

    i0, i1 = cells(xs, [b.x0_um for b in blocks], [b.x1_um for b in blocks])
    j0, j1 = cells(ys, [b.y0_um for b in blocks], [b.y1_um for b in blocks])
    xi, ya, yb, covering = _runs(i0, i1, j0, j1, len(xs) - 1)
    if xi.size == 0:  # nothing covers the package
        return _ColumnRuns(xs, ys, xi, ya, yb, xi, ())
    area = (xs[xi + 1] - xs[xi]).astype(np.int64) * (ys[yb] - ys[ya]).astype(np.int64)
    sets, first, which = _unique_rows(covering)
    set_area = np.zeros(len(sets), dtype=np.int64)
    np.add.at(set_area, which, area)
    # Stacks in the order a per-cell walk in (x, y) order meets them: ties in the column
    # order below keep that order.
    merged: dict[tuple[tuple[ColumnPly, ...], tuple[str, ...]], int] = {}
    key_of: dict[int, tuple[tuple[ColumnPly, ...], tuple[str, ...]]] = {}
    for s in np.argsort(first, kind="stable"):
        key = _cell_stack([blocks[b] for b in sets[s] if b >= 0])
        if key[0] and set_area[s] > 0:
            merged[key] = merged.get(key, 0) + int(set_area[s])
            key_of[int(s)] = key
    order = sorted(merged, key=lambda k: (bool(k[1]), k[1], -merged[k]))
    position = {k: n for n, k in enumerate(order)}
    label = np.array([position[key_of[s]] if s in key_of else -1 for s in range(len(sets))])
    columns = tuple(Column(plies, merged[(plies, dies)], dies) for plies, dies in order)
    return _ColumnRuns(xs, ys, xi, ya, yb, label[which], columns)


def column_grid(design: Design, layout: Layout) -> ColumnGrid:
    """The package body on its grid of block edges, with the columns in a defined order
    (mold-only first, then by dies) and each cell's column (the plate model's input)."""
    runs = _column_runs(design, layout)
    nx, ny = len(runs.xs) - 1, len(runs.ys) - 1
    index = np.full(nx * ny, -1, dtype=int)
    lengths = runs.yb - runs.ya
    first = runs.xi * ny + runs.ya - np.cumsum(np.concatenate(([0], lengths[:-1])))
    index[np.repeat(first, lengths) + np.arange(int(lengths.sum()))] = np.repeat(
        runs.label, lengths
    )
    return ColumnGrid(runs.xs, runs.ys, index.reshape(nx, ny), runs.columns)


def package_columns(design: Design, layout: Layout) -> tuple[Column, ...]:
    """The package body's columns, in a defined order (mold-only first, then by dies);
    without the per-cell index of :func:`column_grid` (80 M cells at 5,000 dies)."""
    return _column_runs(design, layout).columns


def mechanical_properties(design: Design, name: str, field: str) -> MechanicalProperties:
    """The mechanical set of material ``name`` (named by ``field``), or a DesignError."""
    try:
        props = design.material(name).mechanical
    except KeyError:
        raise DesignError(
            f"unknown material {name!r} (used by {field})",
            field=field,
            value=name,
            fix="use a library material or define it under 'materials:'",
        ) from None
    if props is None:
        raise DesignError(
            f"material {name!r} has no mechanical properties; the warpage model needs its "
            f"youngs_modulus_gpa, poisson_ratio and cte_ppm_per_k (used by {field})",
            field=f"materials.{name}.mechanical",
            fix=f"add a 'mechanical:' block to materials.{name} (see the library's "
            "materials.yaml), or use a material that has one",
        )
    return props
