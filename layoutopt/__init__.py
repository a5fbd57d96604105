"""layoutopt: chip-package layout and footprint optimizer.

The public API; the rest lives in the submodules it names (drawings: ``layoutopt.render``,
sweeps: ``layoutopt.sweep``, notebooks: ``layoutopt.display``).

>>> from layoutopt import load_design, solve, SolveOptions
"""

import sys

from layoutopt.design_file import design_from_text, load_design
from layoutopt.errors import DesignError, InternalError, LayoutOptError
from layoutopt.layout_io import LayoutRecord, read_layout, write_layout
from layoutopt.model import Design, Die, Layout, Placement, ProcessRules
from layoutopt.pipeline import compare_families, write_solution
from layoutopt.solver import SolveOptions, SolveResult, SolveStatus, solve
from layoutopt.thermal import thermal_check
from layoutopt.thermal.report import ThermalReport
from layoutopt.validate import Violation, validate

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
