"""Exhaustive reinsertion in a sequence pair ("polish"), for a memetic ladder.

The annealer's ladder ends in a narrow band on ami33 (1.10-1.13 % dead space over three
seeds at 60 s): it has found a basin and samples it. This local search looks at every
neighbour of one kind instead of drawing them: each block in turn is taken out of both
sequences and tried at every pair (i, j) of positions in G+ and G-, in both orientations
where it may turn; it stays at the best one when that costs less than before. A pass goes
over the blocks in index order; passes repeat until one improves nothing (or the work
runs out), so the result is a local optimum of this move set. One such move is two of the
pair annealer's insertions at once (one per sequence), which its cold rungs seldom make.

On a finished packing it finds nothing (benchmarks/README.md, "Exhaustive reinsertion"):
its use is inside the ladder, on the coldest rung every few rounds
(:func:`layoutopt.engine.btree.anneal`'s ``intensify``; ``pack._POLISH_EVERY``).

The cost is the annealer's (:func:`layoutopt.engine.btree._cost`). The work is counted in
decodes (each places every block), so a caller charges its clock exactly and one-worker
runs stay reproducible.

numba's cache checks only the file a cached function is defined in: after an edit of the
kernels this module calls in btree.py or seqpair.py, touch this file too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from layoutopt.engine.btree import _cost, _Kernel, two_block_table
from layoutopt.engine.netlist import NetIndex
from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.seqpair import (
    _NEG,
    _NEG_AT,
    _POS,
    _POS_AT,
    _ROT,
    _decode,
    _insert,
    _swap_at,
    compile_pair_kernels,
    shelf_pair,
)

__all__ = ["PolishResult", "compile_polish_kernels", "intensifier", "polisher"]


@njit(cache=True, nogil=True)
def _slack(sp, xs, ys, w, h, widths, heights):
    """The tie-break between packings of equal cost (smaller is better): first the blocks
    that touch the bounding box's right or top edge (each must move before the box can
    shrink), then the sum of every block's right and top edge (blocks further left and
    down leave room).

    The area is flat over most single moves, and a search that only takes strict
    improvements stops at once: from ami33's shelves (23.3 % dead space) reinsertion
    stopped at 16.2 % without a tie-break, 10.2 % with the edge sum alone, 5.8 % with
    both (benchmarks/README.md).
    """
    n = sp.shape[1]
    touching = 0
    edges = 0
    for b in range(n):
        r = sp[_ROT, b]
        right = xs[b] + widths[b, r]
        top = ys[b] + heights[b, r]
        edges += right + top
        if right == w or top == h:
            touching += 1
    return touching * (1 << 40) + edges


@njit(cache=True, nogil=True)
def _score(sp, xs, ys, fen, args):
    """Decode the sequence pair ``sp``: (cost, tie-break)."""
    widths, heights, _, box, norm, net_ptr, net_blk, net_box, centre, wl = args
    w, h = _decode(sp, widths, heights, xs, ys, fen)
    value = _cost(xs, ys, sp, w, h, box, norm, net_ptr, net_blk, net_box, centre, wl)
    return value, _slack(sp, xs, ys, w, h, widths, heights)


@njit(cache=True, nogil=True)
def _reinsert(sp, b, turnable, cost_now, second_now, budget, evals, xs, ys, fen, args):
    """Move block ``b`` to its best pair (i, j) of positions in G+ and G-, in both
    orientations where it may turn, when that costs less than ``cost_now`` (or as much,
    with a smaller tie-break than ``second_now``); at most ``budget - evals`` decodes.

    The positions are visited in a snake order of adjacent swaps, so each step costs
    O(1) besides the decode. Returns (cost, tie-break, decodes made); the state changes
    only on an improvement. ``args`` are the cost arguments (``_Kernel.cost_args``).
    """
    n = sp.shape[1]
    saved = sp.copy()
    best, best_second = cost_now, second_now
    best_i, best_j, best_rot = -1, -1, 0
    rot0 = sp[_ROT, b]
    _insert(sp, _POS, sp[_POS_AT, b], 0)
    _insert(sp, _NEG, sp[_NEG_AT, b], 0)
    made = 0
    j = 0
    step = 1
    for i in range(n):
        if i > 0:
            _swap_at(sp, _POS, i - 1, i)
        for t in range(n):
            if t > 0:
                _swap_at(sp, _NEG, j, j + step)
                j += step
            for r in range(2 if turnable[b] else 1):
                if evals + made >= budget:
                    break
                sp[_ROT, b] = rot0 ^ r
                value, second = _score(sp, xs, ys, fen, args)
                made += 1
                if value < best or (value == best and second < best_second):
                    best, best_second, best_i, best_j, best_rot = value, second, i, j, rot0 ^ r
            sp[_ROT, b] = rot0
        step = -step
    sp[:, :] = saved
    if best_i < 0:
        return cost_now, second_now, made
    _insert(sp, _POS, sp[_POS_AT, b], best_i)
    _insert(sp, _NEG, sp[_NEG_AT, b], best_j)
    sp[_ROT, b] = best_rot
    return best, best_second, made


@njit(cache=True, nogil=True)
def _polish(sp, turnable, budget, args):
    """Passes of :func:`_reinsert` over every block in index order until one improves
    nothing or ``budget`` decodes are made: (cost, decodes, passes)."""
    n = sp.shape[1]
    xs = np.empty(n, dtype=np.int64)
    ys = np.empty(n, dtype=np.int64)
    fen = np.empty(n + 1, dtype=np.int64)
    cost, second = _score(sp, xs, ys, fen, args)
    evals = 1
    passes = 0
    improved = True
    while improved and evals < budget:
        improved = False
        passes += 1
        for b in range(n):
            value, sec, made = _reinsert(
                sp, b, turnable, cost, second, budget, evals, xs, ys, fen, args
            )
            evals += made
            if value < cost or sec < second:
                cost = value
                second = sec
                improved = True
            if evals >= budget:
                break
    return cost, evals, passes


@dataclass(frozen=True)
class PolishResult:
    """A polished sequence pair, its cost (the annealer's), and the work it took."""

    state: np.ndarray = field(compare=False, repr=False)
    cost: float
    evaluations: int  # decodes, each placing every block
    passes: int


def polisher(
    table: FootprintTable,
    *,
    max_evaluations: int,
    nets: NetIndex | None = None,
    wirelength_weight: float = 0.0,
    minimize_area: bool = False,
) -> Callable[[np.ndarray], PolishResult]:
    """A function that polishes a sequence pair of ``table``: every block reinserted at
    its best pair of positions, pass after pass, until a pass improves nothing or
    ``max_evaluations`` decodes are spent. Its argument is not changed, and its result
    never costs more (a move is kept only when it costs less, or as much with a smaller
    tie-break). The arrays are built once, for many calls."""
    compile_polish_kernels()
    kernel = _Kernel.of(table, nets, wirelength_weight, minimize_area)
    turnable = np.zeros(len(table), dtype=np.bool_)
    turnable[kernel.turnable] = True
    args = kernel.cost_args()
    budget = max(1, max_evaluations)

    def run(state: np.ndarray) -> PolishResult:
        work = state.copy()
        cost, evals, passes = _polish(work, turnable, budget, args)
        return PolishResult(
            state=work, cost=float(cost), evaluations=int(evals), passes=int(passes)
        )

    return run


def intensifier(table: FootprintTable) -> Callable[[np.ndarray], tuple[np.ndarray, float, int]]:
    """The annealer's ``intensify`` hook over the sequence pairs of ``table``
    (:func:`~layoutopt.engine.btree.anneal`): a polish of at most one pass's decodes
    (2 n^3, every block at every pair of positions), returning the polished state, its
    cost and the decodes spent (counted as moves)."""
    n = len(table)
    run = polisher(table, max_evaluations=2 * n * n * n)

    def intensify(state: np.ndarray) -> tuple[np.ndarray, float, int]:
        got = run(state)
        return got.state, got.cost, got.evaluations

    return intensify


_COMPILED = threading.Event()


def compile_polish_kernels() -> None:
    """Compile (or load from numba's cache) this module's kernels, once per process."""
    if _COMPILED.is_set():
        return
    compile_pair_kernels()
    table = two_block_table()
    kernel = _Kernel.of(table, None, 0.0)
    _polish(shelf_pair(table, 3, [0, 1]), np.array([True, False]), 10, kernel.cost_args())
    _COMPILED.set()
