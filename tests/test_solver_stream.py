"""The watcher of the streamed first stage: when a CP-SAT round is stopped for the engine's
layout, and when the engine is stopped for CP-SAT's (layoutopt/solver/stream.py)."""

from __future__ import annotations

import math
import threading
from types import SimpleNamespace

from layoutopt.solver import stream


class _Solver:
    def __init__(self) -> None:
        self.stops = 0

    def stop_search(self) -> None:
        self.stops += 1


class _Feed:
    def __init__(self, value: float) -> None:
        self.value = value
        self.cancel = threading.Event()

    def best_value(self) -> float:
        return self.value


def _watching(engine: float, round_best: float, start: float = math.inf):  # type: ignore[no-untyped-def]
    feed, solver = _Feed(engine), _Solver()
    watcher = stream._Watcher(feed)  # type: ignore[arg-type]
    watcher.start_value = start
    watcher.watch(solver, SimpleNamespace(best_objective=round_best))  # type: ignore[arg-type]
    watcher.min_round_s = 0.0
    return watcher, feed, solver


def test_a_round_is_stopped_only_for_a_clearly_better_engine_layout() -> None:
    watcher, _, solver = _watching(engine=995, round_best=1000)  # 0.5 %: not worth it
    watcher.poll()
    assert solver.stops == 0 and not watcher.stopped
    watcher, _, solver = _watching(engine=980, round_best=1000)  # 2 %
    watcher.poll()
    assert solver.stops == 1 and watcher.stopped
    watcher.poll()  # repeated until the round ends: an early request may be lost
    assert solver.stops == 2


def test_a_hinted_round_is_not_stopped_while_it_takes_in_its_hint() -> None:
    watcher, _, solver = _watching(engine=500, round_best=math.inf, start=1000)
    watcher.poll()
    assert solver.stops == 0
    # Without a hint, any engine layout beats a round that has none.
    watcher, _, solver = _watching(engine=1000, round_best=math.inf)
    watcher.poll()
    assert solver.stops == 1


def test_the_engine_stops_once_cp_sat_leads_it_for_long_enough(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(stream, "ENGINE_STALL_S", 0.0)
    watcher, feed, solver = _watching(engine=1000, round_best=995)  # a lead within 1 %
    watcher.poll()
    assert not feed.cancel.is_set()
    watcher, feed, solver = _watching(engine=1000, round_best=900)
    watcher.poll()
    assert feed.cancel.is_set() and solver.stops == 0
