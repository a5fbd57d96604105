"""A generic rectangle-packing engine: greedy, annealing and CP-SAT, in integer µm.

Used by the package solver and the floorplanning benchmarks; it knows nothing about dies.
See :func:`pack` for the pipeline and :mod:`layoutopt.engine.problem` for the values.
"""

from layoutopt.engine.check import dead_space, hpwl_um, packing_violations
from layoutopt.engine.cpsat import CpsatResult, cpsat_pack
from layoutopt.engine.lns import lns
from layoutopt.engine.pack import constructive, pack
from layoutopt.engine.problem import (
    Block,
    Packing,
    PackProblem,
    PackResult,
    PackStatus,
    PlacedBlock,
)

__all__ = [
    "Block",
    "CpsatResult",
    "PackProblem",
    "PackResult",
    "PackStatus",
    "Packing",
    "PlacedBlock",
    "constructive",
    "cpsat_pack",
    "dead_space",
    "hpwl_um",
    "lns",
    "pack",
    "packing_violations",
]
