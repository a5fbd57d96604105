"""How a command stops on a signal: SIGTERM raises as Ctrl-C does, with the words and the
exit code of each.

Apart from :mod:`layoutopt.interrupt` (the CP-SAT search that Ctrl-C ends) because every
command entry point needs these and most never solve: importing OR-Tools (and the pandas
it imports) took 0.4 s of the 1.0 s of ``layoutopt --version`` (load 3).
"""

from __future__ import annotations

import signal
import threading

__all__ = ["Terminated", "how_stopped", "stop_on_sigterm"]


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill PID``, a batch system's time-out, ``docker stop``): stops a command
    as Ctrl-C does, through the same handlers, so nothing half-done is kept either."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


def stop_on_sigterm() -> None:
    """Make SIGTERM raise :class:`Terminated` in the main thread (the command entry
    points call this; by default SIGTERM ends Python at once, with nothing cleaned up or
    said). Python runs the handler in the main thread, like its Ctrl-C handler."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


def how_stopped(error: BaseException) -> tuple[str, int]:
    """The words and the exit code for a stop: ``("interrupted (Ctrl-C)", 130)`` or
    ``("terminated (SIGTERM)", 143)`` (128 + the signal number, as shells report it)."""
    if isinstance(error, Terminated):
        return "terminated (SIGTERM)", 128 + int(signal.SIGTERM)
    return "interrupted (Ctrl-C)", 128 + int(signal.SIGINT)
