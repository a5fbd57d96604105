"""The file-system boundary: text files people give us, and places we write to.

Every input file (design, layout, space, Bookshelf) is read through :func:`read_text`, so a
directory, a binary file, UTF-16 text or a 2 GB file gets the same clear error, naming the
file and what to do. Every output folder is checked by :func:`prepare_output_dir` *before*
any long computation, so a bad ``-o`` fails in a second, not after the solve. Output file
names derived from data (a design's ``name``, a sweep key) go through :func:`safe_name`,
so they always land inside the output folder.

Examples
--------
>>> safe_name("../../etc/passwd")
'etc_passwd'
>>> safe_name("/abs/x")
'abs_x'
>>> safe_name("smart_glasses_epop")
'smart_glasses_epop'
>>> safe_name("")
'design'
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path

from layoutopt.errors import DesignError, OutputError
from layoutopt.limits import MAX_JSON_BYTES

__all__ = ["decode_text", "prepare_output_dir", "prepare_output_file", "read_text", "safe_name"]

# Byte-order marks of the encodings people save YAML and JSON in by mistake (Windows
# editors, PowerShell's `>`); UTF-32 before UTF-16, whose mark is a prefix of it.
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def read_text(
    path: str | os.PathLike[str],
    *,
    kind: str,
    error: type[DesignError] = DesignError,
    max_bytes: int = MAX_JSON_BYTES,
) -> str:
    """The UTF-8 text of the file at ``path`` (a UTF-8 byte-order mark is dropped).

    Parameters
    ----------
    kind
        What the file should be, for messages: ``"design file"``, ``"layout file"``.
    error
        The :class:`DesignError` subclass to raise (the caller's kind of bad input).
    max_bytes
        Larger files are refused before they are read.

    Raises
    ------
    DesignError
        (of type ``error``) when the path is missing, a directory, unreadable, too large,
        binary or not UTF-8; the message names the file and the fix.
    """
    name = str(path)
    target = Path(path)
    try:
        if target.is_dir():
            raise error(
                f"is a folder, not a {kind}", file=name, fix=f"give the path of the {kind} itself"
            )
        size = target.stat().st_size
        if size > max_bytes:
            raise error(
                f"the {kind} is {size / 2**20:,.1f} MiB; the limit is {max_bytes / 2**20:g} MiB",
                file=name,
                fix=f"give a {kind} (text), not a data dump; see docs/limits.md",
            )
        data = target.read_bytes()
    except FileNotFoundError:
        raise error("no such file", file=name, fix=f"check the path of the {kind}") from None
    except PermissionError:
        raise error(
            "permission denied", file=name, fix="make the file readable (chmod) or copy it"
        ) from None
    except OSError as err:
        raise error(
            f"cannot read the {kind}: {err.strerror or err}", file=name, fix="check the path"
        ) from None
    return decode_text(data, name=name, kind=kind, error=error)


def decode_text(
    data: bytes, *, name: str, kind: str, error: type[DesignError] = DesignError
) -> str:
    """``data`` as UTF-8 text, or an error saying what it is instead.

    >>> decode_text("a: 1".encode("utf-16"), name="d.yaml", kind="design file")
    Traceback (most recent call last):
    ...
    layoutopt.errors.DesignError: d.yaml: the design file is UTF-16 text, not UTF-8. Fix: save it as UTF-8 (in most editors: Save As, encoding UTF-8).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise error(
                f"the {kind} is {encoding} text, not UTF-8",
                file=name,
                fix="save it as UTF-8 (in most editors: Save As, encoding UTF-8)",
            )
    if b"\x00" in data[:8192]:
        raise error(
            f"this is a binary file, not a {kind} (it holds NUL bytes)",
            file=name,
            fix=f"give the {kind} (text): check the path",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise error(
            f"not UTF-8 text: byte 0x{data[err.start]:02x} on line {line} cannot be decoded",
            file=name,
            fix="save the file as UTF-8 (it may be Latin-1 or another encoding)",
        ) from None


def _nearest_existing(path: Path) -> Path:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def _check_writable(folder: Path, shown: str) -> None:
    """Create and delete a probe file: the only test that holds for ACLs, read-only mounts
    and full disks alike (``os.access`` says yes to root on a read-only folder)."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".layoutopt-probe-")
    except OSError as err:
        raise OutputError(
            f"cannot write in {folder}: {_reason(err)}",
            file=shown,
            fix="choose a folder you can write to with -o, or fix its permissions",
        ) from None
    os.close(fd)
    os.unlink(probe)


def _reason(err: OSError) -> str:
    if err.errno == errno.EROFS:
        return "the file system is read-only"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if err.errno == errno.ENOSPC:
        return "the disk is full"
    return err.strerror or str(err)


def prepare_output_dir(path: str | os.PathLike[str]) -> Path:
    """Make sure ``path`` is a folder we can write in (created if needed); return it.

    Raises
    ------
    OutputError
        When ``path`` is a file, lies under a file, or cannot be created or written.
    """
    folder = Path(path)
    shown = str(path)
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            "the output folder is an existing file",
            file=shown,
            fix="give a folder with -o (a new or existing directory), not a file",
        )
    base = _nearest_existing(folder)
    if not base.is_dir():
        raise OutputError(
            f"the output folder would be under {base}, which is a file",
            file=shown,
            fix="give a folder with -o whose parents are folders",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(
            f"cannot create the output folder: {_reason(err)}",
            file=shown,
            fix="choose a folder you can write to with -o, or fix its permissions",
        ) from None
    _check_writable(folder, shown)
    return folder


def prepare_output_file(path: str | os.PathLike[str]) -> Path:
    """Make sure a file can be written at ``path`` (its folder created if needed)."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(
            "the output is an existing folder, not a file",
            file=str(path),
            fix="give a file name with -o, e.g. design.yaml",
        )
    prepare_output_dir(target.parent)
    return target


_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def safe_name(name: str, *, default: str = "design", max_length: int = 100) -> str:
    """A file-name stem made from ``name`` that cannot leave its folder.

    Runs of characters other than letters, digits and ``._+-`` become ``_``; leading dots
    and underscores go (no ``..``, no hidden files); at most ``max_length`` characters.
    """
    stem = _UNSAFE.sub("_", name).lstrip("._")[:max_length].rstrip("._")
    return stem or default
