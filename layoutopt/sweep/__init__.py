"""Design-space exploration: sweep a design over axes, store results, find the trade-offs.

Pipeline: a space file (:mod:`~layoutopt.sweep.space`) expands into points; the runner
(:mod:`~layoutopt.sweep.runner`) solves each point once, in parallel or on Dask, into a
SQLite table (:mod:`~layoutopt.sweep.store`); analysis (:mod:`~layoutopt.sweep.analysis`,
:mod:`~layoutopt.sweep.report`) finds the Pareto front and writes plots and a summary.
"""

from layoutopt.sweep.analysis import pareto_front, pareto_mask, results_frame
from layoutopt.sweep.cli import main_sweep
from layoutopt.sweep.point import point_key, solve_point
from layoutopt.sweep.runner import SweepInterrupted, SweepPlan, SweepSummary, plan_sweep, run_sweep
from layoutopt.sweep.space import Point, Space, expand_points, load_space, space_from_text

__all__ = [
    "Point",
    "Space",
    "SweepInterrupted",
    "SweepPlan",
    "SweepSummary",
    "expand_points",
    "load_space",
    "main_sweep",
    "pareto_front",
    "pareto_mask",
    "plan_sweep",
    "point_key",
    "results_frame",
    "run_sweep",
    "solve_point",
    "space_from_text",
]
