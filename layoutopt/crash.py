"""Internal-error reports: what a maintainer needs to reproduce a crash, in one file.

When the command line meets an exception that no command handles (a bug), it prints one
paragraph and saves this report instead of showing a traceback: the layoutopt, Python and
platform versions, the command, the traceback, and the text of every input file named on
the command line (the design, the layout), so the report alone reproduces the run.
Reports go to the system's temporary folder (``TMPDIR``), one file per crash.
"""

from __future__ import annotations

import os
import platform
import shlex
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

__all__ = ["crash_report_text", "save_crash_report"]

# Input files larger than this are named in the report, not copied (a layout of 5,000
# dies is about 3 MiB; a report should stay small enough to attach to an issue).
_MAX_ATTACHED_BYTES = 4 * 1024 * 1024


def _attachments(argv: Sequence[str]) -> list[str]:
    parts: list[str] = []
    for arg in dict.fromkeys(argv):
        path = Path(arg)
        try:
            if not path.is_file():
                continue
            size = path.stat().st_size
            if size > _MAX_ATTACHED_BYTES:
                parts.append(f"--- {arg}: {size:,} bytes, not attached (too large) ---")
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError as err:
            parts.append(f"--- {arg}: cannot be read ({err.strerror or err}) ---")
            continue
        parts += [f"--- {arg} ({size:,} bytes) ---", text.rstrip("\n"), f"--- end of {arg} ---"]
    return parts


def crash_report_text(error: BaseException, argv: Sequence[str]) -> str:
    """The report of ``error`` raised while running ``layoutopt`` with arguments ``argv``."""
    from layoutopt import __version__

    lines = [
        "layoutopt internal error report",
        f"layoutopt {__version__}; Python {platform.python_version()}; {platform.platform()}",
        f"command: layoutopt {shlex.join(argv)}",
        f"working directory: {os.getcwd()}",
        "",
        "".join(traceback.format_exception(error)).rstrip("\n"),
        "",
        "Input files named on the command line:",
        *(_attachments(argv) or ["(none)"]),
    ]
    return "\n".join(lines) + "\n"


def save_crash_report(
    error: BaseException, argv: Sequence[str], folder: str | os.PathLike[str] | None = None
) -> Path:
    """Write the report of ``error`` into ``folder`` (default: the temporary folder) and
    return its path; ``OSError`` when it cannot be written."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    fd, name = tempfile.mkstemp(
        prefix=f"layoutopt-crash-{stamp}-", suffix=".txt", dir=folder, text=True
    )
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(crash_report_text(error, argv))
    return Path(name)
