"""Ctrl-C during a CP-SAT search: stop the search and raise :class:`KeyboardInterrupt`.

CP-SAT catches SIGINT itself by default (its ``catch_sigint_signal`` parameter): Ctrl-C
then ends the search "as if a time limit was reached". The caller cannot tell that from a
search that ran its course, so an interrupted solve was reported, written and stored as
a finished answer (a sweep point at 169.22 mm² instead of its 147.06, kept by every
rerun). CP-SAT also leaves SIGINT at the default action when it returns, so a second
Ctrl-C killed the process with no message.

With the parameter off, Python's own handler sees Ctrl-C, but only once CP-SAT returns
(it runs in C++ until its time limit). :class:`InterruptibleCpSolver` therefore runs the
search in a helper thread while the main thread waits, interruptibly; on Ctrl-C it tells
the search to stop, waits for it (well under a second) and re-raises, so no cut-short
answer ever reaches the caller. Every CP-SAT solver of the package is one of these
(``tests/test_interrupt.py`` checks the source for any other).

Off the main thread (a Dask worker thread, a solution callback) the search runs in place:
Python delivers signals to the main thread only.

Examples
--------
>>> from ortools.sat.python import cp_model
>>> model = cp_model.CpModel()
>>> x = model.new_int_var(0, 9, "x")
>>> model.maximize(x)
>>> solver = InterruptibleCpSolver()
>>> solver.parameters.catch_sigint_signal, solver.status_name(solver.solve(model))
(False, 'OPTIMAL')
>>> solver.value(x)
9
"""

from __future__ import annotations

import threading
from typing import Any

from ortools.sat.python import cp_model

# Re-exported: they lived here; the command entry points import them from
# layoutopt.stopping, which does not import OR-Tools.
from layoutopt.stopping import Terminated, how_stopped, stop_on_sigterm

__all__ = ["InterruptibleCpSolver", "Terminated", "how_stopped", "stop_on_sigterm"]

# How often the main thread repeats its stop request while the search winds down: the
# request is lost if it comes before CP-SAT has set up its search.
_STOP_POLL_S = 0.02


class InterruptibleCpSolver(cp_model.CpSolver):
    """A CP-SAT solver whose search Ctrl-C ends with :class:`KeyboardInterrupt`."""

    def __init__(self) -> None:
        super().__init__()
        self.parameters.catch_sigint_signal = False

    def solve(
        self,
        model: cp_model.CpModel,
        solution_callback: cp_model.CpSolverSolutionCallback | None = None,
    ) -> Any:
        """Solve ``model`` (as :meth:`CpSolver.solve`); Ctrl-C raises KeyboardInterrupt."""
        if threading.current_thread() is not threading.main_thread():
            return super().solve(model, solution_callback)
        outcome: dict[str, Any] = {}
        # Not Thread.join: a join that Ctrl-C interrupts marks a running thread as stopped
        # (CPython 3.11, bpo-45274), so the wait below would end while CP-SAT still runs,
        # and the process would abort at exit ("terminate called without an active
        # exception"). An Event tells the truth.
        finished = threading.Event()

        def search() -> None:
            try:
                outcome["status"] = cp_model.CpSolver.solve(self, model, solution_callback)
            except BaseException as err:  # handed to the waiting main thread
                outcome["error"] = err
            finally:
                finished.set()

        # Daemon: a second Ctrl-C while the search winds down must not hang the exit.
        threading.Thread(target=search, name="cp-sat search", daemon=True).start()
        try:
            finished.wait()  # interruptible: Ctrl-C raises here, in the main thread
        except BaseException:
            while not finished.wait(_STOP_POLL_S):
                self.stop_search()
            raise
        if "error" in outcome:
            raise outcome["error"]
        return outcome["status"]
