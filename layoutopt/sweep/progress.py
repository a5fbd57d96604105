"""Progress of a sweep: a rich bar (stderr), JSON lines (stdout), or nothing.

The rich bar shows counts, rate, ETA and the best value so far of each objective; JSON
lines give one object per finished point, for tools (``--jsonl``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from layoutopt.sweep.store import PointRow

__all__ = ["BEST_OF", "JsonLines", "ProgressGroup", "RichProgress", "best_text"]

#: Objectives shown as "best so far" (all minimised), with their display units.
BEST_OF: tuple[tuple[str, str], ...] = (
    ("footprint_mm2", "mm²"),
    ("thickness_um", "µm"),
    ("peak_junction_c", "°C"),
)


def best_text(best: dict[str, float]) -> str:
    """``best 76 mm² · 380 µm · 41.2 °C`` (objectives not yet seen are left out)."""
    parts = [f"{best[name]:.4g} {unit}" for name, unit in BEST_OF if name in best]
    return "best " + " · ".join(parts) if parts else ""


class RichProgress:
    """A rich progress bar on stderr (so that ``--jsonl`` output stays clean)."""

    def __init__(self, console: Console | None = None, description: str = "sweep") -> None:
        self._console = console or Console(stderr=True)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[status]}"),
            console=self._console,
            transient=False,
        )
        self._description = description
        self._task: TaskID | None = None
        self._best: dict[str, float] = {}
        self._errors = 0
        self._started_done = 0

    def _observe(self, row: PointRow) -> None:
        if row.status == "error":
            self._errors += 1
        for name, _ in BEST_OF:
            value = getattr(row, name)
            if value is not None and (name not in self._best or value < self._best[name]):
                self._best[name] = float(value)

    def _status(self) -> str:
        errors = f" · {self._errors} errors" if self._errors else ""
        return best_text(self._best) + errors

    def start(self, total: int, finished: Sequence[PointRow]) -> None:
        for row in finished:
            self._observe(row)
        self._started_done = len(finished)
        self._progress.start()
        self._task = self._progress.add_task(
            self._description, total=total, completed=len(finished), rate="", status=self._status()
        )

    def advance(self, row: PointRow) -> None:
        self._observe(row)
        assert self._task is not None
        task = self._progress.tasks[0]
        elapsed_min = (task.elapsed or 0.0) / 60
        new = task.completed + 1 - self._started_done
        rate = f"{new / elapsed_min:.1f} pt/min" if elapsed_min > 0 else ""
        self._progress.update(self._task, advance=1, rate=rate, status=self._status())

    def note(self, text: str) -> None:
        self._console.print(f"note: {text}", markup=False, highlight=False)

    def close(self) -> None:
        self._progress.stop()


class JsonLines:
    """One JSON object per finished point on ``stream`` (default stdout), flushed each time."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream

    def start(self, total: int, finished: Sequence[PointRow]) -> None:
        pass

    def advance(self, row: PointRow) -> None:
        stream = self._stream or sys.stdout
        stream.write(row.to_json() + "\n")
        stream.flush()

    def note(self, text: str) -> None:
        pass  # stdout carries one object per point; notes go to the human reporter

    def close(self) -> None:
        pass


class ProgressGroup:
    """Several reporters told the same things."""

    def __init__(self, *reporters: RichProgress | JsonLines) -> None:
        self._reporters = reporters

    def start(self, total: int, finished: Sequence[PointRow]) -> None:
        for r in self._reporters:
            r.start(total, finished)

    def advance(self, row: PointRow) -> None:
        for r in self._reporters:
            r.advance(row)

    def note(self, text: str) -> None:
        for r in self._reporters:
            r.note(text)

    def close(self) -> None:
        for r in self._reporters:
            r.close()
