"""Simulated annealing over B*-trees (Chang et al., DAC 2000), on footprints.

A B*-tree encodes a packing compacted to the left and down: the left child of a node sits
just right of it, the right child just above it at the same x; y comes from a contour. Every
compacted packing has a tree, so the search can reach the optimum; each move (turn a block,
swap two blocks, move a block elsewhere in the tree) is decoded in O(n log n).

Cost, for a bounding box W x H of footprints:

- free outline: ``W * H`` (plus the weighted wirelength);
- fixed outline ``Wo x Ho``: ``Wo * Ho + 11 * (max(W, Wo) * max(H, Ho) - Wo * Ho)``, flat
  once the packing fits, steep outside (plus the weighted wirelength).

Everything is counted in placements on a :class:`~layoutopt.engine.clock.Clock`, so a run
with a fixed seed is reproducible.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from layoutopt.engine.clock import UNITS_PER_S, Clock
from layoutopt.engine.netlist import NetIndex
from layoutopt.engine.problem import FootprintTable

__all__ = ["BTree", "anneal", "decode", "shelf_tree"]

_OVERFLOW_WEIGHT = 11


@dataclass
class BTree:
    """Mutable B*-tree over slots; ``blk[s]`` is the block held by slot ``s``."""

    left: list[int]
    right: list[int]
    parent: list[int]
    blk: list[int]
    rot: list[int]  # per block: 0 as given, 1 turned
    root: int

    def copy(self) -> BTree:
        return BTree(
            self.left[:], self.right[:], self.parent[:], self.blk[:], self.rot[:], self.root
        )


def shelf_tree(table: FootprintTable, target_width: int, order: list[int]) -> BTree:
    """A tree that decodes to shelves of blocks ``target_width`` wide, in ``order``.

    Each block lies flat (wider than tall) when it may turn. Rows are chains of left
    children; each new row hangs as the right child of the previous row's first block.
    """
    n = len(table)
    left, right, parent = [-1] * n, [-1] * n, [-1] * n
    blk = list(order)
    rot = [0] * n
    for i in range(n):
        if table.rotatable[i] and table.widths[i][1] > table.widths[i][0]:
            rot[i] = 1
    row_first = 0
    row_width = 0
    for s in range(n):
        b = blk[s]
        w = table.widths[b][rot[b]]
        if s == 0:
            row_width = w
            continue
        if row_width + w <= target_width:
            left[s - 1] = s
            parent[s] = s - 1
            row_width += w
        else:
            right[row_first] = s
            parent[s] = row_first
            row_first = s
            row_width = w
    return BTree(left, right, parent, blk, rot, 0)


def decode(tree: BTree, table: FootprintTable) -> tuple[list[int], list[int], int, int]:
    """Footprint corners (xs, ys per block) and the bounding box (W, H)."""
    n = len(tree.blk)
    xs, ys = [0] * n, [0] * n
    widths, heights = table.widths, table.heights
    left, right, blk, rot = tree.left, tree.right, tree.blk, tree.rot
    # Contour: heights[j] holds from starts[j] to starts[j + 1] (the last one to infinity).
    starts, tops = [0], [0]
    stack = [(tree.root, 0)]
    width = height = 0
    while stack:
        s, x = stack.pop()
        b = blk[s]
        r = rot[b]
        w = widths[b][r]
        h = heights[b][r]
        e = x + w
        j0 = bisect_right(starts, x) - 1
        j1 = bisect_left(starts, e)
        y = max(tops[j0:j1])
        new_s, new_t = [x], [y + h]
        if j1 >= len(starts) or starts[j1] != e:
            new_s.append(e)
            new_t.append(tops[j1 - 1])
        lo = j0 if starts[j0] == x else j0 + 1
        starts[lo:j1] = new_s
        tops[lo:j1] = new_t
        xs[b] = x
        ys[b] = y
        if e > width:
            width = e
        if y + h > height:
            height = y + h
        if right[s] >= 0:
            stack.append((right[s], x))
        if left[s] >= 0:
            stack.append((left[s], e))
    return xs, ys, width, height


def _perturb(tree: BTree, rng: random.Random, turnable: list[int]) -> None:
    n = len(tree.blk)
    move = rng.random()
    if move < 0.3 and turnable:
        b = turnable[rng.randrange(len(turnable))]
        tree.rot[b] ^= 1
        return
    if move < 0.6:
        a, c = rng.randrange(n), rng.randrange(n)
        tree.blk[a], tree.blk[c] = tree.blk[c], tree.blk[a]
        return
    _move(tree, rng)


def _move(tree: BTree, rng: random.Random) -> None:
    """Take a block out of the tree and hang it elsewhere."""
    n = len(tree.blk)
    left, right, parent, blk = tree.left, tree.right, tree.parent, tree.blk
    d = rng.randrange(n)
    while left[d] >= 0 and right[d] >= 0:  # push the block down to a slot with <= 1 child
        c = left[d] if rng.random() < 0.5 else right[d]
        blk[d], blk[c] = blk[c], blk[d]
        d = c
    child = left[d] if left[d] >= 0 else right[d]
    p = parent[d]
    if child >= 0:
        parent[child] = p
    if p < 0:
        tree.root = child
    elif left[p] == d:
        left[p] = child
    else:
        right[p] = child
    left[d] = right[d] = parent[d] = -1
    q = rng.randrange(n - 1)
    if q >= d:
        q += 1
    if rng.random() < 0.5:
        c = left[q]
        left[q] = d
        left[d] = c
    else:
        c = right[q]
        right[q] = d
        right[d] = c
    parent[d] = q
    if c >= 0:
        parent[c] = d


@dataclass(frozen=True)
class AnnealResult:
    tree: BTree
    xs: list[int]
    ys: list[int]
    rots: list[bool]
    width: int
    height: int
    cost: float


def anneal(
    table: FootprintTable,
    start: BTree,
    *,
    seed: int,
    clock: Clock,
    budget_s: float,
    nets: NetIndex | None = None,
    wirelength_weight: float = 0.0,
    stop_when_fits: bool = True,
    start_accept: float = 0.05,
) -> AnnealResult:
    """Anneal from ``start`` for ``budget_s`` of the clock; return the best packing seen.

    The schedule is counted in moves, so a run is reproducible for a given ``seed`` and
    budget. In fixed-outline mode with no wirelength weight it stops at the first packing
    that fits when ``stop_when_fits``.
    """
    rng = random.Random(seed)
    n = len(table)
    container = table.container
    turnable = [i for i in range(n) if table.rotatable[i]]
    norm = float(
        sum(min(table.widths[i][r] * table.heights[i][r] for r in (0, 1)) for i in range(n))
    )
    use_wl = nets is not None and wirelength_weight > 0 and nets.nets

    def cost_of(tree: BTree) -> tuple[float, list[int], list[int], int, int]:
        xs, ys, w, h = decode(tree, table)
        if container is None:
            area = float(w * h)
        else:
            cw, ch = container
            box = max(w, cw) * max(h, ch)
            area = float(cw * ch + _OVERFLOW_WEIGHT * (box - cw * ch))
        if use_wl:
            area += wirelength_weight * nets.hpwl_um(xs, ys, tree.rot)  # type: ignore[union-attr]
        return area / norm, xs, ys, w, h

    def fits(w: int, h: int) -> bool:
        return container is not None and w <= container[0] and h <= container[1]

    cur = start.copy()
    cur_cost, xs, ys, w, h = cost_of(cur)
    clock.spend(n)
    best = AnnealResult(cur.copy(), xs, ys, [bool(r) for r in cur.rot], w, h, cur_cost)
    if n < 2 or (stop_when_fits and fits(w, h) and not use_wl):
        return best
    # Initial temperature: accept an average uphill move with probability 1/2.
    ups = []
    for _ in range(min(60, 4 * n)):
        trial = cur.copy()
        _perturb(trial, rng, turnable)
        c = cost_of(trial)[0]
        if c > cur_cost:
            ups.append(c - cur_cost)
    clock.spend(n * min(60, 4 * n))
    t0 = (sum(ups) / len(ups) if ups else 0.01) / -math.log(start_accept)
    t_end = t0 * 1e-4
    total_moves = max(10 * n, int(budget_s * UNITS_PER_S / n))
    steps = 100
    per_step = max(1, total_moves // steps)
    alpha = (t_end / t0) ** (1.0 / steps)
    temp = t0
    for _ in range(steps):
        for _ in range(per_step):
            trial = cur.copy()
            _perturb(trial, rng, turnable)
            c, xs, ys, w, h = cost_of(trial)
            delta = c - cur_cost
            if delta <= 0 or rng.random() < math.exp(-delta / temp):
                cur, cur_cost = trial, c
                if c < best.cost:
                    best = AnnealResult(trial.copy(), xs, ys, [bool(r) for r in trial.rot], w, h, c)
                    if stop_when_fits and fits(w, h) and not use_wl:
                        clock.spend(n * per_step)
                        return best
        clock.spend(n * per_step)
        temp *= alpha
        if clock.expired():
            break
    return best
