"""The checks of a solved layout beyond geometry and heat: warpage, yield and cost.

One entry point for the layout file, the family comparison and the sweep, so each answer
carries the same numbers wherever it is read.

"""

from __future__ import annotations

from dataclasses import dataclass

from layoutopt.economics.inputs import Inputs
from layoutopt.economics.report import CostReport, cost_report
from layoutopt.mechanics.warpage import WarpageReport, warpage_report
from layoutopt.model import Design, Layout

__all__ = ["METRICS", "Assessment", "assess", "metrics"]

#: What :func:`metrics` reports, with the unit in each name.
METRICS: tuple[str, ...] = (
    "warpage_um",
    "warpage_room_um",
    "warpage_peak_um",
    "package_yield",
    "cost_usd",
    "capacity_gb",
)


@dataclass(frozen=True)
class Assessment:
    """Warpage and cost reports of one layout."""

    warpage: WarpageReport
    cost: CostReport


def assess(
    design: Design,
    layout: Layout,
    inputs: Inputs | None = None,
    *,
    warpage: WarpageReport | None = None,
) -> Assessment:
    """Warpage (room, reflow peak, against the design's limit) and yield and cost.

    ``warpage``: the report the solve already made in its loop (not computed again)."""
    found = warpage if warpage is not None else warpage_report(design, layout)
    return Assessment(found, cost_report(design, layout, inputs))


def metrics(assessment: Assessment) -> dict[str, float]:
    """The numbers a table row needs: largest warpage magnitude over the checked temperatures
    (µm), signed warpage at room and peak, package yield, cost per good package (USD) and
    memory capacity (GB)."""
    w, c = assessment.warpage, assessment.cost
    return {
        "warpage_um": abs(w.worst.warpage_um),
        "warpage_room_um": w.room.warpage_um,
        "warpage_peak_um": w.peak.warpage_um,
        "package_yield": c.package_yield,
        "cost_usd": c.cost_per_good_usd,
        "capacity_gb": c.capacity_gb,
    }
