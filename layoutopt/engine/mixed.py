"""A tempering ladder whose rungs search different encodings: B*-trees and sequence pairs.

The B*-tree's moves are tied to its depth-first order, the sequence pair's are not, so the
two reach different packings from the same one. Here some rungs of one ladder anneal
B*-trees and others sequence pairs; when neighbours of different encodings exchange
states, each state is carried over into the other encoding through its packing, so a
state stuck in one neighbourhood's local minimum continues in the other's.

Conversions never make a packing larger:

- to a B*-tree: the packing compacted left and down, then
  :func:`layoutopt.engine.compaction.tree_of` (it decodes to it or lower);
- to a sequence pair: :func:`pair_of`, the orders of a packing's left / above relations
  (every pair of blocks that does not overlap is left, right, above or below; a pair
  apart on both axes may take either relation, the one the two orders give).

The ladder is :func:`layoutopt.engine.btree.anneal`'s (its temperatures, counted moves,
cooling and exchange rule), restricted to a free outline without obstacles or nets, where
both encodings apply.
"""

from __future__ import annotations

import math
import random
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from layoutopt.engine.btree import (
    _CHUNK_MOVES,
    _CHUNK_PLACEMENTS,
    _ROUND_S,
    BTREE,
    KERNEL_PLACEMENTS_PER_S,
    AnnealResult,
    Neighbourhood,
    _initial_temperature,
    _Kernel,
    _Replica,
    _replicas,
    _result,
)
from layoutopt.engine.compaction import compact, tree_of
from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.seqpair import SEQUENCE_PAIR, compile_pair_kernels

__all__ = ["anneal_mixed", "pair_of", "rung_kinds"]

_ROT = 4  # the orientation row of both encodings


def _order(before: np.ndarray, key: np.ndarray) -> list[int] | None:
    """A linear extension of the relation ``before[a, b]`` (a first), ties by ``key``;
    None when it has a cycle."""
    n = before.shape[0]
    waiting = before.sum(axis=0)
    done = np.zeros(n, dtype=bool)
    out = []
    for _ in range(n):
        ready = np.flatnonzero((waiting == 0) & ~done)
        if ready.size == 0:
            return None
        j = int(ready[np.argmin(key[ready])])
        out.append(j)
        done[j] = True
        waiting -= before[j]
    return out


def pair_of(
    table: FootprintTable, xs: list[int], ys: list[int], rots: list[bool]
) -> np.ndarray | None:
    """A sequence-pair state whose decode is the packing ``xs``, ``ys`` or lies inside its box.

    G+ lists a before b when a is left of b or above it, G- when a is left of b or below
    it. A pair apart along one axis only has one relation; a pair apart along both (b to
    the upper right of a, or to the lower right) is forced in one sequence and free in the
    other, and either order there gives a relation the packing satisfies. So the decode's
    longest paths run along relations every block of the packing already obeys: no block
    lands right of or above its place. None when the packing overlaps (no such orders).

    >>> t = FootprintTable(((2, 2), (2, 2)), ((2, 2), (2, 2)), (((0, 0),) * 2,) * 2,
    ...                    (False, False), 0, None, ())
    >>> pair_of(t, [0, 2], [0, 0], [False, False])[:2].tolist()
    [[0, 1], [0, 1]]
    """
    n = len(xs)
    w = np.array([table.widths[i][int(rots[i])] for i in range(n)], dtype=np.int64)
    h = np.array([table.heights[i][int(rots[i])] for i in range(n)], dtype=np.int64)
    x = np.array(xs, dtype=np.int64)
    y = np.array(ys, dtype=np.int64)
    left = (x + w)[:, None] <= x[None, :]  # left[a, b]: a ends where b begins or before
    below = (y + h)[:, None] <= y[None, :]
    apart = left | left.T | below | below.T
    if not apart[~np.eye(n, dtype=bool)].all():
        return None
    plus = (left & ~below) | (below.T & ~left.T)  # a left of b (not below it), or above b
    minus = (left & ~below.T) | (below & ~left.T)  # a left of b (not above it), or below b
    g_plus = _order(plus.astype(np.int64), x - y)
    g_minus = _order(minus.astype(np.int64), x + y)
    if g_plus is None or g_minus is None:
        return None
    sp = np.zeros((5, n), dtype=np.int64)
    sp[0] = g_plus
    sp[1] = g_minus
    sp[2, sp[0]] = np.arange(n)
    sp[3, sp[1]] = np.arange(n)
    sp[_ROT] = [int(r) for r in rots]
    return sp


def _convert(
    table: FootprintTable,
    kernel: _Kernel,
    state: np.ndarray,
    source: Neighbourhood,
    target: Neighbourhood,
) -> tuple[np.ndarray, float] | None:
    """``state`` of ``source`` as a state of ``target`` and its cost (None: not converted)."""
    if source is target:
        return state, float(source.evaluate(state, *kernel.cost_args())[0])
    _, xs, ys, _, _ = source.evaluate(state, *kernel.cost_args())
    rots = [bool(r) for r in state[_ROT]]
    cx, cy = compact(table, xs.tolist(), ys.tolist(), rots)
    out = tree_of(table, cx, cy, rots) if target is BTREE else pair_of(table, cx, cy, rots)
    if out is None:
        return None
    return out, float(target.evaluate(out, *kernel.cost_args())[0])


def rung_kinds(replicas: int, layout: str) -> list[Neighbourhood]:
    """The encoding of each rung, hottest first: ``alternate`` (B*-tree, pair, ...),
    ``hot-pairs`` (the hotter half sequence pairs) or ``hot-trees``."""
    if layout == "alternate":
        return [BTREE if j % 2 == 0 else SEQUENCE_PAIR for j in range(replicas)]
    half = replicas // 2
    hot, cold = (SEQUENCE_PAIR, BTREE) if layout == "hot-pairs" else (BTREE, SEQUENCE_PAIR)
    return [hot] * half + [cold] * (replicas - half)


def _pass(
    chains: list[_Replica],
    temps: list[float],
    kinds: list[Neighbourhood],
    chunk: int,
    kernel: _Kernel,
    until_s: float | None,
) -> int:
    """``chunk`` moves of every chain with its encoding's kernel (repeated until
    ``until_s`` when given); the moves made. btree's ``_pass`` with one kernel for all."""
    made = 0
    while True:
        for rep, temp, kind in zip(chains, temps, kinds, strict=True):
            made += kind.run(
                rep.cur,
                rep.best,
                rep.best_xy,
                rep.costs,
                rep.state,
                temp,
                chunk,
                False,
                kernel.turnable,
                *kernel.cost_args(),
            )
        if until_s is None or time.perf_counter() >= until_s:
            return made


def _exchange(
    table: FootprintTable,
    kernel: _Kernel,
    ladder: list[_Replica],
    kinds: list[Neighbourhood],
    temps: list[float],
    parity: int,
    rng: random.Random,
) -> int:
    """btree's exchange rule; a state crossing to the other encoding is converted (its cost
    can only fall). Returns the exchanges made."""
    swapped = 0
    for j in range(parity, len(ladder) - 1, 2):
        a, b = ladder[j], ladder[j + 1]
        delta = (a.costs[0] - b.costs[0]) * (1.0 / temps[j] - 1.0 / temps[j + 1])
        if not (delta >= 0 or rng.random() < math.exp(delta)):
            continue
        into_a = _convert(table, kernel, b.cur, kinds[j + 1], kinds[j])
        into_b = _convert(table, kernel, a.cur, kinds[j], kinds[j + 1])
        if into_a is None or into_b is None:
            continue
        a.cur, a.costs[0] = into_a[0].copy(), into_a[1]
        b.cur, b.costs[0] = into_b[0].copy(), into_b[1]
        swapped += 1
    return swapped


def anneal_mixed(
    table: FootprintTable,
    start: np.ndarray,
    *,
    seed: int,
    budget_s: float,
    deterministic: bool,
    replicas: int,
    layout: str = "alternate",
    threads: int = 1,
    start_accept: float = 0.5,
    ladder: float = 1e-4,
    sweep: float = 1e-2,
) -> AnnealResult:
    """A min-area ladder over both encodings from the B*-tree ``start`` (free outline).

    As :func:`layoutopt.engine.btree.anneal` with ``replicas`` rungs, whose encodings
    :func:`rung_kinds` gives for ``layout``. The result's ``tree`` is the best state in
    its own encoding; ``xs``, ``ys``, ``rots`` are the packing.
    """
    if table.obstacles or table.container is not None:
        raise ValueError("the mixed ladder needs a free outline without obstacles")
    compile_pair_kernels()
    kernel = _Kernel.of(table, None, 0.0, False)
    kinds = rung_kinds(max(2, replicas), layout)
    chains = _replicas(start, kernel, seed, len(kinds), BTREE)
    for rep, kind in zip(chains, kinds, strict=True):
        if kind is not BTREE:
            converted = _convert(table, kernel, start, BTREE, kind)
            if converted is None:
                raise ValueError("the start packing overlaps")
            rep.cur, rep.best = converted[0].copy(), converted[0].copy()
            rep.costs[:] = converted[1]
    n = len(table)
    t0 = _initial_temperature(start, chains[0].costs[0], kernel, chains[0].state, start_accept)
    k = len(chains)
    rungs = [t0 * ladder ** (j / (k - 1)) for j in range(k)]
    total = max(10 * n, int(budget_s * KERNEL_PLACEMENTS_PER_S / n))
    rng = random.Random(seed)
    started = time.perf_counter()
    moves_done = rounds = 0
    pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
    try:
        while True:
            progress = (
                moves_done / total
                if deterministic
                else (time.perf_counter() - started) / max(budget_s, 1e-9)
            )
            if progress >= 1.0 or n < 2:
                break
            temps = [t * sweep**progress for t in rungs]
            chunk = max(1, min(_CHUNK_MOVES, _CHUNK_PLACEMENTS // n))
            if deterministic:
                chunk = max(1, min(chunk, (total - moves_done) // k))
            until_s = None if deterministic else time.perf_counter() + _ROUND_S
            step = chunk if deterministic else max(1, chunk // 8)
            if pool is None:
                moves_done += _pass(chains, temps, kinds, chunk, kernel, None)
            else:
                parts = [
                    pool.submit(
                        _pass,
                        chains[g::threads],
                        temps[g::threads],
                        kinds[g::threads],
                        step,
                        kernel,
                        until_s,
                    )
                    for g in range(threads)
                ]
                moves_done += sum(part.result() for part in parts)
            rounds += 1
            _exchange(table, kernel, chains, kinds, temps, rounds % 2, rng)
    finally:
        if pool is not None:
            pool.shutdown()
    return _result(min(chains, key=lambda r: r.costs[1]), moves_done)
