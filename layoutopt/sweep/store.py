"""The sweep's result store: one SQLite row per finished point, one layout file per solve.

Only the sweep's main process writes, and only one sweep at a time: opening a store for
writing locks its folder (``sweep.lock``, an OS file lock that ends with the process that
holds it, however it ends), so two sweeps into one folder cannot both solve every point.
Each finished point is one transaction, and its ``layout.json`` is written atomically
*before* that transaction commits, so a row never names a missing file, whenever the
process is killed. The database runs in WAL mode so readers (``results_frame``) never
block the writer.

``synchronous=NORMAL`` in WAL mode survives a killed process (SIGKILL) without losing a
committed row; only a power cut may lose the last few commits, which a rerun then redoes.

What the store does not trust, it says: a store that is empty or damaged stops the run
(:class:`~layoutopt.errors.InfrastructureError`, with the fix); a row that contradicts
itself or has lost its layout file is reported by :meth:`ResultStore.row_problem`, and the
runner solves that point again. Temporary files of writes cut short by a kill are removed
when the store opens.
"""

from __future__ import annotations

import errno
import json
import math
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from filelock import FileLock, Timeout

from layoutopt.errors import InfrastructureError
from layoutopt.layout_io import write_atomic
from layoutopt.solver.result import SolveStatus

__all__ = ["DB_NAME", "LOCK_NAME", "STATUSES", "PointRow", "ResultStore", "store_fault"]

DB_NAME = "sweep.sqlite"
LOCK_NAME = "sweep.lock"
_OWNER_NAME = "sweep.lock.owner"  # who holds the lock, for the message of the next one
#: Every status a row may have: the solver's, and ``error`` for a point that failed.
STATUSES = frozenset({*(s.value for s in SolveStatus), "error"})
_WITH_LAYOUT = frozenset({SolveStatus.OPTIMAL.value, SolveStatus.FEASIBLE.value})


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
    # Warpage, yield and cost of the answer (layoutopt.assess); last, so a table written
    # before they existed gains them at its end (see _open).
    warpage_um: float | None = None  # largest warpage magnitude, room to reflow peak
    package_yield: float | None = None
    cost_usd: float | None = None  # per good package
    capacity_gb: float | None = None

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
_READONLY_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM)
_NUMBERS = (
    "footprint_mm2",
    "thickness_um",
    "peak_junction_c",
    "skin_c",
    "objective",
    "gap",
    "warpage_um",
    "package_yield",
    "cost_usd",
    "capacity_gb",
)


def layout_path_for(key: str) -> str:
    """Where a point's layout file goes, relative to the sweep directory."""
    return f"points/{key[:2]}/{key}/layout.json"


def store_fault(err: OSError | sqlite3.Error, path: Path, doing: str) -> InfrastructureError:
    """The message and fix for a failed read or write of the store at ``path``."""
    text = str(err) or type(err).__name__
    if isinstance(err, OSError) and err.errno in (errno.EEXIST, errno.ENOTDIR):
        return InfrastructureError(
            f"{path} or a folder above it is a file ({doing}: {text})",
            fix="give -o a folder: a new one, or the folder of the sweep to resume",
        )
    if isinstance(err, OSError):
        full, readonly, damaged = err.errno == errno.ENOSPC, err.errno in _READONLY_ERRNOS, False
    else:
        code = (getattr(err, "sqlite_errorcode", None) or 0) & 0xFF  # the primary result code
        full = code == sqlite3.SQLITE_FULL
        readonly = code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM)
        damaged = code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    folder = path.parent
    resume = "then run the same command again: the finished points are kept"
    if full:
        return InfrastructureError(
            f"the disk holding {folder} is full ({doing}: {text})",
            fix=f"free space on it (or give -o a folder on another disk), {resume}",
        )
    if readonly:
        return InfrastructureError(
            f"cannot write {path} ({doing}: {text})",
            fix=f"make {folder} writable (or give -o a folder you can write), {resume}",
        )
    if damaged:
        return _damaged(path, text)
    return InfrastructureError(
        f"{doing} failed at {path}: {text}",
        fix=f"check the folder and its disk, {resume}",
    )


def _damaged(path: Path, why: str) -> InfrastructureError:
    return InfrastructureError(
        f"{path} is damaged ({why}), so which points are finished is not known",
        fix=(
            f"repair it (sqlite3 {path.name} .recover > dump.sql), restore a backup, or move "
            "it away to solve every point again (the layout files under points/ are kept)"
        ),
    )


@contextmanager
def _faults(path: Path, doing: str) -> Iterator[None]:
    try:
        yield
    except (OSError, sqlite3.Error) as err:
        raise store_fault(err, path, doing) from None


def _lock(outdir: Path) -> FileLock:
    """Hold the folder's lock, or say who holds it."""
    lock = FileLock(outdir / LOCK_NAME, timeout=0)
    try:
        lock.acquire()
    except Timeout:  # before OSError: it is a TimeoutError
        owner = outdir / _OWNER_NAME
        try:
            holder = json.loads(owner.read_text(encoding="utf-8"))
            who = f" (process {holder['pid']} on {holder['host']}, since {holder['since']})"
        except (OSError, ValueError, KeyError, TypeError):
            who = ""
        raise InfrastructureError(
            f"another sweep is writing to {outdir}{who}; two sweeps into one folder would "
            "both solve every point",
            fix=(
                "wait for it to finish or stop it, then run this command again (it resumes); "
                "or give this sweep its own -o folder"
            ),
        ) from None
    except OSError as err:
        raise store_fault(err, outdir / LOCK_NAME, "locking the sweep folder") from None
    since = time.strftime("%Y-%m-%d %H:%M:%S")
    holder_text = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": since})
    try:
        write_atomic(outdir / _OWNER_NAME, holder_text + "\n")
    except OSError as err:
        lock.release()
        raise store_fault(err, outdir / _OWNER_NAME, "locking the sweep folder") from None
    return lock


def _remove_orphans(outdir: Path) -> int:
    """Delete the temporary files of atomic writes cut short by a kill (``.NAME.*.tmp``).

    Only in what a sweep writes (``points/``, ``report/``, its own ``.sweep*`` files), and
    only with the folder locked, so that no live write owns them."""
    orphans = [p for p in outdir.glob(".sweep*.tmp") if p.is_file()]
    for sub in ("points", "report"):
        for directory, _, names in os.walk(outdir / sub):
            orphans += [
                Path(directory, n) for n in names if n.startswith(".") and n.endswith(".tmp")
            ]
    for path in orphans:
        path.unlink(missing_ok=True)
    return len(orphans)


def _create(path: Path) -> None:
    """A new, empty store, made aside and renamed: a kill never leaves a half-made one."""
    columns = ", ".join(f"{c} {_SQL_TYPES.get(c, '')}".strip() for c in _COLUMNS)
    aside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    conn = sqlite3.connect(aside, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"CREATE TABLE points ({columns})")
    finally:
        conn.close()
    os.replace(aside, path)


def _open(path: Path) -> sqlite3.Connection:
    """Open an existing store (or create one), checking it is whole and ours."""
    if not path.exists():
        _create(path)
    elif path.stat().st_size == 0:
        layouts = sum(1 for _ in (path.parent / "points").glob("*/*/layout.json"))
        raise InfrastructureError(
            f"{path} is empty (0 bytes): its record of finished points is lost (a full disk "
            f"or a copy cut short truncates a file); {layouts} layout files remain under points/",
            fix=f"restore {path.name} from a backup, or delete it to solve every point again",
        )
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _damaged(path, f"integrity check: {check}")
        columns = [row[1] for row in conn.execute("PRAGMA table_info(points)")]
        if columns and columns == _COLUMNS[: len(columns)]:
            # A table from before the last columns existed: they are added, empty.
            for column in _COLUMNS[len(columns) :]:
                conn.execute(f"ALTER TABLE points ADD COLUMN {column}")
            columns = _COLUMNS
        if columns != _COLUMNS:
            raise _damaged(path, f"its table has columns {columns or 'none'}, not {_COLUMNS}")
    except BaseException:
        conn.close()
        raise
    return conn


class ResultStore:
    """The SQLite table of a sweep directory (``sweep.sqlite``) and its layout files.

    Opening it locks the folder for this process until :meth:`close`. ``removed_tmp``
    counts the temporary files of killed writes it cleaned up.
    """

    def __init__(self, outdir: str | Path) -> None:
        self.outdir = Path(outdir)
        self.path = self.outdir / DB_NAME
        with _faults(self.outdir, "creating the sweep folder"):
            self.outdir.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.outdir)
        try:
            with _faults(self.path, "opening the store"):
                self.removed_tmp = _remove_orphans(self.outdir)
                self._conn = _open(self.path)
        except BaseException:
            self._lock.release()
            raise

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._conn.close()
        finally:
            (self.outdir / _OWNER_NAME).unlink(missing_ok=True)
            self._lock.release()

    def finished_keys(self) -> set[str]:
        with _faults(self.path, "reading the store"):
            return {row[0] for row in self._conn.execute("SELECT key FROM points")}

    layout_path_for = staticmethod(layout_path_for)

    def record(self, row: PointRow, layout_text: str | None = None) -> None:
        """Write the layout file (if any), then commit the row: file first, never a dangling row."""
        if layout_text is not None:
            if row.layout_path is None:
                raise ValueError("a layout text needs row.layout_path")
            with _faults(self.outdir / row.layout_path, "writing a layout file"):
                write_atomic(self.outdir / row.layout_path, layout_text)
        values = [getattr(row, c) for c in _COLUMNS]
        placeholders = ", ".join("?" for _ in _COLUMNS)
        with _faults(self.path, "recording a finished point"), self._conn:
            self._conn.execute("BEGIN IMMEDIATE")  # one transaction per finished point
            self._conn.execute(
                f"INSERT OR REPLACE INTO points ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
                values,
            )

    def rows(self) -> list[PointRow]:
        """Every row, in point order."""
        query = f"SELECT {', '.join(_COLUMNS)} FROM points ORDER BY point_index, key"
        with _faults(self.path, "reading the store"):
            return [
                PointRow(**dict(zip(_COLUMNS, values, strict=True)))
                for values in self._conn.execute(query)
            ]

    def row_problem(self, row: PointRow) -> str | None:
        """Why ``row`` cannot be trusted as a finished point, or ``None`` when it can."""
        if row.status not in STATUSES:
            return f"unknown status {row.status!r}"
        for name in ("axis_values", "stats"):
            text = getattr(row, name)
            try:
                if text is not None:
                    json.loads(text)
            except (TypeError, ValueError):
                return f"{name} is not JSON"
        for name in _NUMBERS:
            value = getattr(row, name)
            if value is not None and (
                not isinstance(value, int | float) or not math.isfinite(value)
            ):
                return f"{name} is {value!r}"
        if row.status == "error" and not row.error:
            return "status 'error' without the error"
        if row.status not in _WITH_LAYOUT:
            return None if row.layout_path is None else f"a layout file for status {row.status!r}"
        if row.footprint_mm2 is None or row.thickness_um is None:
            return f"status {row.status!r} without its footprint and thickness"
        if row.layout_path != layout_path_for(row.key):
            return f"layout path {row.layout_path!r} is not this point's"
        try:
            if (self.outdir / row.layout_path).stat().st_size == 0:
                return f"its layout file {row.layout_path} is empty"
        except OSError:
            return f"its layout file {row.layout_path} is missing"
        return None
