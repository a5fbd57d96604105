"""Mechanics of the package body: warpage from thermal mismatch of its layers.

- :mod:`layoutopt.mechanics.laminate` — Timoshenko's bimetal, Hsueh's multilayer and the
  bonded-columns balance (closed forms, any consistent units).
- :mod:`layoutopt.mechanics.columns` — the package body cut into plan-view columns.
- :mod:`layoutopt.mechanics.warpage` — :func:`warpage_report`: curvature and
  corner-to-corner warpage from the stress-free temperature to room and reflow peak.
- :mod:`layoutopt.mechanics.limits` — the default limit, JEITA ED-7306 by ball pitch.
"""

from __future__ import annotations

from layoutopt.mechanics.limits import WarpageLimit, jeita_limit_um, warpage_limit
from layoutopt.mechanics.warpage import (
    ColumnWarpage,
    WarpagePoint,
    WarpageReport,
    warpage_report,
)

__all__ = [
    "ColumnWarpage",
    "WarpageLimit",
    "WarpagePoint",
    "WarpageReport",
    "jeita_limit_um",
    "warpage_limit",
    "warpage_report",
]
