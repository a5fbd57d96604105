"""The small exception tree of layoutopt.

Exceptions are for misuse and for bugs. An infeasible design or a solve that runs out of
time is *not* an exception: it is a :class:`layoutopt.solver.SolveResult` status.

Every user-facing error carries enough to fix it: where (file and dotted field), what
(the value), and how (the fix). The CLI prints ``str(error)`` and never a traceback.
"""

from __future__ import annotations

__all__ = [
    "DesignError",
    "InfrastructureError",
    "InternalError",
    "LayoutFileError",
    "LayoutOptError",
    "LibraryError",
    "OutputError",
    "SpaceError",
]


class LayoutOptError(Exception):
    """Base of every error layoutopt raises on purpose."""


class DesignError(LayoutOptError):
    """Bad input: a design (file or object), or another file or path the user gave, is invalid.

    Parameters
    ----------
    message
        What is wrong, in the user's terms.
    file
        The design file, when the design came from one.
    field
        The dotted path of the offending field, e.g. ``dies[2].thickness``.
    value
        The offending value as written.
    fix
        What to change.

    Examples
    --------
    >>> err = DesignError("must be positive", file="a.yaml", field="dies[0].thickness",
    ...                   value="-40 um", fix="give the die thickness, e.g. '40 um'")
    >>> print(err)
    a.yaml: dies[0].thickness = '-40 um': must be positive. Fix: give the die thickness, e.g. '40 um'.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        value: object = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.field = field
        self.value = value
        self.fix = fix
        super().__init__(self._render())

    def _render(self) -> str:
        where = ": ".join(part for part in (self.file, self._field_text()) if part)
        text = f"{where}: {self.message}" if where else self.message
        text = text.rstrip(".") + "."
        if self.fix:
            text += f" Fix: {self.fix.rstrip('.')}."
        return text

    def _field_text(self) -> str | None:
        if self.field is None:
            return None
        if self.value is None:
            return self.field
        return f"{self.field} = {self.value!r}"

    def in_file(self, file: str) -> DesignError:
        """The same error, attributed to ``file``."""
        return type(self)(self.message, file=file, field=self.field, value=self.value, fix=self.fix)


class LibraryError(DesignError):
    """The built-in or a user library of parts, materials or processes is inconsistent."""


class SpaceError(DesignError):
    """A design-space (sweep) file is invalid."""


class LayoutFileError(DesignError):
    """A layout JSON file cannot be read."""


class OutputError(DesignError):
    """An output place (``-o``) cannot be written: a file where a folder is wanted, a
    read-only folder, no permission. Checked before any long computation."""


class InternalError(LayoutOptError):
    """A bug: e.g. the validator rejected a layout that the solver returned.

    Never a user error; the message asks for a bug report with the design attached.
    """


class InfrastructureError(LayoutOptError):
    """What a run stands on failed, not its input: the result store, the disk, the output
    folder's lock, the Dask scheduler, worker processes.

    Finished work is kept; the message says what failed and how to fix it, after which
    the same command resumes.

    Examples
    --------
    >>> print(InfrastructureError("the disk holding out/ is full", fix="free space on it"))
    the disk holding out/ is full. Fix: free space on it.
    """

    def __init__(self, message: str, *, fix: str) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message.rstrip('.')}. Fix: {fix.rstrip('.')}.")
