"""Simulated annealing over B*-trees (Chang et al., DAC 2000), on footprints.

A B*-tree encodes a packing compacted to the left and down: the left child of a node sits
just right of it, the right child just above it at the same x; y is the top of the
contour of the blocks placed before it. Every compacted packing has a tree, so the search
can reach the optimum. A move turns a block, swaps two blocks, or moves a block elsewhere
in the tree.

The inner loop (perturb, decode, cost, accept) is compiled with numba: about a million
block placements per second per core, a hundred times the pure-Python loop, which is what
lets annealing reach the 1-3 % dead space of the classic floorplanners on ami33 in seconds.
The kernels release the GIL, so :func:`anneal_chains` runs one chain per worker thread.

Cost, for a bounding box W x H of footprints (without the spacing pad):

- free outline: ``W * H`` (plus the weighted wirelength);
- fixed outline ``Wo x Ho``: ``Wo * Ho + 11 * (max(W, Wo) * max(H, Ho) - Wo * Ho)``, flat
  once the packing fits, steep outside (plus the weighted wirelength).

A chain's randomness is its own xorshift generator, seeded by the caller, and its length is
counted in moves when ``deterministic``: then a fixed seed gives the same packing on any
machine and under any load.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
from numba import njit

from layoutopt.engine.netlist import NetIndex
from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.skyline import maxrects_best_short_side, skyline_best_fit

__all__ = [
    "BTREE",
    "KERNEL_PLACEMENTS_PER_S",
    "REPORT_EVERY_S",
    "AnnealResult",
    "Neighbourhood",
    "anneal",
    "anneal_chains",
    "compile_kernels",
    "shelf_tree",
    "tree_cost",
]

_OVERFLOW_WEIGHT = 11.0
# Block placements per second of one core in the compiled decoder (measured on the
# development machine on ami33; an estimate that only scales the deterministic budget).
KERNEL_PLACEMENTS_PER_S = 35_000_000.0
# Moves per call of the compiled loop, and block placements per call: short enough to
# follow the wall clock closely at any size (a few ms).
_CHUNK_MOVES = 4096
_CHUNK_PLACEMENTS = 200_000
# A streamed run reports its best packing at most this often: each report costs the
# caller a conversion (a package layout from the packing), while the best improves
# several times a second early in a run.
REPORT_EVERY_S = 0.5
# Wall time of one round of a ladder spread over threads (the wall-clock mode): about the
# time 4,096 moves of each of 8 replicas take on ami33, the exchange rate of one thread.
_ROUND_S = 0.04
# Tree rows: left child, right child, parent, block held by the slot, rotation per block;
# row 5, column 0 holds the root slot.
_LEFT, _RIGHT, _PARENT, _BLK, _ROT, _ROOT = range(6)


@dataclass(frozen=True)
class _Kernel:
    """Everything the compiled loop reads, as arrays (internal)."""

    widths: np.ndarray  # (n, 2) footprint x extent per orientation
    heights: np.ndarray  # (n, 2)
    obstacles: np.ndarray  # (m, 4) x0, y0, x1, y1 of obstacle footprints, by y0
    turnable: np.ndarray  # block indices that may turn
    # [container w, container h, spacing, minimise area in the container]; w = -1: free
    box: np.ndarray
    norm: float
    net_ptr: np.ndarray  # CSR over nets: blocks of net k are net_blk[net_ptr[k]:net_ptr[k+1]]
    net_blk: np.ndarray
    net_box: np.ndarray  # (m, 4) terminal box x0, x1, y0, y1; +inf/-inf when none
    centre: np.ndarray  # (n, 2, 2) body centre offset from the footprint corner
    wl_weight: float

    @classmethod
    def of(
        cls,
        table: FootprintTable,
        nets: NetIndex | None,
        wl_weight: float,
        minimize_area: bool = False,
    ) -> _Kernel:
        n = len(table)
        widths = np.array(table.widths, dtype=np.int64).reshape(n, 2)
        heights = np.array(table.heights, dtype=np.int64).reshape(n, 2)
        turnable = np.array([i for i in range(n) if table.rotatable[i]], dtype=np.int64)
        cw, ch = table.container if table.container else (-1, -1)
        box = np.array([cw, ch, table.spacing_um, int(minimize_area)], dtype=np.int64)
        obstacles = np.array(
            sorted((o.y_um, o.x_um, o.x_max_um, o.y_max_um) for o in table.obstacles),
            dtype=np.int64,
        ).reshape(-1, 4)[:, [1, 0, 2, 3]]
        norm = float(sum(int(min(widths[i] * heights[i])) for i in range(n))) or 1.0
        use_wl = nets is not None and wl_weight > 0 and bool(nets.nets)
        ptr, blk, boxes = [0], [], []
        centre = np.zeros((n, 2, 2))
        if use_wl and nets is not None:
            inf = math.inf
            for blocks, tbox in nets.nets:
                blk.extend(blocks)
                ptr.append(len(blk))
                boxes.append(tbox if tbox is not None else (inf, -inf, inf, -inf))
            centre = np.array(nets.centre, dtype=np.float64).reshape(n, 2, 2)
        return cls(
            widths=widths,
            heights=heights,
            obstacles=np.ascontiguousarray(obstacles),
            turnable=turnable,
            box=box,
            norm=norm,
            net_ptr=np.array(ptr, dtype=np.int64),
            net_blk=np.array(blk, dtype=np.int64),
            net_box=np.array(boxes, dtype=np.float64).reshape(len(boxes), 4),
            centre=centre,
            wl_weight=float(wl_weight) if use_wl else 0.0,
        )

    def cost_args(self) -> tuple:
        """The arguments of the compiled decoder and cost, in their order."""
        return (
            self.widths,
            self.heights,
            self.obstacles,
            self.box,
            self.norm,
            self.net_ptr,
            self.net_blk,
            self.net_box,
            self.centre,
            self.wl_weight,
        )


# -- compiled kernels --------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _rand(state: np.ndarray) -> np.uint64:
    """xorshift64*: 53 random bits; ``state`` is a one-element uint64 array."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return (x * np.uint64(2685821657736338717)) >> np.uint64(11)


@njit(cache=True, nogil=True)
def _uniform(state: np.ndarray) -> float:
    return float(_rand(state)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def _below(state: np.ndarray, n: int) -> int:
    return np.int64(_rand(state) % np.uint64(n))


@njit(cache=True, nogil=True)
def _decode(tree, widths, heights, obstacles, xs, ys, work):
    """Place every block (B*-tree rules); returns the footprint bounding box (W, H).

    ``y`` is the highest top of the contour over the block's x extent, kept as a linked
    list of segments (Chang et al.): in depth-first order a block's x extent always starts
    where its parent's segment starts (right child) or ends (left child), so each block
    finds its first segment at once and the walk only visits the segments it covers, each
    removed or cut once: amortised O(n) per decode instead of the O(n^2) scan over every
    placed block (moves per CPU second, measured: ami33 0.87 M -> 0.96 M, n100 273 k ->
    374 k, n300 58 k -> 128 k, 1,000 blocks 6.6 k -> 34 k; about 35 M block placements
    per second at every size).

    A block that would overlap an obstacle is lifted onto it; obstacles sorted by their
    bottom edge make one pass enough (a block lifted above one obstacle cannot meet an
    earlier, lower-starting one it missed), and everything under the contour stays clear.

    ``work`` is scratch space (8, n + 1): the DFS stack (slot, x, first segment: a block
    id, or ``-(b + 1)`` for the segment after block b's), then per segment its x0, x1,
    top, next and previous segment. Segment ``b < n`` is block b's top; segment ``n``
    is the ground.
    """
    n = tree.shape[1]
    x0, x1, top, nxt, prv = 3, 4, 5, 6, 7
    ground = n
    work[x0, ground] = 0
    work[x1, ground] = 1 << 62
    work[top, ground] = 0
    work[nxt, ground] = -1
    work[prv, ground] = -1
    sp = 1
    work[0, 0] = tree[_ROOT, 0]
    work[1, 0] = 0
    work[2, 0] = ground
    placed = 0
    width = 0
    height = 0
    while sp > 0:
        sp -= 1
        s = work[0, sp]
        x = work[1, sp]
        code = work[2, sp]
        first = code if code >= 0 else work[nxt, -code - 1]
        b = tree[_BLK, s]
        r = tree[_ROT, b]
        w = widths[b, r]
        h = heights[b, r]
        e = x + w
        y = 0
        seg = first
        last = first
        while seg >= 0 and work[x0, seg] < e:
            if work[top, seg] > y:
                y = work[top, seg]
            last = seg
            seg = work[nxt, seg]
        for k in range(obstacles.shape[0]):
            if (
                obstacles[k, 0] < e
                and obstacles[k, 2] > x
                and obstacles[k, 1] < y + h
                and obstacles[k, 3] > y
            ):
                y = obstacles[k, 3]
        # Block b's top replaces the covered segments; the last keeps what sticks out.
        before = work[prv, first]
        after = work[nxt, last]
        if work[x1, last] > e:
            work[x0, last] = e
            after = last
        work[x0, b] = x
        work[x1, b] = e
        work[top, b] = y + h
        work[prv, b] = before
        work[nxt, b] = after
        if before >= 0:
            work[nxt, before] = b
        if after >= 0:
            work[prv, after] = b
        placed += 1
        xs[b] = x
        ys[b] = y
        if e > width:
            width = e
        if y + h > height:
            height = y + h
        if tree[_RIGHT, s] >= 0:
            work[0, sp] = tree[_RIGHT, s]
            work[1, sp] = x
            work[2, sp] = b
            sp += 1
        if tree[_LEFT, s] >= 0:
            work[0, sp] = tree[_LEFT, s]
            work[1, sp] = e
            work[2, sp] = -(b + 1)
            sp += 1
    if placed != n:  # a broken tree must never pass silently
        return -1, -1
    return width, height


@njit(cache=True, nogil=True)
def _cost(xs, ys, tree, w, h, box, norm, net_ptr, net_blk, net_box, centre, wl_weight):
    s = box[2]
    w -= s
    h -= s
    if box[0] < 0:
        value = float(w) * float(h)
    else:
        cw = box[0] - s
        ch = box[1] - s
        outer = float(max(w, cw)) * float(max(h, ch))
        base = float(w) * float(h) if box[3] else float(cw) * float(ch)
        value = base + _OVERFLOW_WEIGHT * (outer - float(cw) * float(ch))
    if wl_weight > 0:
        total = 0.0
        for k in range(net_ptr.shape[0] - 1):
            x0 = net_box[k, 0]
            x1 = net_box[k, 1]
            y0 = net_box[k, 2]
            y1 = net_box[k, 3]
            for j in range(net_ptr[k], net_ptr[k + 1]):
                b = net_blk[j]
                r = tree[_ROT, b]
                cx = xs[b] + centre[b, r, 0]
                cy = ys[b] + centre[b, r, 1]
                x0 = min(x0, cx)
                x1 = max(x1, cx)
                y0 = min(y0, cy)
                y1 = max(y1, cy)
            total += (x1 - x0) + (y1 - y0)
        value += wl_weight * total
    return value / norm


@njit(cache=True, nogil=True)
def _move(tree, state):
    """Take a block out of the tree and hang it elsewhere."""
    n = tree.shape[1]
    d = _below(state, n)
    while tree[_LEFT, d] >= 0 and tree[_RIGHT, d] >= 0:  # push down to a slot with <= 1 child
        c = tree[_LEFT, d] if _uniform(state) < 0.5 else tree[_RIGHT, d]
        tmp = tree[_BLK, d]
        tree[_BLK, d] = tree[_BLK, c]
        tree[_BLK, c] = tmp
        d = c
    child = tree[_LEFT, d] if tree[_LEFT, d] >= 0 else tree[_RIGHT, d]
    p = tree[_PARENT, d]
    if child >= 0:
        tree[_PARENT, child] = p
    if p < 0:
        tree[_ROOT, 0] = child
    elif tree[_LEFT, p] == d:
        tree[_LEFT, p] = child
    else:
        tree[_RIGHT, p] = child
    tree[_LEFT, d] = -1
    tree[_RIGHT, d] = -1
    tree[_PARENT, d] = -1
    q = _below(state, n - 1)
    if q >= d:
        q += 1
    side = _LEFT if _uniform(state) < 0.5 else _RIGHT
    c = tree[side, q]
    tree[side, q] = d
    tree[side, d] = c
    tree[_PARENT, d] = q
    if c >= 0:
        tree[_PARENT, c] = d


@njit(cache=True, nogil=True)
def _perturb(tree, turnable, state):
    n = tree.shape[1]
    move = _uniform(state)
    if move < 0.3 and turnable.shape[0] > 0:
        b = turnable[_below(state, turnable.shape[0])]
        tree[_ROT, b] ^= 1
    elif move < 0.6:
        a = _below(state, n)
        c = _below(state, n)
        tmp = tree[_BLK, a]
        tree[_BLK, a] = tree[_BLK, c]
        tree[_BLK, c] = tmp
    else:
        _move(tree, state)


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
    """``moves`` annealing moves at ``temp`` from ``cur`` (cost ``costs[0]``).

    Keeps the best tree in ``best`` and its corners in ``best_xy`` (cost ``costs[1]``).
    Returns the moves made: fewer than asked when it stopped at a fitting packing.
    """
    n = cur.shape[1]
    trial = np.empty_like(cur)
    xs = np.empty(n, dtype=np.int64)
    ys = np.empty(n, dtype=np.int64)
    work = np.empty((8, n + 1), dtype=np.int64)
    for m in range(moves):
        trial[:, :] = cur
        _perturb(trial, turnable, state)
        w, h = _decode(trial, widths, heights, obstacles, xs, ys, work)
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
def _evaluate(
    tree, widths, heights, obstacles, box, norm, net_ptr, net_blk, net_box, centre, wl_weight
):
    """Decode ``tree``: (cost, xs, ys, W, H)."""
    n = tree.shape[1]
    xs = np.empty(n, dtype=np.int64)
    ys = np.empty(n, dtype=np.int64)
    work = np.empty((8, n + 1), dtype=np.int64)
    w, h = _decode(tree, widths, heights, obstacles, xs, ys, work)
    c = _cost(xs, ys, tree, w, h, box, norm, net_ptr, net_blk, net_box, centre, wl_weight)
    return c, xs, ys, w, h


# -- Python side -------------------------------------------------------------------------


def shelf_tree(table: FootprintTable, target_width: int, order: list[int]) -> np.ndarray:
    """A tree that decodes to shelves of blocks ``target_width`` wide, in ``order``.

    Each block lies flat (wider than tall) when it may turn. Rows are chains of left
    children; each new row hangs as the right child of the previous row's first block.
    """
    n = len(table)
    tree = np.full((6, n), -1, dtype=np.int64)
    tree[_BLK] = order
    tree[_ROT] = 0
    tree[_ROOT, 0] = 0
    for i in range(n):
        if table.rotatable[i] and table.widths[i][1] > table.widths[i][0]:
            tree[_ROT, i] = 1
    row_first = 0
    row_width = 0
    for s in range(n):
        b = order[s]
        w = table.widths[b][tree[_ROT, b]]
        if s == 0:
            row_width = w
            continue
        if row_width + w <= target_width:
            tree[_LEFT, s - 1] = s
            tree[_PARENT, s] = s - 1
            row_width += w
        else:
            tree[_RIGHT, row_first] = s
            tree[_PARENT, s] = row_first
            row_first = s
            row_width = w
    return tree


def tree_cost(
    table: FootprintTable,
    tree: np.ndarray,
    *,
    nets: NetIndex | None = None,
    wirelength_weight: float = 0.0,
    minimize_area: bool = False,
) -> float:
    """The annealer's cost of ``tree`` (to choose between starting trees)."""
    compile_kernels()
    kernel = _Kernel.of(table, nets, wirelength_weight, minimize_area)
    return float(_evaluate(tree, *kernel.cost_args())[0])


@dataclass(frozen=True)
class AnnealResult:
    """The best packing a chain saw: footprint corners, orientations and bounding box."""

    xs: list[int]
    ys: list[int]
    rots: list[bool]
    width: int
    height: int
    cost: float
    moves: int
    tree: np.ndarray = field(compare=False, repr=False)  # the best tree, to start again from


@dataclass(frozen=True)
class Neighbourhood:
    """A state encoding and its compiled kernels, for the ladder of :func:`anneal`.

    ``run(cur, best, best_xy, costs, state, temp, moves, stop_when_fits, turnable,
    *cost_args)`` makes ``moves`` moves (the contract of this module's ``_run``);
    ``evaluate(state, *cost_args)`` gives (cost, xs, ys, W, H); ``perturb(state, turnable,
    rng)`` makes one move in place; ``compile()`` compiles them once per process. A state
    is an int64 array of shape (rows, n) whose row 4 holds the blocks' orientations.
    """

    name: str
    run: Callable[..., int]
    evaluate: Callable[..., tuple]
    perturb: Callable[..., None]
    compile: Callable[[], None]


@dataclass
class _Replica:
    """One chain of a ladder: its tree, [current cost, best cost], best tree and corners,
    and its random state (internal, mutated by the compiled loop)."""

    cur: np.ndarray
    costs: np.ndarray
    best: np.ndarray
    best_xy: np.ndarray
    state: np.ndarray


def _replicas(
    start: np.ndarray, kernel: _Kernel, seed: int, count: int, hood: Neighbourhood | None = None
) -> list[_Replica]:
    cost, xs, ys, w, h = (hood or BTREE).evaluate(start, *kernel.cost_args())
    out = []
    for j in range(count):
        mixed = ((seed * 0x9E3779B97F4A7C15) ^ (j * 0xBF58476D1CE4E5B9)) + 1
        best_xy = np.zeros((3, start.shape[1]), dtype=np.int64)
        best_xy[0], best_xy[1], best_xy[2, :2] = xs, ys, (w, h)
        out.append(
            _Replica(
                cur=start.copy(),
                costs=np.array([cost, cost]),
                best=start.copy(),
                best_xy=best_xy,
                state=np.array([mixed % (1 << 64) or 1], dtype=np.uint64),
            )
        )
    return out


def _exchange(ladder: list[_Replica], temps: list[float], parity: int, rng: random.Random) -> None:
    """Neighbours on the ladder swap their current states with the Metropolis probability
    of parallel tempering: a good state found hot moves down to be refined."""
    for j in range(parity, len(ladder) - 1, 2):
        a, b = ladder[j], ladder[j + 1]
        delta = (a.costs[0] - b.costs[0]) * (1.0 / temps[j] - 1.0 / temps[j + 1])
        if delta >= 0 or rng.random() < math.exp(delta):
            a.cur, b.cur = b.cur, a.cur
            a.costs[0], b.costs[0] = b.costs[0], a.costs[0]


def _round(
    chains: list[_Replica],
    temps: list[float],
    chunk: int,
    stop_at_fit: bool,
    kernel: _Kernel,
    until_s: float | None = None,
    hood: Neighbourhood | None = None,
) -> tuple[int, bool]:
    """``chunk`` moves of every chain at its temperature: (moves made, a fit was found).

    With ``until_s`` (a ``time.perf_counter`` time), passes of ``chunk`` moves over the
    chains are repeated until then.
    """
    made = 0
    while True:
        made, found = _pass(chains, temps, chunk, stop_at_fit, kernel, made, hood)
        if found or until_s is None or time.perf_counter() >= until_s:
            return made, found


def _pass(
    chains: list[_Replica],
    temps: list[float],
    chunk: int,
    stop_at_fit: bool,
    kernel: _Kernel,
    made: int,
    hood: Neighbourhood | None = None,
) -> tuple[int, bool]:
    """One pass of ``chunk`` moves over the chains, counted on from ``made``."""
    run = (hood or BTREE).run
    for rep, temp in zip(chains, temps, strict=True):
        done = run(
            rep.cur,
            rep.best,
            rep.best_xy,
            rep.costs,
            rep.state,
            temp,
            chunk,
            stop_at_fit,
            kernel.turnable,
            *kernel.cost_args(),
        )
        made += done
        if done < chunk:  # it fits
            return made, True
    return made, False


def _round_on(
    pool: ThreadPoolExecutor | None,
    threads: int,
    chains: list[_Replica],
    temps: list[float],
    chunk: int,
    stop_at_fit: bool,
    kernel: _Kernel,
    timed: bool,
    hood: Neighbourhood | None = None,
) -> tuple[int, bool]:
    """:func:`_round` with the ladder's replicas dealt out to ``threads`` threads.

    Rungs are dealt round-robin (thread ``g`` runs rungs ``g, g + threads, ...``), so each
    thread holds hot and cold replicas alike. During a round the replicas do not interact,
    so counted moves (``timed`` false) do not depend on the threads: the exchange after the
    round sees the same states whatever the threads' timing. ``timed``: every thread moves
    its replicas for :data:`_ROUND_S` of wall time, in passes of an eighth of ``chunk``,
    so that a thread the machine's load holds back does not leave the other one waiting
    at the exchange (the wall-clock mode).
    """
    if pool is None or threads <= 1:
        return _round(chains, temps, chunk, stop_at_fit, kernel, None, hood)
    until_s = time.perf_counter() + _ROUND_S if timed else None
    step = max(1, chunk // 8) if timed else chunk
    parts = [
        pool.submit(
            _round,
            chains[g::threads],
            temps[g::threads],
            step,
            stop_at_fit,
            kernel,
            until_s,
            hood,
        )
        for g in range(threads)
    ]
    outcomes = [part.result() for part in parts]
    return sum(m for m, _ in outcomes), any(f for _, f in outcomes)


def anneal(
    table: FootprintTable,
    start: np.ndarray,
    *,
    seed: int,
    budget_s: float,
    deterministic: bool,
    nets: NetIndex | None = None,
    wirelength_weight: float = 0.0,
    stop_when_fits: bool = True,
    start_accept: float = 0.5,
    stop: threading.Event | None = None,
    minimize_area: bool = False,
    replicas: int = 1,
    ladder: float = 1e-4,
    sweep: float = 1e-2,
    top: float = 1.0,
    report: Callable[[AnnealResult], None] | None = None,
    cancel: threading.Event | None = None,
    threads: int = 1,
    neighbourhood: Neighbourhood | None = None,
    intensify: Callable[[np.ndarray], tuple[np.ndarray, float, int]] | None = None,
    intensify_every: int = 8,
) -> AnnealResult:
    """Anneal from the tree ``start`` for ``budget_s``; return the best packing seen.

    One replica: the temperature falls geometrically from ``t0`` (an average uphill move
    accepted with probability ``start_accept``) to ``t0 / 1e4`` over the budget. Several:
    a ladder of chains at ``t0 * 1e-4 ** (j / (replicas - 1))`` (parallel tempering), the
    whole ladder cooled a hundredfold over the budget; after every round of moves,
    neighbours exchange their states. ``top`` < 1 puts the hottest rung at ``top * t0``
    instead, the coldest staying at ``t0 * ladder``. On ami33 at 4 s of moves per seed,
    8 replicas left 1.76 % dead space on average over 6 seeds against 2.18 % for one
    (benchmarks/README.md).

    When ``deterministic`` the budget is a move count (``budget_s`` of
    :data:`KERNEL_PLACEMENTS_PER_S`), so the result depends only on the seed; otherwise it
    is wall time. In fixed-outline mode with no wirelength weight it stops at the first
    packing that fits when ``stop_when_fits``, and then sets ``stop``; it also stops when
    another chain has set ``stop``. With ``minimize_area`` it seeks the least area that
    fits the container instead.

    ``report``, when given, receives the best packing so far whenever it improved, at most
    every :data:`REPORT_EVERY_S` of wall time (a caller streaming the run's progress; it
    does not change the search). ``cancel`` ends the run early (the caller needs no more).

    ``threads`` > 1 spreads the ladder's replicas over that many threads (the compiled loop
    releases the GIL): one ladder with more rungs instead of one ladder per core. At equal
    moves on ami33 (16 s of moves, four seeds) one 16-replica ladder left 1.66 / 1.56 /
    1.43 / 1.70 % against 1.73 / 1.76 / 1.70 / 1.71 % for the better of two independent
    8-replica ladders of half the moves each (benchmarks/README.md).

    ``neighbourhood`` (default :data:`BTREE`) is the state encoding and its moves:
    ``start`` is one of its states, e.g. a sequence pair with
    :data:`layoutopt.engine.seqpair.SEQUENCE_PAIR`.

    ``intensify``, when given, is a local search run on the coldest rung's current state
    every ``intensify_every`` rounds: ``intensify(state)`` gives (state, cost, decodes);
    the state replaces the rung's when it costs no more, and the decodes count as moves
    of the budget (:mod:`layoutopt.engine.polish`, the memetic ladder).
    """
    hood = neighbourhood or BTREE
    hood.compile()
    kernel = _Kernel.of(table, nets, wirelength_weight, minimize_area)
    n = len(table)
    chains = _replicas(start, kernel, seed, max(1, replicas), hood)
    w, h = chains[0].best_xy[2, 0], chains[0].best_xy[2, 1]
    fits = table.container is not None and w <= table.container[0] and h <= table.container[1]
    stop_at_fit = stop_when_fits and kernel.wl_weight == 0 and not minimize_area
    moves_done = 0
    if n >= 2 and not (stop_at_fit and fits):
        t_kernel = _temperature_kernel(table, kernel, nets, wirelength_weight, minimize_area)
        t_cost = chains[0].costs[0]
        if t_kernel is not kernel:
            t_cost = hood.evaluate(start, *t_kernel.cost_args())[0]
        t0 = _initial_temperature(start, t_cost, t_kernel, chains[0].state, start_accept, hood)
        k = len(chains)
        rungs = [t0 * top * (ladder / top) ** (j / (k - 1)) for j in range(k)] if k > 1 else [t0]
        cooling = sweep if k > 1 else 1e-4
        total = max(10 * n, int(budget_s * KERNEL_PLACEMENTS_PER_S / n))
        rng = random.Random(seed)
        started = reported_s = time.perf_counter()
        reported_cost = float(chains[0].costs[1])
        rounds = 0
        # One ladder over several threads: each round's replicas are dealt out to them.
        pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 and k > 1 else None
        try:
            while not (stop is not None and stop.is_set()) and not (
                cancel is not None and cancel.is_set()
            ):
                progress = (
                    moves_done / total
                    if deterministic
                    else (time.perf_counter() - started) / max(budget_s, 1e-9)
                )
                if progress >= 1.0:
                    break
                temps = [t * cooling**progress for t in rungs]
                chunk = max(1, min(_CHUNK_MOVES, _CHUNK_PLACEMENTS // n))
                if deterministic:
                    chunk = max(1, min(chunk, (total - moves_done) // k))
                made, found = _round_on(
                    pool,
                    threads,
                    chains,
                    temps,
                    chunk,
                    stop_at_fit,
                    kernel,
                    not deterministic,
                    hood,
                )
                moves_done += made
                if found:
                    if stop is not None:
                        stop.set()
                    break
                rounds += 1
                _exchange(chains, temps, rounds % 2, rng)
                if intensify is not None and rounds % intensify_every == 0:
                    moves_done += _intensify(chains[-1], intensify, kernel, hood)
                if report is not None and time.perf_counter() - reported_s >= REPORT_EVERY_S:
                    reported_s = time.perf_counter()
                    top = min(chains, key=lambda r: r.costs[1])
                    if top.costs[1] < reported_cost:
                        reported_cost = float(top.costs[1])
                        report(_result(top, moves_done))
        finally:
            if pool is not None:
                pool.shutdown()
    return _result(min(chains, key=lambda r: r.costs[1]), moves_done)


def _intensify(
    rep: _Replica,
    intensify: Callable[[np.ndarray], tuple[np.ndarray, float, int]],
    kernel: _Kernel,
    hood: Neighbourhood,
) -> int:
    """Replace the replica's state by ``intensify``'s when it costs no more (a local
    search on one rung: the memetic ladder; an equal cost may come with a better
    tie-break of the search's own); returns the decodes it took, counted as moves."""
    state, cost, evals = intensify(rep.cur)
    if cost <= rep.costs[0]:
        rep.cur = state
        rep.costs[0] = cost
        if cost < rep.costs[1]:
            _, xs, ys, w, h = hood.evaluate(state, *kernel.cost_args())
            rep.costs[1] = cost
            rep.best[:, :] = state
            rep.best_xy[0], rep.best_xy[1], rep.best_xy[2, :2] = xs, ys, (w, h)
    return evals


def _result(top: _Replica, moves: int) -> AnnealResult:
    """A replica's best packing as a value (copies: the replica goes on changing)."""
    return AnnealResult(
        xs=[int(v) for v in top.best_xy[0]],
        ys=[int(v) for v in top.best_xy[1]],
        rots=[bool(r) for r in top.best[_ROT]],
        width=int(top.best_xy[2, 0]),
        height=int(top.best_xy[2, 1]),
        cost=float(top.costs[1]),
        moves=moves,
        tree=top.best.copy(),
    )


def anneal_chains(
    table: FootprintTable,
    start: np.ndarray,
    seeds: list[int],
    neighbourhood: Neighbourhood | None = None,
    **options: object,
) -> AnnealResult:
    """Run one :func:`anneal` chain from ``start`` per seed, in parallel threads; the best.

    The compiled loop releases the GIL, so chains on different cores do not wait on each
    other. Ties go to the earlier chain, so the answer does not depend on thread timing.
    """
    hood = neighbourhood or BTREE
    hood.compile()  # once, before the threads start
    stop = threading.Event()

    def chain(seed: int) -> AnnealResult:
        return anneal(table, start, seed=seed, stop=stop, neighbourhood=hood, **options)  # type: ignore[arg-type]

    if len(seeds) == 1:
        return chain(seeds[0])
    with ThreadPoolExecutor(max_workers=len(seeds)) as pool:
        try:
            results = list(pool.map(chain, seeds))
        except BaseException:  # Ctrl-C: the chains stop now, not at the end of their budget
            stop.set()
            raise
    return min(results, key=lambda r: r.cost)


_COMPILED = threading.Event()


def two_block_table() -> FootprintTable:
    """Two blocks, one that turns: what the kernels of this package compile on."""
    return FootprintTable(
        widths=((2, 1), (1, 1)),
        heights=((1, 2), (1, 1)),
        offsets=(((0, 0), (0, 0)), ((0, 0), (0, 0))),
        rotatable=(True, False),
        spacing_um=0,
        container=None,
        obstacles=(),
    )


def compile_kernels() -> None:
    """Compile (or load from numba's cache) every kernel on a two-block instance.

    Done once per process, outside any chain's timed loop: the first compile takes
    seconds, a cached load a fraction of one.
    """
    if _COMPILED.is_set():
        return
    table = two_block_table()
    kernel = _Kernel.of(table, None, 0.0)
    tree = shelf_tree(table, 3, [0, 1])
    state = np.ones(1, dtype=np.uint64)
    cost = _evaluate(tree, *kernel.cost_args())[0]
    costs = np.array([cost, cost])
    best_xy = np.zeros((3, 2), np.int64)
    _run(
        tree,
        tree.copy(),
        best_xy,
        costs,
        state,
        1.0,
        1,
        False,
        kernel.turnable,
        *kernel.cost_args(),
    )
    # The greedy start's compiled skyline and MaxRects.
    skyline_best_fit(table, 3, [0, 1])
    maxrects_best_short_side(table, 3, 3, [0, 1])
    _COMPILED.set()


def _temperature_kernel(
    table: FootprintTable,
    kernel: _Kernel,
    nets: NetIndex | None,
    wirelength_weight: float,
    minimize_area: bool,
) -> _Kernel:
    """The kernel whose cost sets t0: the search's own, but in an outline with
    ``minimize_area`` the free outline's.

    There the search minimises the area; the overflow term (weight 11) only walls the
    outline off. Measured with it, an overflowing start's uphill moves are about ten times
    steeper (the package designs' squares from shelves: t0 10.7x the free outline's on
    n100, 11.6x on n50, 8.7x on random-75-3), so every rung ran about ten times hotter
    than the same ladder in a free outline. At equal counted moves (24 s, n100 in the
    package square, seeds 0-7) that cost 0.15 points of mean and 0.45 of worst dead space
    (benchmarks/README.md, "The package outline's temperature")."""
    if minimize_area and table.container is not None:
        return _Kernel.of(replace(table, container=None), nets, wirelength_weight)
    return kernel


def _initial_temperature(
    tree: np.ndarray,
    cost: float,
    kernel: _Kernel,
    state: np.ndarray,
    start_accept: float,
    hood: Neighbourhood | None = None,
) -> float:
    """A temperature at which an average uphill move is accepted with ``start_accept``."""
    hood = hood or BTREE
    n = tree.shape[1]
    ups = []
    for _ in range(min(60, 4 * n)):
        trial = tree.copy()
        hood.perturb(trial, kernel.turnable, state)
        c = hood.evaluate(trial, *kernel.cost_args())[0]
        if c > cost:
            ups.append(c - cost)
    return (sum(ups) / len(ups) if ups else 0.01) / -math.log(start_accept)


#: The B*-tree neighbourhood (this module's kernels): :func:`anneal`'s default.
BTREE = Neighbourhood(
    name="b*-tree", run=_run, evaluate=_evaluate, perturb=_perturb, compile=compile_kernels
)
