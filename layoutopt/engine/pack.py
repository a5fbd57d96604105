"""The packing pipeline: greedy start, annealing, then CP-SAT repair and improvement.

1. :func:`constructive` runs the best-fit skyline with a few block orders and strip widths
   (bottom-left fill when there are obstacles), and in a fixed outline MaxRects too. For a
   fixed outline this usually fits at once, in milliseconds.
2. Randomised best-fit restarts, then B*-tree annealing (compiled, one chain per worker;
   blocks are lifted over obstacles) improve the area (free outline) or squeeze the
   packing into the outline (fixed outline); some free-outline sizes anneal sequence
   pairs instead (:mod:`layoutopt.engine.seqpair`, see ``_PAIR_BLOCKS``). From 200
   blocks in a free outline the restarts take the annealing's share (``_GREEDY_ONLY_BLOCKS``),
   and most of it goes to a search over the block sequence of the scoring-rule skyline
   (:mod:`layoutopt.engine.scored_skyline`) where a probe finds it ahead (``_PROBE_SHARE``).
3. CP-SAT: large-neighbourhood search over the best packing (from 150 blocks in a free
   outline, over it and three greedy packings of other widths in turn, then the best);
   for a fixed outline that still does not fit, the exact model runs with the best
   packing as a hint.

With ``workers=1`` every stage counts its budget in deterministic work (see
:mod:`layoutopt.engine.clock`), so a fixed seed gives the same packing every run.

Examples
--------
>>> from layoutopt.engine.problem import Block, PackProblem
>>> blocks = tuple(Block(f"B{i}", 10 + i, 20) for i in range(6))
>>> result = pack(PackProblem(blocks, outline_um=(70, 45)), time_limit_s=5, workers=1)
>>> result.status.value, result.packing.width_um <= 70, result.packing.length_um <= 45
('feasible', True, True)
"""

from __future__ import annotations

import itertools
import math
import random
import threading
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from layoutopt.deadline import Deadline
from layoutopt.engine.btree import (
    KERNEL_PLACEMENTS_PER_S,
    AnnealResult,
    anneal_chains,
    compile_kernels,
    shelf_tree,
    tree_cost,
)
from layoutopt.engine.check import packing_violations
from layoutopt.engine.clock import CPSAT_DET_PER_S, UNITS_PER_S, Clock, cpsat_guard_s
from layoutopt.engine.compaction import compact, tree_of
from layoutopt.engine.cpsat import CpsatResult, cpsat_pack
from layoutopt.engine.lns import lns, lns_from_starts, packing_cost
from layoutopt.engine.netlist import NetIndex
from layoutopt.engine.polish import compile_polish_kernels, intensifier
from layoutopt.engine.problem import (
    FootprintTable,
    Packing,
    PackProblem,
    PackResult,
    PackStatus,
    ProgressCallback,
)
from layoutopt.engine.scored_skyline import SCANS_PER_S, search_sequence
from layoutopt.engine.seqpair import SEQUENCE_PAIR, compile_pair_kernels, shelf_pair
from layoutopt.engine.skyline import (
    bottom_left_fill,
    guillotine_best_short_side,
    maxrects_best_short_side,
    skyline_best_fit,
)
from layoutopt.errors import InternalError

__all__ = ["constructive", "pack"]

# Up to this many blocks the final stage is the full CP-SAT model rather than LNS.
_SMALL = 16
# The greedy start may try at most this share of the budget in skyline runs.
_GREEDY_SHARE = 0.05


def _skyline_s(n: int) -> float:
    """The work one skyline run over ``n`` blocks is charged: what it cost in numpy, 53 us
    per block at 33-100 blocks, 65 at 300, 83 at 1,000, 118 at 2,000, 234 at 5,000
    (measured on one core). The compiled skyline costs about a tenth of that (5,000
    blocks: 0.19 s against 2.0 s at load 5); the charge stays, so that the deterministic
    mode's budgets, and its answers, stay as they were."""
    return n * (50 + 0.037 * n) * 1e-6


def _orders(problem: PackProblem, rng: random.Random | None) -> list[list[int]]:
    """Block priorities: by area, longest side, shortest side, width, length and
    perimeter (descending)."""
    blocks = problem.blocks
    n = len(blocks)
    keys = [
        lambda i: blocks[i].area_um2,
        lambda i: max(blocks[i].width_um, blocks[i].length_um),
        lambda i: min(blocks[i].width_um, blocks[i].length_um),
        lambda i: blocks[i].width_um,
        lambda i: blocks[i].length_um,
        lambda i: blocks[i].width_um + blocks[i].length_um,
    ]
    if rng is not None:  # one of them, with noise
        key = keys[rng.randrange(len(keys))]
        noise = [rng.uniform(0.7, 1.3) for _ in range(n)]
        return [sorted(range(n), key=lambda i: (-key(i) * noise[i], i))]
    return [sorted(range(n), key=lambda i, f=f: (-f(i), i)) for f in keys]


def _fits(problem: PackProblem, packing: Packing) -> bool:
    if problem.outline_um is None:
        return True
    return packing.width_um <= problem.outline_um[0] and packing.length_um <= problem.outline_um[1]


def _better(problem: PackProblem, a: Packing, b: Packing | None) -> bool:
    """Is ``a`` better than ``b``: fitting first, then the smaller cost (area or overflow)."""
    if b is None:
        return True
    if problem.outline_um is None:
        return packing_cost(problem, a) < packing_cost(problem, b)
    fa, fb = _fits(problem, a), _fits(problem, b)
    if fa != fb:
        return fa
    if fa:
        return packing_cost(problem, a) < packing_cost(problem, b)
    return _overflow(problem, a) < _overflow(problem, b)


def _overflow(problem: PackProblem, packing: Packing) -> int:
    ow, oh = problem.outline_um  # type: ignore[misc]
    return max(packing.width_um, ow) * max(packing.length_um, oh) - ow * oh


def _skyline_try(
    problem: PackProblem, table: FootprintTable, width: int, order: list[int], by_taller: bool
) -> Packing | None:
    if table.obstacles:
        height = table.container[1] if table.container else None
        got = bottom_left_fill(table, width, height, order)
        if got is None and height is not None:
            got = bottom_left_fill(table, width, None, order)
    else:
        got = skyline_best_fit(table, width, order, place_by_taller=by_taller)
    if got is None:
        return None
    xs, ys, rots, _ = got
    return table.to_packing(problem, xs, ys, rots)


# MaxRects keeps every maximal free rectangle: fine up to a thousand blocks (n300: 0.05 s).
_MAXRECTS_MAX_BLOCKS = 1000


def _maxrects_try(problem: PackProblem, table: FootprintTable, order: list[int]) -> Packing | None:
    cw, ch = table.container  # type: ignore[misc]
    got = maxrects_best_short_side(table, cw, ch, order)
    return None if got is None else table.to_packing(problem, *got[:3])


# A strip width that stands for the guillotine packer in the constructive tries.
_GUILLOTINE = -1


def _guillotine_try(
    problem: PackProblem, table: FootprintTable, order: list[int]
) -> Packing | None:
    cw, ch = table.container  # type: ignore[misc]
    got = guillotine_best_short_side(table, cw, ch, order)
    return None if got is None else table.to_packing(problem, *got[:3])


def _strip_widths(problem: PackProblem, table: FootprintTable) -> list[int]:
    if table.container is not None:
        return [table.container[0]]
    area = sum(
        min(table.widths[i][r] * table.heights[i][r] for r in (0, 1)) for i in range(len(table))
    )
    widest = max(
        min(table.widths[i]) if table.rotatable[i] else table.widths[i][0]
        for i in range(len(table))
    )
    side = math.isqrt(area)
    return sorted({max(widest, int(side * f)) for f in (0.9, 1.0, 1.1, 1.25)})


def constructive(problem: PackProblem, seed: int = 0, *, max_tries: int | None = None) -> Packing:
    """A quick greedy packing (milliseconds for a hundred blocks, a second for 5,000).

    Best-fit skyline over several block orders and strip widths, keeping the best: for a
    fixed outline the first that fits (or the least overflowing, which may then exceed the
    outline), for a free outline the smallest area. ``seed`` adds one randomised order.
    At most ``max_tries`` skyline runs (the most promising first), so that a large
    instance keeps to its budget.
    """
    if not problem.blocks:
        return Packing((), 0, 0)
    table = FootprintTable.of(problem)
    rng = random.Random(seed)
    best: Packing | None = None
    orders = _orders(problem, None) + _orders(problem, rng)
    first_fit = problem.outline_um is not None and not problem.minimize_area
    first_fit = first_fit and not (problem.wirelength_weight > 0 and problem.nets)
    sides = (True,) if table.obstacles else (True, False)  # bottom-left fill has no side
    skyline: list[tuple[int | None, list[int], bool]] = list(
        itertools.product(_strip_widths(problem, table), orders, sides)
    )
    maxrects: list[tuple[int | None, list[int], bool]] = []
    if table.container is not None and len(table) <= _MAXRECTS_MAX_BLOCKS:
        maxrects = [(None, order, True) for order in orders]  # None: MaxRects in the outline
    if first_fit and table.container is not None and not table.obstacles:
        # Where any fit will do, the cheapest tries first: MaxRects (0.25 ms a run over 49
        # blocks, the skyline 3.5 ms) and the guillotine, which fit the tight outlines the
        # skyline misses (benchmarks/README.md). Elsewhere the order stays, so a search
        # that compares fitting packings starts where it did.
        guillotine = [(_GUILLOTINE, order, True) for order in orders]
        tries = maxrects + guillotine + skyline
    else:
        tries = skyline + maxrects
    for count, (width, order, by_taller) in enumerate(tries):
        if max_tries is not None and count >= max_tries and best is not None:
            break
        if width == _GUILLOTINE:
            got = _guillotine_try(problem, table, order)
        elif width is None:
            got = _maxrects_try(problem, table, order)
        else:
            got = _skyline_try(problem, table, width, order, by_taller)
        if got is not None and _better(problem, got, best):
            best = got
        if first_fit and best is not None and _fits(problem, best):
            break
    if best is None:
        # A block wider than the outline in every orientation: a column of blocks.
        xs, ys, rots, y = [], [], [], 0
        for i in range(len(table)):
            xs.append(0)
            ys.append(y)
            rots.append(False)
            y += table.size(i, False)[1]
        best = table.to_packing(problem, xs, ys, rots)
    return best


_PROVEN_INFEASIBLE = "CP-SAT proved that the blocks cannot fit the outline"


def _cpsat_on_clock(
    problem: PackProblem, clock: Clock, budget_s: float, **options: object
) -> CpsatResult:
    """The exact model for ``budget_s`` of ``clock``, which is charged for what it used.

    On a deterministic clock the budget is CP-SAT's deterministic time and the wall limit
    only guards against runaway, so runs stay reproducible.
    """
    deterministic = clock.deterministic
    result = cpsat_pack(
        problem,
        time_limit_s=cpsat_guard_s(budget_s * CPSAT_DET_PER_S) if deterministic else budget_s,
        deterministic_time=budget_s * CPSAT_DET_PER_S if deterministic else None,
        **options,  # type: ignore[arg-type]
    )
    if deterministic:
        clock.spend(result.deterministic_time / CPSAT_DET_PER_S * UNITS_PER_S)
    else:
        clock.spend_seconds(result.time_s)
    return result


def _trivially_infeasible(problem: PackProblem, table: FootprintTable) -> str | None:
    if table.container is None:
        return None
    cw, ch = table.container
    for i, b in enumerate(problem.blocks):
        sizes = [table.size(i, False)] + ([table.size(i, True)] if table.rotatable[i] else [])
        if not any(w <= cw and h <= ch for w, h in sizes):
            return f"block {b.id} does not fit the outline in any orientation"
    free_area = cw * ch - sum(o.area_um2 for o in table.obstacles)
    need = sum(
        min(table.widths[i][r] * table.heights[i][r] for r in (0, 1)) for i in range(len(table))
    )
    if need > free_area:
        return f"the footprints need {need} um2 but the outline offers {free_area} um2"
    return None


class _Search:
    """The state one :func:`pack` call carries through its stages (internal).

    Holds the best packing so far and its history; ``offer`` keeps a candidate when it is
    better (thread-safe: the annealer's chains report from their threads), and hands each
    better one that fits to ``on_packing``. Stages read the problem, the footprints and the
    clock from here.
    """

    def __init__(
        self,
        problem: PackProblem,
        clock: Clock,
        progress: ProgressCallback | None,
        on_packing: Callable[[Packing], None] | None = None,
    ) -> None:
        self.problem = problem
        self.table = FootprintTable.of(problem)
        self.clock = clock
        self.progress = progress
        self.on_packing = on_packing
        self._lock = threading.Lock()
        self.history: list[tuple[float, int, str]] = []
        self.stats: dict[str, object] = {}
        self.best: Packing | None = None
        self.anneal_runs = 0  # every annealing run gets seeds of its own
        # The greedy stage's best packing per strip width: more LNS starts (_improve).
        self.starts: dict[int, Packing] = {}
        self.fixed_mode = problem.outline_um is not None
        self.wants_wl = problem.wirelength_weight > 0 and bool(problem.nets)
        # Done at the first packing that fits: a fixed outline with nothing else to minimise.
        self.first_fit_only = self.fixed_mode and not self.wants_wl and not problem.minimize_area

    @property
    def n(self) -> int:
        return len(self.problem.blocks)

    def offer(self, candidate: Packing | None, source: str) -> None:
        with self._lock:
            if candidate is None or not _better(self.problem, candidate, self.best):
                return
            self.best = candidate
            elapsed = self.clock.elapsed_s()
            self.history.append((round(elapsed, 3), candidate.area_um2, source))
        if self.progress is not None:
            self.progress(elapsed, candidate.area_um2, source)
        if self.on_packing is not None and _fits(self.problem, candidate):
            self.on_packing(candidate)

    def fits(self) -> bool:
        return self.best is not None and _fits(self.problem, self.best)

    def done(self) -> bool:
        return self.first_fit_only and self.fits()

    def finish(self, status: PackStatus) -> PackResult:
        """The result, after the independent check of the packing it returns."""
        best = self.best if self.fits() else None
        if best is not None:
            violations = packing_violations(self.problem, best)
            if violations:
                raise InternalError(
                    "packing engine produced an illegal packing: "
                    + "; ".join(violations[:3])
                    + ". Please report this bug."
                )
        elif status is not PackStatus.INFEASIBLE:
            status = PackStatus.NO_SOLUTION
        area = self.problem.block_area_um2
        return PackResult(
            status=status,
            packing=best,
            dead_space=(1.0 - area / max(1, best.area_um2)) if best else None,
            bbox_um=(best.width_um, best.length_um) if best else None,
            time_s=self.clock.wall_s(),
            history=tuple(self.history),
            stats=self.stats,
        )

    def infeasible(self, reason: str) -> PackResult:
        self.stats["explanation"] = reason
        self.best = None
        return self.finish(PackStatus.INFEASIBLE)


# A best-fit restart's state: its packing, strip width (None: MaxRects), order and side.
_BestFitElite = tuple[Packing, int | None, list[int], bool]


def _greedy_restarts(search: _Search, time_limit_s: float, rng: random.Random) -> None:
    """Iterated greedy (:func:`_best_fit_restarts`). Where the restarts take the
    annealing's share, the sequence search (:func:`_sequence_searches`) joins them after
    ``_BEST_FIT_SHARE``: a probe of ``_PROBE_SHARE``, then the rest of the share to
    whichever of the two holds the smaller packing."""
    if not _greedy_only(search):
        # Where only the first fit counts, randomised greedy orders rarely fit what the
        # constructive tries missed (none of the 33 outlines at 5 % whitespace in
        # benchmarks/README.md), and the annealer fits sooner: a short try only.
        share = 0.01 if search.first_fit_only else 0.05
        _best_fit_restarts(search, share * time_limit_s, rng, None)
        return
    best_fit = _best_fit_restarts(search, _BEST_FIT_SHARE * time_limit_s, rng, None)
    probe_until_s = (_BEST_FIT_SHARE + _PROBE_SHARE) * time_limit_s
    scored = _sequence_searches(search, probe_until_s, rng, None)
    until_s = _GREEDY_ONLY_SHARE * time_limit_s
    if scored is not None and (best_fit is None or scored[0] < best_fit[0].area_um2):
        search.stats["greedy_after_probe"] = "scored-skyline"
        _sequence_searches(search, until_s, rng, scored)
    else:
        search.stats["greedy_after_probe"] = "best-fit"
        _best_fit_restarts(search, until_s, rng, best_fit)


def _best_fit_restarts(
    search: _Search, until_s: float, rng: random.Random, elite: _BestFitElite | None
) -> _BestFitElite | None:
    """Random restarts and small changes to the best block order and strip width (cheap,
    strong on many similar blocks) until ``until_s`` of the clock, from ``elite`` when
    given; returns the best. In a fixed outline every other try is MaxRects, a different
    greedy with different luck."""
    problem, table, clock, n = search.problem, search.table, search.clock, search.n
    base_side = math.isqrt(problem.block_area_um2)
    narrowest = _strip_widths(problem, table)[0]
    maxrects = table.container is not None and n <= _MAXRECTS_MAX_BLOCKS
    while not search.done() and clock.elapsed_s() < until_s and not clock.expired():
        if elite is None or rng.random() < 0.3:
            width: int | None = narrowest
            if not search.fixed_mode:
                width = max(narrowest, int(base_side * rng.uniform(0.8, 1.3)))
            elif maxrects and rng.random() < 0.5:
                width = None  # MaxRects in the outline
            order = _orders(problem, rng)[0]
            by_taller = rng.random() < 0.5
        else:
            _, width, order, by_taller = elite
            order = order[:]
            for _ in range(rng.randint(1, 3)):
                a = rng.randrange(n)
                c = min(n - 1, max(0, a + rng.randint(-4, 4)))
                order[a], order[c] = order[c], order[a]
            if width is not None and not search.fixed_mode and rng.random() < 0.3:
                width = max(narrowest, int(width * rng.uniform(0.98, 1.02)))
        if width is None:
            got = _maxrects_try(problem, table, order)
            clock.spend_seconds(3 * _skyline_s(n))
        else:
            got = _skyline_try(problem, table, width, order, by_taller)
            clock.spend_seconds(_skyline_s(n))
        if got is None:
            continue
        if elite is None or not _better(problem, elite[0], got):
            elite = (got, width, order, by_taller)
        _keep_start(search, got)
        search.offer(got, "best-fit")
    return elite


def _keep_start(search: _Search, packing: Packing) -> None:
    """``packing`` as the LNS start of its width when it is the smallest of that width."""
    kept = search.starts.get(packing.width_um)
    if kept is None or packing.area_um2 < kept.area_um2:
        search.starts[packing.width_um] = packing


# Where the greedy restarts take the annealing's share (``_GREEDY_ONLY_BLOCKS``), the
# best-fit restarts run for ``_BEST_FIT_SHARE`` of the budget, the scoring-rule skyline's
# search over the sequence (:mod:`layoutopt.engine.scored_skyline`) for ``_PROBE_SHARE``,
# and the rest of ``_GREEDY_ONLY_SHARE`` goes on with the one of the two that holds the
# smaller packing. They are strong on different instances: the greedy stage alone, 60 s
# budget on the wall clock (9 s), seeds 0 / 1 / 2, best start %, best-fit restarts against
# the sequence search alone: n200 3.25 / 3.11 / 2.71 against 1.05 / 1.26 / 1.18, n300
# 2.79 / 2.89 / 2.92 against 0.90 / 0.94 / 1.10 (GSRC sides are small integers: blocks
# often fill a gap or level with a wall exactly), but random-200-1 2.99 / 3.09 / 2.99
# against 3.92 / 3.92 / 3.92, the unseen random-200-2 3.29 / 3.27 / 3.20 against 4.36 /
# 4.48 / 4.27 and random-400-1 3.14 / 2.67 / 2.60 against 3.44 / 3.60 / 3.82 (sides of
# 50-2,000 um: no exact matches, and the first block in the sequence that fits leaves
# holes). The best-fit restarts reach their best within 5 % of the budget (random-200-1
# seeds 0, 1: the same starts at 5, 7.5 and 10 %), and the search's first packings are
# already ahead on n200 and n300 (2.7-2.9 % against 3.1-3.4 %), so a short probe decides
# (benchmarks/README.md, "The scoring-rule skyline").
_BEST_FIT_SHARE = 0.05
_PROBE_SHARE = 0.03
# The strip widths the sequence searches try first, as shares of the square side; then
# new widths in the same range or the best one nudged (see ``_sequence_searches``).
_SEARCH_WIDTHS = (0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2)
_SEARCH_ROUNDS = 24


# A sequence search's state: its best packing's area (µm²), strip width and sequence.
_SequenceElite = tuple[int, int, list[int]]


def _sequence_searches(
    search: _Search, until_s: float, rng: random.Random, elite: _SequenceElite | None
) -> _SequenceElite | None:
    """The scoring-rule skyline's local search over the sequence
    (:mod:`layoutopt.engine.scored_skyline`) inside a search over the strip width, until
    ``until_s`` of the clock: each round a width and a sequence (first the widths of
    ``_SEARCH_WIDTHS`` from the largest-first order; then a new width and order three
    times in ten, otherwise the best round's sequence, its width nudged half the time),
    and swaps for about ``1 / _SEARCH_ROUNDS`` of the time. Every round's packing is a
    start of its own width for LNS. From ``elite`` when given (the fixed widths skipped);
    returns the best."""
    problem, table, clock = search.problem, search.table, search.clock
    side = math.isqrt(problem.block_area_um2)
    narrowest = _strip_widths(problem, table)[0]
    orders = _orders(problem, None)
    round_s = max(0.0, until_s - clock.elapsed_s()) / _SEARCH_ROUNDS
    first = rounds = 0 if elite is None else len(_SEARCH_WIDTHS)
    # On the wall clock a round's work follows the rate measured so far, so that the
    # rounds keep to their time under load (at load 5-9 the kernel ran at about a third
    # of the calibrated rate: 9 s of counted work took 18-23 s).
    work_done, wall_spent_s = 0, 0.0
    while clock.elapsed_s() < until_s and not clock.expired():
        if rounds < len(_SEARCH_WIDTHS):
            width, sequence = int(side * _SEARCH_WIDTHS[rounds]), orders[0]
        elif elite is None or rng.random() < 0.3:
            low, high = _SEARCH_WIDTHS[0], _SEARCH_WIDTHS[-1]
            width, sequence = int(side * rng.uniform(low, high)), orders[rng.randrange(6)]
        else:
            _, width, sequence = elite
            if rng.random() < 0.5:
                width = int(width * rng.uniform(0.98, 1.02))
        width = max(narrowest, width)
        rounds += 1
        budget_s = min(round_s, until_s - clock.elapsed_s())
        rate = SCANS_PER_S
        if not clock.deterministic and wall_spent_s > 0:
            rate = work_done / wall_spent_s
        began_s = clock.wall_s()
        found = search_sequence(
            table, width, sequence, int(budget_s * rate), rng.randrange(1 << 62)
        )
        work_done, wall_spent_s = work_done + found.work, wall_spent_s + clock.wall_s() - began_s
        clock.spend_seconds(found.work / SCANS_PER_S)
        if found.area_um2 < 0:
            continue
        packing = table.to_packing(problem, list(found.xs), list(found.ys), list(found.turned))
        if elite is None or packing.area_um2 <= elite[0]:
            elite = (packing.area_um2, width, list(found.sequence))
        _keep_start(search, packing)
        search.offer(packing, "scored-skyline")
    done = int(search.stats.get("sequence_search_rounds", 0))  # type: ignore[call-overload]
    search.stats["sequence_search_rounds"] = done + rounds - first
    return elite


def _replicas(n: int) -> int:
    """Chains per annealing ladder when area is minimised: 8 up to 60 blocks, falling
    geometrically to 2 at 100 and beyond.

    A ladder at exchanged temperatures (parallel tempering) is steadier than one chain or
    restarts: ami33, 4 s of moves, six seeds: 1.99 % mean dead space with 8 replicas,
    2.18 % with one chain, 2.45 % with four restarts of one. But each replica makes
    1 / R of the moves, and from about 75 blocks a chain needs them more than the ladder
    needs rungs: 8 s of moves, six seeds, mean dead space with 8 / 2 replicas: n100
    2.68 / 2.32 %, random-100-1 3.75 / 2.92 % (at 24 s, n100 2.45 / 2.11 %); n50
    1.85 / 2.20 %, ami49 2.03 / 2.12 %, random-75-* 3.12 / 3.16 % (benchmarks/README.md).
    """
    return max(2, min(8, round(8 * 4 ** (-(n - 60) / 40))))


# From 101 to 1,000 blocks the annealer starts from the best packing so far, when its tree
# costs less than the shelf tree (O(n^2) to build: 0.04 s at 300 blocks). Below, the
# ladder's hot replicas scramble any start (ami49, n100 at 8 s of moves, two seeds: shelf
# start 1.96 / 2.65 and 2.44 / 2.86 %, the skyline's packing 2.83 / 2.68 and 2.75 / 2.55 %)
# and on ami33 the skyline's packing held it at 2.33 % against 1.66 % (20 s, seed 0); from
# 200 blocks the shelf start is hopeless (n300: 5.1-5.6 % after 8 s, the skyline 3.25 %).
_TREE_BLOCKS = (101, 1000)


# From 61 to 100 blocks (one ladder of 2-5 rungs per worker, from shelves) the hottest
# rung starts at this share of t0 instead of t0, the coldest staying at t0 * 1e-4. At t0
# the hot rung of n100's 2-rung ladder held 40 % dead space early and 5.8 % at the end
# and never exchanged (`bench_ladder.py --phases`): half the moves went on it. At equal
# counted moves (24 s, seeds 0-2, mean dead space, top t0 -> 0.01 t0): n100 2.01 ->
# 1.84 %, random-100-1 2.55 -> 2.44 %, the unseen random-75-3 (5 rungs) 2.60 -> 2.32 %
# (benchmarks/README.md, "The hot rung from 61 blocks").
_HOT_TOP = 0.01
_HOT_TOP_BLOCKS = (61, 100)


def _top(n: int) -> float:
    """The hottest rung's temperature as a share of t0 (see ``_HOT_TOP``)."""
    lo, hi = _HOT_TOP_BLOCKS
    return _HOT_TOP if lo <= n <= hi else 1.0


def _anneal_share(n: int) -> float:
    """The share of a min-area budget that annealing gets; LNS gets the rest.

    Each move decodes every block, so a chain makes fewer moves the larger the instance:
    at 20 s on 2 cores the annealing left n100 at 2.67 % dead space (LNS alone 3.60 %),
    but added nothing on n200 and n300, where LNS alone took 3.51 -> 2.91 % and
    3.25 -> 2.76 % (benchmarks/README.md). The share falls from 0.8 at 100 blocks to 0.1
    at 200. From 31 to 60 blocks annealing gets 0.95: there LNS after it found nothing
    in any of 24 runs of 60 s (ami33, ami49, random-50-2, three seeds, before and after
    the shared ladder: the last improvement was the annealer's at 48 s every time).
    Below, nothing was measured (the shipped package designs, 3-19 dies, live there, and
    up to 16 blocks the exact model runs after the annealing), so it keeps 0.8.
    """
    if 30 < n <= _SHARED_LADDER_BLOCKS:
        return 0.95
    return 0.8 - 0.7 * min(1.0, max(0.0, (n - 100) / 100))


# Up to this many blocks the workers share one annealing ladder (``chains`` times the
# rungs, exchanged across threads) instead of running one ladder each. At equal moves
# (16 s of them, deterministic): ami33, seeds 0-3, one ladder of 16 replicas 1.66 / 1.56 /
# 1.43 / 1.70 % against 1.73 / 1.76 / 1.70 / 1.71 % for the better of two ladders of 8;
# ami49 a tie (1.72 / 1.96 / 1.96 against 1.96 / 1.72 / 1.94). From 100 blocks, where a
# ladder has 2 replicas, one shared ladder of 4 lost on random-100-1 (2.96 % mean against
# 2.76) and one of 2 was mixed (random-100-1 worst seed 3.06 against 2.88 %, n100
# better), so there each worker keeps its own ladder (benchmarks/README.md).
_SHARED_LADDER_BLOCKS = 60


# Free-outline min-area instances of this many blocks (no obstacles, no nets) anneal
# sequence pairs instead of B*-trees, in the same 16-replica ladder. At equal counted
# moves, from the same shelves, mean (worst) dead space over the seeds, B*-tree against
# sequence pair: random-20-1, 20 s, 4 seeds 2.83 (3.10) against 2.27 (2.66) %; n30, 20 s,
# 4 seeds 2.33 (2.65) against 1.98 (2.11) %; ami33, 32 s, 8 seeds 1.43 (1.70) against
# 1.38 (1.75) %; the unseen random-40-1, 32 s, 3 seeds 2.14 (2.30) against 2.04 (2.16) %;
# but ami49, 32 s, 3 seeds 1.76 (1.96) against 2.10 (2.18) %. In `pack` at 60 s on 2
# cores (load 2-4, seeds 0-2, worst seed before -> after): random-20-1 2.65 -> 2.23 %,
# ami33 1.61 -> 1.54 %, n30 2.02 -> 2.03 %, random-25-1 2.14 -> 2.17 %, but random-40-1
# 1.89 -> 2.00 % (means 1.67 -> 1.87 %), so the range ends between 33 and 40 blocks
# (benchmarks/README.md, "The sequence pair"). Below 20 blocks nothing was measured.
# Package solves always have an outline, so none of them changes.
_PAIR_BLOCKS = (20, 36)


def _uses_pairs(search: _Search) -> bool:
    """Whether this search anneals sequence pairs (see ``_PAIR_BLOCKS``)."""
    problem, table = search.problem, search.table
    lo, hi = _PAIR_BLOCKS
    return (
        problem.seeks_area
        and table.container is None
        and not table.obstacles
        and not search.wants_wl
        and lo <= search.n <= hi
    )


def _start_tree(search: _Search, nets: NetIndex | None) -> np.ndarray:
    """The annealer's first tree: shelves, or (see ``_TREE_BLOCKS``) the best packing so far
    when its tree costs less (min-area only; a fixed outline's first fit starts from
    shelves, as it did)."""
    problem, table = search.problem, search.table
    target = (
        table.container[0] if table.container else math.isqrt(int(1.15 * problem.block_area_um2))
    )
    start = shelf_tree(table, target, _orders(problem, None)[0])
    best = search.best
    small, large = _TREE_BLOCKS
    if best is None or not problem.seeks_area or table.obstacles:
        return start
    if not small <= search.n <= large:
        return start
    xs, ys, rots = table.from_packing(problem, best)
    xs, ys = compact(table, xs, ys, rots)
    converted = tree_of(table, xs, ys, rots)
    options = {
        "nets": nets,
        "wirelength_weight": problem.wirelength_weight,
        "minimize_area": problem.minimize_area,
    }
    if tree_cost(table, converted, **options) < tree_cost(table, start, **options):
        return converted
    return start


def _anneal(
    search: _Search, time_limit_s: float, seed: int, workers: int, *, share: float | None = None
) -> None:
    """B*-tree annealing.

    When area is minimised, one long run (restarts from a fresh tree lose what the run
    learnt): up to ``_SHARED_LADDER_BLOCKS`` one ladder whose replicas are dealt out to
    the workers' threads, above that one ladder per worker. When only the first fit
    counts, a cold start and short single-chain runs (one per worker) reach it sooner
    (generated 20-60 block instances at 10 % whitespace: 2-3 s instead of 11 s),
    restarted until the fit. It stops at ``share`` of the budget when given.
    """
    problem, table, clock, n = search.problem, search.table, search.clock, search.n
    if share is None:
        share = _anneal_share(n) if problem.seeks_area else 0.7
    until = share * time_limit_s
    nets = NetIndex.of(problem, table) if search.wants_wl else None
    pairs = _uses_pairs(search)
    if pairs:
        target = math.isqrt(int(1.15 * problem.block_area_um2))
        start = shelf_pair(table, target, _orders(problem, None)[0])
    else:
        start = _start_tree(search, nets)
    chains = 1 if clock.deterministic else max(1, workers)
    report = None
    if search.on_packing is not None and not clock.deterministic:  # streamed as it improves

        def report(r: AnnealResult) -> None:
            search.offer(table.to_packing(problem, r.xs, r.ys, r.rots), "anneal")

    while clock.elapsed_s() < until and not search.done() and not clock.expired():
        run = search.anneal_runs
        seeds = [seed * 1000 + run * chains + c for c in range(chains)]
        threads = 1
        if problem.seeks_area:
            run_s, replicas, accept = until - clock.elapsed_s(), _replicas(n), 0.5
            if n <= _SHARED_LADDER_BLOCKS:  # one ladder over every worker, more rungs
                seeds, threads, replicas = seeds[:1], chains, replicas * chains
        else:
            run_s, replicas, accept = max(1.0, 0.08 * time_limit_s), 1, 0.05
        result = anneal_chains(
            table,
            start,
            seeds,
            SEQUENCE_PAIR if pairs else None,
            threads=threads,
            budget_s=min(run_s, until - clock.elapsed_s()),
            deterministic=clock.deterministic,
            nets=nets,
            wirelength_weight=problem.wirelength_weight,
            start_accept=accept,
            minimize_area=problem.minimize_area,
            replicas=replicas,
            top=_top(n) if problem.seeks_area else 1.0,
            report=report,
            cancel=clock.cancel,
            **_polishing(search, pairs),
        )
        clock.spend_seconds(result.moves * n / KERNEL_PLACEMENTS_PER_S)
        search.stats["anneal_moves"] = int(search.stats.get("anneal_moves", 0)) + result.moves
        if pairs:
            search.stats["anneal_encoding"] = SEQUENCE_PAIR.name
        search.offer(table.to_packing(problem, result.xs, result.ys, result.rots), "anneal")
        search.anneal_runs += 1


# The sequence-pair ladder's coldest rung is polished every this many rounds (every block
# reinserted at its best pair of positions, one pass at most; :mod:`layoutopt.engine.
# polish`): a memetic ladder. A pass is 2 n^3 decodes at most (72 k on ami33) against
# 16 x 4,096 moves a round, about 12 % of the work. At equal counted work (16 s,
# `bench_anneal.py` seqpair16 against spmemetic16_8), mean (worst) dead space: ami33,
# 18 seeds, 1.74 (2.19) -> 1.66 (2.17) %; n30, 6 seeds, 2.23 (2.43) -> 1.96 (2.24) %;
# the unseen random-30-7, 6 seeds, 2.67 (3.04) -> 2.65 (2.97) %. Every 4 rounds, or a
# 10 % share, did no better than none on ami33; on a finished packing the polish finds
# nothing (benchmarks/README.md, "Exhaustive reinsertion").
_POLISH_EVERY = 8


def _polishing(search: _Search, pairs: bool) -> dict[str, object]:
    """The annealer's ``intensify`` options: the memetic ladder over sequence pairs (see
    ``_POLISH_EVERY``); none for B*-trees, where it did not help (ami49)."""
    if not pairs:
        return {}
    return {"intensify": intensifier(search.table), "intensify_every": _POLISH_EVERY}


def _squeeze(search: _Search, time_limit_s: float, seed: int, workers: int) -> None:
    """LNS that pushes an overflowing packing into the outline, one side at a time."""
    problem, best = search.problem, search.best
    ow, oh = problem.outline_um  # type: ignore[misc]
    if best is None or search.table.obstacles:
        return
    if best.width_um <= ow:
        side = "height"
    elif best.length_um <= oh:
        side = "width"
    else:
        return
    budget = 0.7 * (time_limit_s - search.clock.elapsed_s())
    squeezed = lns(
        problem,
        best,
        budget,
        seed,
        workers=workers,
        objective=side,
        max_bbox_um=problem.outline_um,
        target_um=problem.outline_um,
        clock=search.clock,
    )
    search.offer(squeezed, "lns")


def _improve(search: _Search, time_limit_s: float, seed: int, workers: int) -> PackStatus | None:
    """The rest of the budget on a fitting packing: the whole exact model for few blocks,
    LNS otherwise. Returns ``OPTIMAL`` when CP-SAT proved the least area."""
    problem, clock = search.problem, search.clock
    remaining = time_limit_s - clock.elapsed_s()
    if remaining <= 0.05 or search.best is None:
        return None
    if search.n <= _SMALL:
        # Few blocks: the whole exact model, warm-started, beats re-packing windows.
        result = _cpsat_on_clock(
            problem, clock, remaining, hint=search.best, seed=seed, workers=workers
        )
        search.stats["cpsat_status"] = result.status.value
        search.offer(result.packing, "cpsat")
        if result.status is PackStatus.OPTIMAL and problem.seeks_area:
            return PackStatus.OPTIMAL
        return None
    if _many_starts(search):
        starts = _lns_starts(search.best, search.starts)
        improved = lns_from_starts(problem, starts, remaining, seed, workers=workers, clock=clock)
    else:
        improved = lns(
            problem,
            search.best,
            remaining,
            seed,
            workers=workers,
            clock=clock,
            max_bbox_um=problem.outline_um,
        )
    search.offer(improved, "lns")
    return None


# From this many blocks a free outline's LNS starts from several greedy packings (see
# :func:`~layoutopt.engine.lns.lns_from_starts`): there it gains in its first seconds and
# then stalls (n200, n300, random-200-1 at 60 s: the CP-SAT rounds' last gain 0.4-2.5 s
# into LNS), and the start decides where (n200 from six greedy starts, 6 s each:
# 2.91-3.52 %; benchmarks/README.md, "LNS from several starts"). 150 is where the
# annealed band begins too.
_MANY_STARTS_BLOCKS = 150
_LNS_STARTS = 4


def _many_starts(search: _Search) -> bool:
    problem = search.problem
    return (
        search.n >= _MANY_STARTS_BLOCKS
        and problem.outline_um is None
        and not search.table.obstacles
        and not search.wants_wl
    )


# From this many blocks, where LNS runs from several starts, the annealing's tenth of the
# budget goes to the greedy restarts instead (a 15 % share in all): no traced 60 s run from
# 200 blocks took a packing from the annealer, while more restarts give LNS smaller starts
# (the greedy stage's best, seed 0, at 5 -> 15 % of 60 s: n200 3.51 -> 3.42 %, n300 3.25 ->
# 3.22 %). 30 s, 2 workers, seeds 0-5, the change and the code before back to back, mean
# (worst) dead space before -> after: n200 2.78 (3.01) -> 2.75 (2.96) %, n300 2.60 (2.76)
# -> 2.58 (2.71), the unseen random-200-2 2.55 (3.21) -> 2.45 (2.77) and random-400-1 2.25
# (2.40) -> 2.24 (2.34) % (benchmarks/README.md, "The annealing's share to the greedy
# restarts").
_GREEDY_ONLY_BLOCKS = 200
_GREEDY_ONLY_SHARE = 0.15


def _greedy_only(search: _Search) -> bool:
    """Whether the greedy restarts take the annealing's share (see ``_GREEDY_ONLY_BLOCKS``)."""
    return search.n >= _GREEDY_ONLY_BLOCKS and search.problem.seeks_area and _many_starts(search)


def _lns_starts(best: Packing, by_width: dict[int, Packing]) -> list[Packing]:
    """``best`` and the smallest greedy packings of other strip widths: up to
    ``_LNS_STARTS`` starts, each of its own width."""
    others = sorted(
        (p for width, p in by_width.items() if width != best.width_um),
        key=lambda p: (p.area_um2, p.width_um),
    )
    return [best, *others[: _LNS_STARTS - 1]]


def pack(
    problem: PackProblem,
    *,
    time_limit_s: float = 60.0,
    seed: int = 0,
    workers: int = 2,
    progress: ProgressCallback | None = None,
    grid_um: int = 1,
    deadline: Deadline | None = None,
    on_packing: Callable[[Packing], None] | None = None,
    cancel: threading.Event | None = None,
) -> PackResult:
    """Pack the blocks: a legal packing fast, then a better one until the time is up.

    Parameters
    ----------
    problem
        The instance (fixed outline or free outline).
    time_limit_s
        Budget. With ``workers=1`` it is counted in deterministic work, so the result is
        reproducible for a given ``seed``: a work budget, whose wall time is the budget
        times a factor of the machine and its load (see :mod:`layoutopt.engine.clock`).
    seed
        Random seed of every stage.
    workers
        CP-SAT workers in the CP-SAT stages.
    progress
        Called as ``progress(time_s, area_um2, source)`` on every improvement.
    grid_um
        Every corner a multiple of it: the problem is packed on that grid
        (:meth:`PackProblem.on_grid`, sizes rounded up), so a caller's model on the same
        grid can take the packing exactly.
    deadline
        The caller's time budget (e.g. the solve's): the search stops when it passes,
        whatever ``time_limit_s`` says.
    on_packing
        Called with every better packing that fits (in µm, on ``grid_um``), as the search
        finds it, from the thread that found it: a caller streams the engine's progress
        into its own search. The annealer then reports its best every
        :data:`~layoutopt.engine.btree.REPORT_EVERY_S` as well (not with ``workers=1``,
        whose runs stay reproducible).
    cancel
        Set by the caller to end the search early (the best packing so far is returned).

    Returns
    -------
    PackResult
        ``FEASIBLE`` with a legal packing, ``INFEASIBLE`` when proven (or trivially) unable,
        ``NO_SOLUTION`` when time ran out first.
    """
    if grid_um > 1:
        coarse = pack(
            problem.on_grid(grid_um),
            time_limit_s=time_limit_s,
            seed=seed,
            workers=workers,
            deadline=deadline,
            on_packing=None
            if on_packing is None
            else lambda p: on_packing(p.from_grid(problem, grid_um)),
            cancel=cancel,
        )
        return _scaled_back(problem, coarse, grid_um)
    clock = Clock(time_limit_s, deterministic=workers == 1, deadline=deadline, cancel=cancel)
    # Once per process: a second or more the first time (numba's cache), from the budget
    # on the wall clock, so the caller's time limit holds. Not counted in the
    # deterministic mode, whose budget is work, nor by its runaway guard: the first compile
    # without a cache took 37.7 s at load 7, past a 0.5 s budget's 15 s guard, and the
    # search stopped before it began (a fresh CI machine).
    compile_kernels()
    compile_pair_kernels()
    compile_polish_kernels()
    if clock.deterministic:
        clock.restart_wall()
    search = _Search(problem, clock, progress, on_packing)
    if not problem.blocks:
        search.best = Packing((), 0, 0)
        return search.finish(PackStatus.OPTIMAL)
    reason = _trivially_infeasible(problem, search.table)
    if reason is not None:
        return search.infeasible(reason)
    n = search.n
    tries = max(1, int(_GREEDY_SHARE * time_limit_s / _skyline_s(n)))
    search.offer(constructive(problem, seed, max_tries=tries), "constructive")
    if n == 1 and not search.fixed_mode:
        return search.finish(PackStatus.OPTIMAL)  # its own bounding box: nothing to search
    search.clock.spend_seconds(min(tries, 60) * _skyline_s(n))
    small_fixed = search.fixed_mode and n <= _SMALL  # the exact model is quicker there
    if not small_fixed:
        _greedy_restarts(search, time_limit_s, random.Random(seed))
    elif search.first_fit_only and not search.done():
        # A short annealing try first: it fits xerox at 5 % whitespace and 3:1 in
        # 0.02-0.05 s, where the exact model needs 2.5 s and finds nothing at 2:1 in 5 s.
        _anneal(search, time_limit_s, seed, workers, share=0.05)
    if small_fixed and not search.done():
        # Few blocks and still no fit: a short exact solve (no hint: the overflowing
        # greedy packing only misleads it), which proves the outlines that cannot be met
        # (apte at 3:1 in 0.2-0.3 s, at 1:1 in 1.2-1.7 s at load 3: a tenth of a 10 s
        # budget left that one unproven).
        result = _cpsat_on_clock(
            problem, search.clock, 0.25 * time_limit_s, seed=seed, workers=workers
        )
        if result.status is PackStatus.INFEASIBLE:
            return search.infeasible(_PROVEN_INFEASIBLE)
        search.offer(result.packing, "cpsat")
    if not search.done() and n >= 2 and not _greedy_only(search):
        _anneal(search, time_limit_s, seed, workers)
    if search.fixed_mode and not search.fits():
        _squeeze(search, time_limit_s, seed, workers)
    if search.fixed_mode and not search.fits():
        remaining = max(0.1, time_limit_s - search.clock.elapsed_s())
        result = _cpsat_on_clock(
            problem, search.clock, remaining, hint=search.best, seed=seed, workers=workers
        )
        search.stats["cpsat_status"] = result.status.value
        if result.status is PackStatus.INFEASIBLE:
            return search.infeasible(_PROVEN_INFEASIBLE)
        search.offer(result.packing, "cpsat")
    if (problem.seeks_area or search.wants_wl) and search.fits():
        if _improve(search, time_limit_s, seed, workers) is PackStatus.OPTIMAL:
            return search.finish(PackStatus.OPTIMAL)
    status = PackStatus.FEASIBLE
    best = search.best
    if problem.seeks_area and best is not None and best.area_um2 == problem.block_area_um2:
        status = PackStatus.OPTIMAL
    return search.finish(status)


def _scaled_back(problem: PackProblem, coarse: PackResult, grid_um: int) -> PackResult:
    """A result on the grid back in µm, checked again on the real problem."""
    if coarse.packing is None:
        return coarse
    packing = coarse.packing.from_grid(problem, grid_um)
    violations = packing_violations(problem, packing)
    if violations or not _fits(problem, packing):
        raise InternalError(
            "packing engine: a grid packing is illegal in µm: "
            + "; ".join(violations[:3] or ("outside the outline",))
            + ". Please report this bug."
        )
    area = problem.block_area_um2
    status = coarse.status
    if status is PackStatus.OPTIMAL and packing.area_um2 != area:
        status = PackStatus.FEASIBLE  # optimal on the grid, not proven in µm
    return replace(
        coarse,
        status=status,
        packing=packing,
        dead_space=1.0 - area / max(1, packing.area_um2),
        bbox_um=(packing.width_um, packing.length_um),
        history=tuple((t, a * grid_um * grid_um, src) for t, a, src in coarse.history),
    )
