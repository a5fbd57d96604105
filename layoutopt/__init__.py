"""layoutopt: chip-package layout and footprint optimizer.

The public API; the rest lives in the submodules it names (drawings: ``layoutopt.render``,
sweeps: ``layoutopt.sweep``, notebooks: ``layoutopt.display``).

>>> from layoutopt import load_design, solve, SolveOptions
"""

import importlib
import sys
from typing import Any

# The public names and the modules that define them, imported when first used (PEP 562):
# every command imports this package, and importing all of it up front cost 5.4 s of
# the command line's start at load 13 on 2 cores (python -X importtime), inside each
# --time-limit.
_PUBLIC = {
    "design_from_text": "layoutopt.design_file",
    "load_design": "layoutopt.design_file",
    "DesignError": "layoutopt.errors",
    "InternalError": "layoutopt.errors",
    "LayoutOptError": "layoutopt.errors",
    "LayoutRecord": "layoutopt.layout_io",
    "read_layout": "layoutopt.layout_io",
    "write_layout": "layoutopt.layout_io",
    "Design": "layoutopt.model",
    "Die": "layoutopt.model",
    "Layout": "layoutopt.model",
    "Placement": "layoutopt.model",
    "ProcessRules": "layoutopt.model",
    "compare_families": "layoutopt.pipeline",
    "write_solution": "layoutopt.pipeline",
    "SolveOptions": "layoutopt.solver",
    "SolveResult": "layoutopt.solver",
    "SolveStatus": "layoutopt.solver",
    "solve": "layoutopt.solver",
    "thermal_check": "layoutopt.thermal",
    "ThermalReport": "layoutopt.thermal.report",
}

# Imported now: importing the submodule ``layoutopt.validate`` (the solver does) would
# otherwise rebind the package's ``validate`` to the module, not the function.
from layoutopt.validate import Violation, validate  # noqa: E402


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'layoutopt' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


__version__ = "0.1.0"

__all__ = [
    "Design",
    "DesignError",
    "Die",
    "InternalError",
    "Layout",
    "LayoutOptError",
    "LayoutRecord",
    "Placement",
    "ProcessRules",
    "SolveOptions",
    "SolveResult",
    "SolveStatus",
    "ThermalReport",
    "Violation",
    "compare_families",
    "design_from_text",
    "load_design",
    "read_layout",
    "solve",
    "thermal_check",
    "validate",
    "write_layout",
    "write_solution",
]


def _register_notebook_display() -> None:
    """Inside IPython (a notebook), show results as HTML: the display side registers its
    formatters (:func:`layoutopt.display.register`); outside, nothing is imported."""
    ipython = sys.modules.get("IPython")
    shell = None if ipython is None else ipython.get_ipython()
    if shell is None:
        return
    from layoutopt.display import load_ipython_extension

    load_ipython_extension(shell)


_register_notebook_display()
