"""The CP-SAT placement and stacking solver.

>>> from layoutopt.solver import solve, Deadline, SolveOptions, SolveStatus
"""

from layoutopt.deadline import Deadline
from layoutopt.solver.result import SolveOptions, SolveResult, SolveStatus
from layoutopt.solver.solve import solve

__all__ = ["Deadline", "SolveOptions", "SolveResult", "SolveStatus", "solve"]
