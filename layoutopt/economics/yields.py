"""Die yield, dies per wafer, cost per good die, KGD screening and stack yield.

The formulas of the open cost models quoted in domain_data.md §11, each reproduced in the
tests with the models' own numbers.

>>> round(negative_binomial_yield(100.0, 0.0007 * 100, 2.0, critical_area_ratio=0.6), 4)
0.9593
>>> round(negative_binomial_yield(100.0, 0.11, 10.0), 4)
0.8964
>>> round(gross_dies_per_wafer(100.0), 1)
571.7
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = [
    "compound_yield",
    "cost_per_good_die_usd",
    "gross_dies_per_wafer",
    "kgd_good_fraction",
    "kgd_pass_fraction",
    "negative_binomial_yield",
]


def negative_binomial_yield(
    area_mm2: float, d0_per_cm2: float, alpha: float, *, critical_area_ratio: float = 1.0
) -> float:
    """Negative-binomial yield ``(1 + D0 A CAR / alpha)^-alpha`` (D0 per cm², A in mm²).

    The Chiplet Actuary form (``CAR`` = 1) and the UCLA layer yield (with the critical-area
    ratio), domain_data.md §11.1 (M). Large ``alpha`` tends to Poisson, ``exp(-D0 A)``;
    small ``alpha`` (clustered defects) yields more for the same mean defect count.
    """
    defects = d0_per_cm2 * (area_mm2 / 100.0) * critical_area_ratio
    return (1.0 + defects / alpha) ** (-alpha)


def gross_dies_per_wafer(
    area_mm2: float, *, diameter_mm: float = 300.0, edge_mm: float = 5.0, scribe_mm: float = 0.2
) -> float:
    """Whole dies per wafer: ``pi (d/2 - e)^2 / A' - pi (d - 2e) / sqrt(2 A')``, with the die
    grown by the scribe lane, ``A' = (sqrt(A) + s)^2`` (Chiplet Actuary, §11.1, M)."""
    grown = (math.sqrt(area_mm2) + scribe_mm) ** 2
    usable = diameter_mm / 2.0 - edge_mm
    return math.pi * usable**2 / grown - math.pi * (diameter_mm - 2 * edge_mm) / math.sqrt(
        2.0 * grown
    )


def kgd_pass_fraction(die_yield: float, coverage: float) -> float:
    """Fraction of probed dies that pass: the good ones and the bad ones the test misses."""
    return die_yield + (1.0 - die_yield) * (1.0 - coverage)


def kgd_good_fraction(die_yield: float, coverage: float) -> float:
    """Probability that a die which passed wafer probe is good (a known-good die).

    >>> kgd_good_fraction(0.9, 1.0), round(kgd_good_fraction(0.9, 0.5), 4)
    (1.0, 0.9474)
    """
    return die_yield / kgd_pass_fraction(die_yield, coverage)


def cost_per_good_die_usd(
    wafer_cost_usd: float,
    area_mm2: float,
    die_yield: float,
    *,
    coverage: float = 1.0,
    probe_usd_per_die: float = 0.0,
    diameter_mm: float = 300.0,
    edge_mm: float = 5.0,
    scribe_mm: float = 0.2,
) -> float:
    """Cost of one die that passed wafer probe: the wafer and the probing of every die on it,
    shared among the dies that pass.

    >>> round(cost_per_good_die_usd(16988.0, 100.0, 0.8964), 2)  # 5 nm, 100 mm² (§11.1)
    33.15
    """
    gross = gross_dies_per_wafer(
        area_mm2, diameter_mm=diameter_mm, edge_mm=edge_mm, scribe_mm=scribe_mm
    )
    passing = gross * kgd_pass_fraction(die_yield, coverage)
    return (wafer_cost_usd + probe_usd_per_die * gross) / passing


def compound_yield(yields: Iterable[float]) -> float:
    """The product of independent step yields (a stack of N bonds at y: ``y^N``, §11.2).

    >>> round(compound_yield([0.99] * 12), 3)
    0.886
    """
    return math.prod(yields)
