"""Yield and cost: die yield, KGD screening, bond and stack yields, cost per good package.

- :mod:`layoutopt.economics.yields` — the formulas (negative binomial, dies per wafer, cost
  per good die, known-good probability, compounding).
- :mod:`layoutopt.economics.inputs` — the library inputs with their sources and the
  ranges of the estimates.
- :mod:`layoutopt.economics.report` — :func:`cost_report` for one layout.
"""

from __future__ import annotations

from layoutopt.economics.inputs import Corner, Input, Inputs, load_inputs
from layoutopt.economics.report import BondLine, CostReport, DieLine, InputUsed, cost_report

__all__ = [
    "BondLine",
    "Corner",
    "CostReport",
    "DieLine",
    "Input",
    "InputUsed",
    "Inputs",
    "cost_report",
    "load_inputs",
]
