"""Simulated annealing over sequence pairs (Murata et al., 1995), on footprints.

A sequence pair (G+, G-) is two orders of the blocks: a block is left of another when it
comes first in both sequences, below it when it comes later in G+ and earlier in G-. Every
packing without overlaps has a sequence pair that decodes to it or to a smaller one, so
the search can reach the optimum; unlike the B*-tree's, a move's effect is not tied to a
depth-first order (swapping two blocks in one sequence changes only their relation to
the blocks between them), which gives the ladder a second neighbourhood.

The decode is the longest-common-subsequence evaluation of Tang, Tian and Wong (DATE
2000): blocks in G+ order, each block's x the largest right edge of the blocks already
placed that come earlier in G-, found by a prefix maximum over G- positions in a Fenwick
tree: O(n log n) per decode; y the same over the reversed G+. A state is one (5, n) array
of int64 rows: G+ (block at each position), G- (likewise), every block's position in G+
and in G- (the inverse permutations the decode reads), and its orientation (row 4, the
B*-tree's rotation row, so :func:`layoutopt.engine.btree._cost` scores both alike).

Obstacles are not seen by this decode: :func:`anneal` refuses a table that has them (the
B*-tree lifts blocks over obstacles). The ladder, its temperatures, its exchanges and its
deterministic mode are :func:`layoutopt.engine.btree.anneal`'s, with this neighbourhood.

The kernels call btree's compiled ``_cost`` and random numbers. numba's cache checks only
the file a cached function is defined in, so after an edit of those functions in btree.py
touch this file too (or clear its ``__pycache__``), or it keeps the old code.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from numba import njit

from layoutopt.engine.btree import (
    AnnealResult,
    Neighbourhood,
    _below,
    _cost,
    _Kernel,
    _uniform,
    anneal_chains,
    compile_kernels,
    two_block_table,
)
from layoutopt.engine.problem import FootprintTable

__all__ = ["SEQUENCE_PAIR", "anneal_pairs", "compile_pair_kernels", "shelf_pair"]

# Rows of a state: G+, G-, position of each block in G+, in G-, orientation of each block.
_POS, _NEG, _POS_AT, _NEG_AT, _ROT = range(5)
# Move probabilities, cumulative: turn a block; swap two blocks in one sequence; swap two
# blocks in both (they trade places in the packing); take a block out of one sequence and
# insert it elsewhere (it changes its relation to the blocks in between only).
_P_TURN, _P_SWAP_ONE, _P_SWAP_BOTH = 0.25, 0.5, 0.7
# Swaps and insertions in one sequence pick the second position near the first (within
# this share of n) with this probability: small changes for the cold rungs.
_P_NEAR, _NEAR = 0.8, 0.1


@njit(cache=True, nogil=True)
def _longest_paths(sp, sizes, out, fen, forward):
    """Every block's lower corner along one axis: the longest path in its constraint graph.

    ``forward``: blocks in G+ order (x: the blocks left of b come earlier in both
    sequences); otherwise in reversed G+ order (y: the blocks below b come later in G+ and
    earlier in G-). The blocks already visited that come earlier in G- are those at
    Fenwick positions 1..p, p the block's G- position. Returns the extent along the axis.
    """
    n = sp.shape[1]
    for i in range(n + 1):
        fen[i] = 0
    extent = 0
    for step in range(n):
        i = step if forward else n - 1 - step
        b = sp[_POS, i]
        p = sp[_NEG_AT, b]
        k = p
        lo = 0
        while k > 0:
            if fen[k] > lo:
                lo = fen[k]
            k -= k & -k
        out[b] = lo
        end = lo + sizes[b, sp[_ROT, b]]
        if end > extent:
            extent = end
        k = p + 1
        while k <= n:
            if fen[k] < end:
                fen[k] = end
            k += k & -k
    return extent


@njit(cache=True, nogil=True)
def _decode(sp, widths, heights, xs, ys, fen):
    """Place every block; returns the footprint bounding box (W, H)."""
    w = _longest_paths(sp, widths, xs, fen, True)
    h = _longest_paths(sp, heights, ys, fen, False)
    return w, h


@njit(cache=True, nogil=True)
def _swap_at(sp, row, i, j):
    """Swap positions ``i`` and ``j`` of sequence ``row`` (0 or 1), inverse kept."""
    a = sp[row, i]
    b = sp[row, j]
    sp[row, i] = b
    sp[row, j] = a
    sp[row + 2, a] = j
    sp[row + 2, b] = i


@njit(cache=True, nogil=True)
def _insert(sp, row, i, j):
    """Move the block at position ``i`` of sequence ``row`` to position ``j``."""
    b = sp[row, i]
    if i < j:
        for k in range(i, j):
            c = sp[row, k + 1]
            sp[row, k] = c
            sp[row + 2, c] = k
    else:
        for k in range(i, j, -1):
            c = sp[row, k - 1]
            sp[row, k] = c
            sp[row + 2, c] = k
    sp[row, j] = b
    sp[row + 2, b] = j


@njit(cache=True, nogil=True)
def _other(state, n, i):
    """A position other than ``i``: near it (within ``_NEAR`` of n) with ``_P_NEAR``."""
    if _uniform(state) < _P_NEAR:
        d = max(1, int(_NEAR * n))
        j = i + 1 + _below(state, d)
        if _uniform(state) < 0.5:
            j = i - 1 - _below(state, d)
        return min(n - 1, max(0, j)) if j != i else (i + 1) % n
    j = _below(state, n - 1)
    return j + 1 if j >= i else j


@njit(cache=True, nogil=True)
def _perturb(sp, turnable, state):
    n = sp.shape[1]
    move = _uniform(state)
    if move < _P_TURN and turnable.shape[0] > 0:
        b = turnable[_below(state, turnable.shape[0])]
        sp[_ROT, b] ^= 1
    elif move < _P_SWAP_ONE:
        row = _below(state, 2)
        i = _below(state, n)
        _swap_at(sp, row, i, _other(state, n, i))
    elif move < _P_SWAP_BOTH:
        a = _below(state, n)
        b = _below(state, n)
        _swap_at(sp, _POS, sp[_POS_AT, a], sp[_POS_AT, b])
        _swap_at(sp, _NEG, sp[_NEG_AT, a], sp[_NEG_AT, b])
    else:
        row = _below(state, 2)
        i = _below(state, n)
        _insert(sp, row, i, _other(state, n, i))


@njit(cache=True, nogil=True)
def _run(
    cur,
    best,
    best_xy,
    costs,
    state,
    temp,
    moves,
    stop_when_fits,
    turnable,
    widths,
    heights,
    obstacles,
    box,
    norm,
    net_ptr,
    net_blk,
    net_box,
    centre,
    wl_weight,
):
    """``moves`` annealing moves at ``temp`` from ``cur``: :func:`btree._run`'s contract."""
    n = cur.shape[1]
    trial = np.empty_like(cur)
    xs = np.empty(n, dtype=np.int64)
    ys = np.empty(n, dtype=np.int64)
    fen = np.empty(n + 1, dtype=np.int64)
    for m in range(moves):
        trial[:, :] = cur
        _perturb(trial, turnable, state)
        w, h = _decode(trial, widths, heights, xs, ys, fen)
        c = _cost(xs, ys, trial, w, h, box, norm, net_ptr, net_blk, net_box, centre, wl_weight)
        delta = c - costs[0]
        if delta <= 0 or _uniform(state) < math.exp(-delta / temp):
            cur[:, :] = trial
            costs[0] = c
            if c < costs[1]:
                costs[1] = c
                best[:, :] = trial
                best_xy[0, :] = xs
                best_xy[1, :] = ys
                best_xy[2, 0] = w
                best_xy[2, 1] = h
                fits = box[0] >= 0 and w <= box[0] and h <= box[1]
                if stop_when_fits and fits:
                    return m + 1
    return moves


@njit(cache=True, nogil=True)
def _evaluate(sp, widths, heights, obstacles, box, norm, net_ptr, net_blk, net_box, centre, wl):
    """Decode ``sp``: (cost, xs, ys, W, H)."""
    n = sp.shape[1]
    xs = np.empty(n, dtype=np.int64)
    ys = np.empty(n, dtype=np.int64)
    fen = np.empty(n + 1, dtype=np.int64)
    w, h = _decode(sp, widths, heights, xs, ys, fen)
    c = _cost(xs, ys, sp, w, h, box, norm, net_ptr, net_blk, net_box, centre, wl)
    return c, xs, ys, w, h


_COMPILED = threading.Event()


def compile_pair_kernels() -> None:
    """Compile (or load from numba's cache) this module's kernels, once per process."""
    if _COMPILED.is_set():
        return
    compile_kernels()
    table = two_block_table()
    kernel = _Kernel.of(table, None, 0.0)
    sp = shelf_pair(table, 3, [0, 1])
    cost = _evaluate(sp, *kernel.cost_args())[0]
    _run(
        sp,
        sp.copy(),
        np.zeros((3, 2), np.int64),
        np.array([cost, cost]),
        np.ones(1, dtype=np.uint64),
        1.0,
        4,
        False,
        kernel.turnable,
        *kernel.cost_args(),
    )
    _COMPILED.set()


#: The sequence-pair neighbourhood, for :func:`layoutopt.engine.btree.anneal`.
SEQUENCE_PAIR = Neighbourhood(
    name="sequence-pair",
    run=_run,
    evaluate=_evaluate,
    perturb=_perturb,
    compile=compile_pair_kernels,
)


def shelf_pair(table: FootprintTable, target_width: int, order: list[int]) -> np.ndarray:
    """A sequence pair that decodes to shelves of blocks ``target_width`` wide, in ``order``.

    Each block lies flat when it may turn (as :func:`btree.shelf_tree`). G+ lists the rows
    from the top down, G- from the bottom up, each row left to right: blocks of one row
    come in the same order in both (side by side), a lower row's blocks later in G+ and
    earlier in G- (below).
    """
    n = len(table)
    rot = [int(table.rotatable[i] and table.widths[i][1] > table.widths[i][0]) for i in range(n)]
    rows: list[list[int]] = [[]]
    row_width = 0
    for b in order:
        w = table.widths[b][rot[b]]
        if rows[-1] and row_width + w > target_width:
            rows.append([])
            row_width = 0
        rows[-1].append(b)
        row_width += w
    sp = np.zeros((5, n), dtype=np.int64)
    sp[_POS] = [b for row in reversed(rows) for b in row]
    sp[_NEG] = [b for row in rows for b in row]
    sp[_POS_AT, sp[_POS]] = np.arange(n)
    sp[_NEG_AT, sp[_NEG]] = np.arange(n)
    sp[_ROT] = rot
    return sp


def anneal_pairs(
    table: FootprintTable, start: np.ndarray, seeds: list[int], **options: object
) -> AnnealResult:
    """:func:`btree.anneal_chains` over sequence pairs from the state ``start``.

    Raises ``ValueError`` on a table with obstacles, which this decode does not see.
    """
    if table.obstacles:
        raise ValueError("the sequence-pair annealer does not handle obstacles")
    compile_pair_kernels()
    return anneal_chains(table, start, seeds, neighbourhood=SEQUENCE_PAIR, **options)
