"""The placement engine beside CP-SAT: its improving layouts streamed in as hints.

On a large design the engine improves the footprint faster than the full model, but
CP-SAT restacks dies, proves bounds and polishes what it is given. Instead of a fixed share
of the time for each, the first objective stage runs both at once:

- the engine packs in a background thread for the whole stage (but a tail, so that its
  last packing still gets a CP-SAT run), and publishes the package layout of every better
  packing it finds (:func:`~layoutopt.solver.warmstart.constructive_layout`);
- CP-SAT runs in rounds over the same model; a watcher stops a round once the engine
  holds a layout :data:`RESTART_GAIN` better than the round's best, but only once a
  round started from a hint has a layout of its own (before that it is still taking in
  the hint) and has run for :data:`MIN_ROUND_S`, doubled after every restart: each
  restart pays for loading the model again and starts the bound over;
- the next round starts from the better of the two: the engine's layout, completed into
  a full solution of the model (:func:`~layoutopt.solver.hints.complete_hint`), or the last
  round's solution;
- once CP-SAT has led the engine by :data:`RESTART_GAIN` for :data:`ENGINE_STALL_S`,
  the engine stops and CP-SAT has the cores to itself (on the 50-part SiP the model
  restacks the engine's greedy chains and passes it within one round);
- the other way round, a round that started from an engine layout and was stopped before
  it improved on it leaves the cores to the engine: the next round waits for the
  engine's end (the Bookshelf packages, where the model never beats the engine).

The model is the same in every round (only its hints change), so the best bound of any
round bounds the stage, and the stage's bound is the largest of them. (Adding that bound
to the next round's model, as ``objective >= bound``, did not raise the bound the rounds
reached on the 50-part SiP, 124.5 mm², in three runs: left out.) Every engine layout
that the validator accepts is kept as an incumbent: the stage never ends with nothing while
one stage held a legal layout. With one worker (the deterministic mode) the engine and
CP-SAT run one after the other instead (:mod:`layoutopt.solver.solve`), since threads
sharing one core would make the answer depend on timing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from layoutopt.deadline import Deadline
from layoutopt.errors import InternalError
from layoutopt.model import Design, Layout
from layoutopt.solver.build import BuiltModel
from layoutopt.solver.hints import add_hints, complete_hint, hint_from_solution
from layoutopt.solver.objective import first_stage_value
from layoutopt.solver.run import SearchProgress, add_phase_s
from layoutopt.solver.solution import layout_structure
from layoutopt.solver.structure import Structure
from layoutopt.solver.warmstart import constructive_layout

__all__ = ["EngineStart", "Incumbent", "StageOutcome", "streamed_stage", "take_engine_layout"]

Incumbent = tuple[Layout, Structure]
# CP-SAT run of one round: (deadline, watch) -> (status, solver).
RunRound = Callable[
    [Deadline, Callable[[cp_model.CpSolver, SearchProgress], None]], tuple[Any, cp_model.CpSolver]
]

# A round runs at least this long before a better engine layout stops it, twice as long
# after each restart (a restart costs the model's load and presolve, and the bound starts
# over: on the 50-part SiP at load 7, rounds stopped after 2 s had found no layout yet and
# left a 0 bound, the gap 24 % instead of 14 %).
MIN_ROUND_S = 2.0
# The engine stops this share of the stage before its end (at least ENGINE_TAIL_MIN_S),
# so that CP-SAT gets its last layout as a hint. Where CP-SAT improves on the engine (the
# 50-part SiP) the engine stops long before, on ENGINE_STALL_S; where it does not (the
# Bookshelf packages: CP-SAT idled 34-47 s of 51) a long tail only took the engine's time:
# 0.15 -> 0.03 with the first stage's share 0.85 -> 0.92 gave the engine 53 s instead of
# 43 s of a 60 s solve, n50 2.15 / 2.11 / 1.90 -> 2.08 / 1.27 / 1.90 % and n100 2.91 /
# 2.92 / 2.67 -> 2.46 / 2.67 / 2.91 % (seeds 0-2, load 4-5.6; benchmarks/README.md).
ENGINE_TAIL = 0.03
ENGINE_TAIL_MIN_S = 1.5
# Completing a hint gets at most this share of what is left (and at least this long).
COMPLETE_SHARE = 0.5
COMPLETE_MIN_S = 1.5
_STOP_POLL_S = 0.05
# A round is stopped only for an engine layout this much better than the round's (a small
# gain does not pay for a restart: the 50-part SiP, where CP-SAT improves on every engine
# layout given time, lost 4.7 mm² and half its bound to rounds stopped for less).
RESTART_GAIN = 0.01
# The engine stops once CP-SAT has led it by RESTART_GAIN for this long: its layouts could
# no longer stop a round (on the 50-part SiP it went on improving by small steps, 170 mm²
# and more, for 40 s beside CP-SAT's 162-166 mm²).
ENGINE_STALL_S = 3.0


@dataclass(frozen=True)
class StageOutcome:
    """The first stage: CP-SAT's last round, the best legal engine layout when it beats
    that round's (or the round has none), and the best bound over all rounds."""

    status: Any
    solver: cp_model.CpSolver
    incumbent: Incumbent | None
    bound: float


class _Feed:
    """The engine's thread and its mailbox: the best layout so far, by model objective."""

    def __init__(self, design: Design, engine: Deadline, *, seed: int, workers: int, grid_um: int):
        self._design = design
        self._lock = threading.Lock()
        self._best: tuple[int, Layout] | None = None
        self.version = 0
        self.news = threading.Event()
        self.cancel = threading.Event()
        # Waited on instead of Thread.join: a join that Ctrl-C interrupts marks a running
        # thread as stopped (CPython 3.11, bpo-45274; see layoutopt.interrupt).
        self.finished = threading.Event()
        self.error: BaseException | None = None
        self.layouts = 0
        self.stopped_s = 0.0  # seconds after its start when the engine stopped
        self._thread = threading.Thread(
            target=self._run,
            args=(engine, seed, workers, grid_um),
            name="placement engine",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def _run(self, engine: Deadline, seed: int, workers: int, grid_um: int) -> None:
        try:
            constructive_layout(
                self._design,
                deadline=engine,
                seed=seed,
                workers=workers,
                grid_um=grid_um,
                on_layout=self._publish,
                cancel=self.cancel,
            )
        except BaseException as err:  # handed to the solve's thread by stop()
            self.error = err
        finally:
            self.stopped_s = engine.elapsed_s()
            self.finished.set()
            self.news.set()

    def _publish(self, layout: Layout) -> None:
        value = first_stage_value(self._design, layout)
        with self._lock:
            self.layouts += 1
            if self._best is not None and value >= self._best[0]:
                return
            self._best = (value, layout)
            self.version += 1
        self.news.set()

    def best(self) -> tuple[int, int, Layout] | None:
        """(version, model objective, layout) of the best layout so far."""
        with self._lock:
            return None if self._best is None else (self.version, *self._best)

    def best_value(self) -> float:
        with self._lock:
            return math.inf if self._best is None else self._best[0]

    def running(self) -> bool:
        return not self.finished.is_set()

    def wait(self, until: Deadline) -> None:
        """Until the engine has finished (or ``until`` passes)."""
        self.finished.wait(until.remaining_s())

    def stop(self) -> None:
        self.cancel.set()
        self.finished.wait()
        if self.error is not None:
            raise self.error


class _Watcher:
    """Stops the running round once the engine beats it (after MIN_ROUND_S): beats both
    the layout the round started from (``start_value``) and the round's best."""

    def __init__(self, feed: _Feed) -> None:
        self._feed = feed
        self._solver: cp_model.CpSolver | None = None
        self._progress: SearchProgress | None = None
        self._round: Deadline | None = None
        self._lock = threading.Lock()
        self.stopped = False
        self.start_value = math.inf
        self.min_round_s = MIN_ROUND_S
        self._ahead: Deadline | None = None  # since when CP-SAT leads the engine

    def watch(self, solver: cp_model.CpSolver, progress: SearchProgress) -> None:
        with self._lock:
            self._solver, self._progress = solver, progress
            self._round, self.stopped = Deadline.after(0.0), False

    def done(self) -> None:
        with self._lock:
            self._solver = self._progress = self._round = None

    def poll(self) -> None:
        """One look: stop the round when the engine holds a better layout than it; stop
        the engine when it has fallen behind CP-SAT for good."""
        with self._lock:
            solver, progress, started = self._solver, self._progress, self._round
            if solver is None or progress is None or started is None:
                return
            engine_best = self._feed.best_value()
            if progress.best_objective < engine_best * (1.0 - RESTART_GAIN) - 0.5:
                self._ahead = self._ahead or Deadline.after(0.0)
                if self._ahead.elapsed_s() >= ENGINE_STALL_S:
                    self._feed.cancel.set()
            else:
                self._ahead = None
            if not self.stopped:
                if started.elapsed_s() < self.min_round_s:
                    return
                if math.isinf(progress.best_objective) and math.isfinite(self.start_value):
                    return  # still taking in its hint
                beat = min(progress.best_objective, self.start_value)
                if engine_best >= beat * (1.0 - RESTART_GAIN) - 0.5:
                    return
                self.stopped = True
                self.min_round_s *= 2
            # Repeated until the round ends: a request that comes before CP-SAT has set up
            # its search is lost.
            solver.stop_search()


def _legal(design: Design, layout: Layout) -> bool:
    from layoutopt.validate import validate

    return not validate(design, layout)


def take_engine_layout(
    built: BuiltModel,
    layout: Layout,
    *,
    workers: int,
    seed: int,
    stage: Deadline,
    stats: dict[str, Any],
) -> Incumbent | None:
    """Hint the model with an engine layout, completed to a full solution when it can be
    (half of what is left of the stage, at least COMPLETE_MIN_S: a completed hint is a
    solution of the model, worth more than a search from a partial one; taking the
    engine's layout into the 50-part SiP's model takes 0.3-0.6 s on a loaded machine);
    returns it as an incumbent when it is legal, completed or not."""
    incumbent = None
    checked = Deadline.after(0.0)
    legal = _legal(built.instance.design, layout)
    add_phase_s(stats, "validate", checked.elapsed_s())
    if legal:  # legal as it is (heights from the rules)
        incumbent = (layout, layout_structure(built, layout))
    if stage.expired():  # kept as it is: no time left to use it as a hint
        return incumbent
    complete = stage.share(COMPLETE_SHARE)
    if complete.remaining_s() < COMPLETE_MIN_S:
        complete = Deadline.after(COMPLETE_MIN_S)
    completed = complete_hint(built, layout, workers=workers, seed=seed, deadline=complete)
    stats["engine_hints"] = int(stats.get("engine_hints", 0)) + 1
    if completed is None:
        add_hints(built, layout)
        return incumbent
    return completed


class EngineStart:
    """The placement engine, started for a first stage that ends at ``stage``'s end (but
    its tail): before the model is built, so that the two overlap. At 5,000 dies the
    build takes 3.5-6.9 s of a 10 s limit, and the engine, which needs only the design,
    would otherwise wait for it.

    Handed to :func:`streamed_stage`; :meth:`abandon` stops it when no stage takes it."""

    def __init__(self, design: Design, stage: Deadline, *, seed: int, workers: int, grid_um: int):
        self.feed = _Feed(
            design, _engine_deadline(stage), seed=seed, workers=workers, grid_um=grid_um
        )
        self.feed.start()

    def abandon(self) -> None:
        self.feed.cancel.set()
        self.feed.finished.wait()


def _engine_deadline(stage: Deadline) -> Deadline:
    tail = max(ENGINE_TAIL_MIN_S, ENGINE_TAIL * stage.remaining_s())
    return Deadline(stage.start_s, max(stage.start_s, stage.end_s - tail))


def streamed_stage(
    built: BuiltModel,
    *,
    workers: int,
    seed: int,
    grid_um: int,
    stage: Deadline,
    stats: dict[str, Any],
    run_round: RunRound,
    on_first: Callable[[], None],
    started: EngineStart | None = None,
) -> StageOutcome:
    """The first objective stage with the engine beside CP-SAT (see the module docs).

    ``run_round(deadline, watch)`` runs CP-SAT once on ``built``'s current objective;
    ``on_first`` is called when the first legal engine layout is kept. ``started``: the
    engine already running (:class:`EngineStart`), else it starts now."""
    design = built.instance.design
    if started is None:
        feed = _Feed(design, _engine_deadline(stage), seed=seed, workers=workers, grid_um=grid_um)
        feed.start()
    else:
        feed = started.feed
    watcher = _Watcher(feed)
    finished = threading.Event()

    def keep_watching() -> None:
        while not finished.wait(_STOP_POLL_S):
            watcher.poll()

    stats["hint"] = "engine (streamed)"
    poller = threading.Thread(target=keep_watching, name="engine watcher", daemon=True)
    poller.start()
    incumbent: Incumbent | None = None
    bound, used, rounds = -math.inf, 0, 0
    status, solver = None, None
    try:
        while rounds == 0 or stage.remaining_s() > 0.05:
            news, took = feed.best(), False
            cp_best = solver.objective_value if solver is not None and _found(status) else math.inf
            if news is not None and news[0] > used and news[1] < cp_best - 0.5:
                used, took = news[0], True
                taken = take_engine_layout(
                    built, news[2], workers=workers, seed=seed, stage=stage, stats=stats
                )
                watcher.start_value = news[1]
                if taken is not None:
                    incumbent = taken
                    on_first()
            elif solver is not None and _found(status):
                hint_from_solution(built, solver)  # carry on from the round's layout
                watcher.start_value = cp_best
            if rounds and not watcher.stopped and not took:
                # The last round ended on its own, unproven, before the stage did: go on
                # once the engine has something new (if it still may).
                if not feed.running() and feed.version <= used:
                    break
                feed.news.clear()
                if feed.version <= used:
                    feed.news.wait(stage.remaining_s())
                continue
            status, solver = run_round(stage, watcher.watch)
            watcher.done()
            rounds += 1
            if math.isfinite(solver.best_objective_bound):
                bound = max(bound, solver.best_objective_bound)
            if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
                break
            improved = _found(status) and solver.objective_value < watcher.start_value - 0.5
            if watcher.stopped and math.isfinite(watcher.start_value) and not improved:
                waited = Deadline.after(0.0)
                feed.wait(stage)  # CP-SAT only polished nothing: the engine's cores
                stats["cp_sat_idle_s"] = round(waited.elapsed_s(), 3)
    finally:
        finished.set()
        feed.stop()
        poller.join()
    news = feed.best()
    cp_best = solver.objective_value if solver is not None and _found(status) else math.inf
    if news is not None and news[0] > used and news[1] < cp_best - 0.5:
        # A layout the engine published while the last round ran out the stage: kept if
        # legal (1,000 dies at a 10 s limit: the only layout, else "no solution").
        taken = take_engine_layout(
            built, news[2], workers=workers, seed=seed, stage=stage, stats=stats
        )
        if taken is not None:
            incumbent = taken
            on_first()
    # The engine's wall time overlaps CP-SAT's: the phases add up to more than the solve.
    add_phase_s(stats, "engine", feed.stopped_s)
    stats["engine_layouts"] = feed.layouts
    stats["engine_stopped_s"] = round(feed.stopped_s, 3)
    stats["cp_sat_rounds"] = rounds
    if solver is None:  # the loop runs one round before anything else
        raise InternalError("the streamed stage ended without a CP-SAT round")
    if incumbent is not None and _found(status):
        if first_stage_value(design, incumbent[0]) >= solver.objective_value - 0.5:
            incumbent = None  # CP-SAT's last round holds the better (or same) layout
    return StageOutcome(status, solver, incumbent, bound)


def _found(status: Any) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
