"""Left and down compaction of a packing, and the B*-tree that decodes to it.

The annealer searches B*-trees, but the best packing of a large instance usually comes from
the best-fit skyline or from CP-SAT, in no tree. :func:`tree_of` turns such a packing into a
tree whose decoding is never larger, so annealing can start from it instead of from a shelf
tree (on n300 the shelf start left 5.1-5.6 % dead space after 8 s of moves, the skyline's
packing has 3.25 %).

Why compaction first: a B*-tree places a left child against its parent's right side and a
right child at its parent's x, each as low as the contour allows. A packing in which every
block touches a block on its left (or the edge) and one below (or the floor) has such
x-coordinates; the best-fit skyline often places a block against its right neighbour
instead. Measured on the skyline's packings of ami49, n100, n200 and n300: without
compaction 19-46 % of the blocks decode where they were and the area grows 1.7-4.5 times;
after it every block does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from layoutopt.engine.problem import FootprintTable

__all__ = ["compact", "tree_of"]

# Tree rows, as in layoutopt.engine.btree: left child, right child, parent, block held by
# the slot, rotation per block; row 5, column 0 holds the root slot.
_LEFT, _RIGHT, _PARENT, _BLK, _ROT, _ROOT = range(6)
# Each pass moves every block as far as it goes; a pass that moves nothing ends it.
_MAX_PASSES = 50


def _sizes(table: FootprintTable, rots: list[bool]) -> tuple[np.ndarray, np.ndarray]:
    n = len(rots)
    w = np.array([table.widths[i][int(rots[i])] for i in range(n)], dtype=np.int64)
    h = np.array([table.heights[i][int(rots[i])] for i in range(n)], dtype=np.int64)
    return w, h


def compact(
    table: FootprintTable, xs: list[int], ys: list[int], rots: list[bool]
) -> tuple[list[int], list[int]]:
    """Footprint corners moved left, then down, in turn, until no block moves.

    Each block in order of its left (bottom) edge goes to the farthest right (top) edge of
    the blocks before it that share part of its y (x) extent: blocks after it lie beyond
    its old edge, so the packing stays legal and its bounding box never grows. Obstacles
    are not seen: call it only on packings without them.

    >>> t = FootprintTable(((2, 2), (2, 2)), ((2, 2), (2, 2)), (((0, 0),) * 2,) * 2,
    ...                    (False, False), 0, None, ())
    >>> compact(t, [5, 9], [3, 0], [False, False])
    ([0, 0], [2, 0])
    """
    w, h = _sizes(table, rots)
    x = np.array(xs, dtype=np.int64)
    y = np.array(ys, dtype=np.int64)
    _compact_kernel(x, y, w, h, _MAX_PASSES)
    return x.tolist(), y.tolist()


@njit(cache=True, nogil=True)
def _compact_kernel(x, y, w, h, max_passes):  # type: ignore[no-untyped-def]
    # Compiled: the same passes in numpy took 1.3-1.5 s at 5,000 blocks, inside one LNS
    # round that cannot stop, and made the engine end a second past its deadline.
    n = x.shape[0]
    for _ in range(max_passes):
        moved = False
        for axis in range(2):
            pos, other, size, span = (x, y, w, h) if axis == 0 else (y, x, h, w)
            order = np.argsort(pos, kind="mergesort")  # stable, as the order of ties
            for k in range(n):
                i = order[k]
                reach = 0
                lo, hi = other[i], other[i] + span[i]
                for m in range(k):
                    j = order[m]
                    if other[j] < hi and other[j] + span[j] > lo:
                        reach = max(reach, pos[j] + size[j])
                if reach < pos[i]:
                    pos[i] = reach
                    moved = True
        if not moved:
            break


def tree_of(table: FootprintTable, xs: list[int], ys: list[int], rots: list[bool]) -> np.ndarray:
    """A B*-tree that decodes to the packing ``xs``, ``ys`` or a lower one.

    ``xs``, ``ys`` should be compacted (:func:`compact`). The tree is built in its own
    depth-first order: the next block is one whose blocks below (sharing part of its x
    extent) are all placed, hung on the open slot whose x is its own, the deepest first
    (the left child of the last block continues a row, a right child starts a column).
    A block placed before another that shares part of its x extent is below it (it was
    ready first), so when every block finds the slot at its own x the contour under each
    block is made of blocks below it, which by induction sit no higher than in ``ys``:
    every block lands at its y or lower. A block that no open slot fits goes to the
    nearest slot left of it, and the decoding is then only a nearby packing (callers
    compare costs). On every compacted packing in the tests and on ami33-n300 each block
    found its slot.
    """
    n = len(xs)
    w, _ = _sizes(table, rots)
    x = np.array(xs, dtype=np.int64)
    y = np.array(ys, dtype=np.int64)
    below = (x[:, None] < x[None, :] + w[None, :]) & (x[:, None] + w[:, None] > x[None, :])
    below &= y[:, None] < y[None, :]
    waiting = below.sum(axis=0)
    above = [np.flatnonzero(below[k]).tolist() for k in range(n)]
    ready: dict[int, list[int]] = {}
    for j in range(n):
        if waiting[j] == 0:
            ready.setdefault(xs[j], []).append(j)
    tree = np.full((6, n), -1, dtype=np.int64)
    tree[_BLK] = np.arange(n)
    tree[_ROT] = [int(r) for r in rots]

    def lowest(blocks: list[int]) -> int:
        return min(blocks, key=lambda j: (ys[j], j))

    def take(j: int) -> None:
        ready[xs[j]].remove(j)
        for k in above[j]:
            waiting[k] -= 1
            if waiting[k] == 0:
                ready.setdefault(xs[k], []).append(k)

    root = lowest(ready.get(0) or [j for js in ready.values() for j in js])
    tree[_ROOT, 0] = root
    take(root)
    path = [root]  # from the root to the last block placed: where the open slots are
    for _ in range(n - 1):
        slots = _open_slots(tree, path, xs, w)
        chosen = next(((s, lowest(ready[s[0]])) for s in slots if ready.get(s[0])), None)
        if chosen is None:
            j = lowest([j for js in ready.values() for j in js])
            left_of = [s for s in slots if s[0] <= xs[j]]
            s = max(left_of, key=lambda s: (s[0], s[3])) if left_of else min(slots)
            chosen = (s, j)
        (_, parent, side, depth), j = chosen
        tree[side, parent] = j
        tree[_PARENT, j] = parent
        take(j)
        del path[depth + 1 :]
        path.append(j)
    return tree


def _open_slots(
    tree: np.ndarray, path: list[int], xs: list[int], w: np.ndarray
) -> list[tuple[int, int, int, int]]:
    """Slots the next block in depth-first order may take, deepest first, as (x, parent,
    side, depth): the last block's two children, then the right child of every block on
    the path whose left subtree the path is in."""
    last = path[-1]
    depth = len(path) - 1
    slots = [
        (xs[last] + int(w[last]), last, _LEFT, depth),
        (xs[last], last, _RIGHT, depth),
    ]
    for d in range(depth - 1, -1, -1):
        u = path[d]
        if tree[_LEFT, u] == path[d + 1] and tree[_RIGHT, u] < 0:
            slots.append((xs[u], u, _RIGHT, d))
    return slots
