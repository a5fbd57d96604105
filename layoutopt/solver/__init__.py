"""The CP-SAT placement and stacking solver.

>>> from layoutopt.solver import solve, SolveOptions, SolveStatus
"""

from layoutopt.solver.result import SolveOptions, SolveResult, SolveStatus
from layoutopt.solver.solve import solve

__all__ = ["SolveOptions", "SolveResult", "SolveStatus", "solve"]
