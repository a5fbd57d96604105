"""The sweep's result store: one SQLite row per finished point, one layout file per solve.

Only the sweep's main process writes. Each finished point is one transaction, and its
``layout.json`` is written atomically *before* that transaction commits, so a row never
names a missing file, whenever the process is killed. The database runs in WAL mode so
readers (``results_frame``) never block the writer.

``synchronous=NORMAL`` in WAL mode survives a killed process (SIGKILL) without losing a
committed row; only a power cut may lose the last few commits, which a rerun then redoes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from layoutopt.layout_io import write_atomic

__all__ = ["DB_NAME", "PointRow", "ResultStore"]

DB_NAME = "sweep.sqlite"


@dataclass(frozen=True)
class PointRow:
    """One finished point (``status`` is a solver status, or ``"error"``)."""

    key: str
    point_index: int
    axis_values: str  # JSON object: axis name -> value as written
    status: str
    footprint_mm2: float | None = None
    thickness_um: int | None = None
    peak_junction_c: float | None = None
    skin_c: float | None = None
    objective: float | None = None
    gap: float | None = None
    solve_time_s: float | None = None
    stats: str | None = None  # JSON
    error: str | None = None
    layout_path: str | None = None  # relative to the sweep directory
    drawing_path: str | None = None
    hint_key: str | None = None  # the solved neighbour used as warm start
    wall_s: float | None = None  # time in the worker, load to result

    def to_json(self) -> str:
        data = asdict(self)
        data["axis_values"] = json.loads(self.axis_values)
        data["stats"] = None if self.stats is None else json.loads(self.stats)
        return json.dumps(data, sort_keys=True, ensure_ascii=False)


_SQL_TYPES = {
    "key": "TEXT PRIMARY KEY",
    "point_index": "INTEGER NOT NULL",
    "status": "TEXT NOT NULL",
}
_COLUMNS = [f.name for f in fields(PointRow)]


class ResultStore:
    """The SQLite table of a sweep directory (``sweep.sqlite``) and its layout files."""

    def __init__(self, outdir: str | Path) -> None:
        self.outdir = Path(outdir)
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.path = self.outdir / DB_NAME
        self._conn = sqlite3.connect(self.path, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        columns = ", ".join(f"{c} {_SQL_TYPES.get(c, '')}".strip() for c in _COLUMNS)
        self._conn.execute(f"CREATE TABLE IF NOT EXISTS points ({columns})")

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def finished_keys(self) -> set[str]:
        return {row[0] for row in self._conn.execute("SELECT key FROM points")}

    def layout_path_for(self, key: str) -> str:
        """Where a point's layout file goes, relative to the sweep directory."""
        return f"points/{key[:2]}/{key}/layout.json"

    def record(self, row: PointRow, layout_text: str | None = None) -> None:
        """Write the layout file (if any), then commit the row: file first, never a dangling row."""
        if layout_text is not None:
            if row.layout_path is None:
                raise ValueError("a layout text needs row.layout_path")
            write_atomic(self.outdir / row.layout_path, layout_text)
        values = [getattr(row, c) for c in _COLUMNS]
        placeholders = ", ".join("?" for _ in _COLUMNS)
        with self._conn:  # one transaction per finished point
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute(
                f"INSERT OR REPLACE INTO points ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
                values,
            )

    def set_drawing(self, key: str, drawing_path: str) -> None:
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute(
                "UPDATE points SET drawing_path = ? WHERE key = ?", (drawing_path, key)
            )

    def rows(self) -> Iterator[PointRow]:
        cursor = self._conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM points ORDER BY point_index, key"
        )
        for values in cursor:
            yield PointRow(**dict(zip(_COLUMNS, values, strict=True)))

    def row(self, key: str) -> PointRow | None:
        cursor = self._conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM points WHERE key = ?", (key,)
        )
        values: Any = cursor.fetchone()
        return None if values is None else PointRow(**dict(zip(_COLUMNS, values, strict=True)))
