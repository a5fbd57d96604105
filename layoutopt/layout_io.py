"""The layout file: a lossless JSON record of one solved design.

``layout.json`` holds the resolved design (so it validates, renders and re-runs on its
own), the layout with every die's position, rotation, stack and tier, the thickness
budget, the thermal report and the solver statistics. ``to_*`` functions are pure;
``write_*`` and ``read_*`` touch the disk (writes are atomic).

Format (``format_version`` 1)::

    {
      "format": "layoutopt.layout", "format_version": 1,
      "design": {...},                       # the core Design, integer µm
      "layout": {
        "design_name": str, "family": str,
        "package": {"x_um", "y_um", "width_um", "length_um"}, "thickness_um": int,
        "dies": [{"id", "part", "kind", "x_um", "y_um", "width_um", "length_um",
                  "rotation_deg", "z_bottom_um", "thickness_um", "stack", "tier",
                  "on_die", "side"}, ...],     # width/length after rotation
        "thickness_breakdown": [{"name", "thickness_um", "material"}, ...]
      },
      "thermal": {...} | null,               # ThermalReport
      "warpage": {...} | null,               # WarpageReport (layoutopt.mechanics): room,
                                             # peak, curve, columns, max_warpage_um, source
      "cost": {...} | null,                  # CostReport (layoutopt.economics): yields,
                                             # cost per good package, band, lines, inputs
      "solver": {...} | null                 # status, objective, bound, gap, time_s, ...
    }

Files without the ``warpage`` or ``cost`` keys (written before they existed) read as None.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layoutopt.economics.report import CostReport
from layoutopt.errors import LayoutFileError
from layoutopt.mechanics.warpage import WarpageReport
from layoutopt.model import Design, Family, Layer, Layout, Placement, Rect
from layoutopt.serialize import from_data, to_data
from layoutopt.thermal.report import ThermalReport

__all__ = [
    "FORMAT_VERSION",
    "LayoutRecord",
    "layout_from_data",
    "layout_to_data",
    "read_layout",
    "to_json",
    "write_atomic",
    "write_layout",
]

FORMAT = "layoutopt.layout"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class LayoutRecord:
    """Everything a layout file holds."""

    design: Design
    layout: Layout
    thermal: ThermalReport | None = None
    solver: dict[str, Any] | None = None
    warpage: WarpageReport | None = None
    cost: CostReport | None = None

    def _repr_html_(self) -> str:
        from layoutopt.display import record_html  # lazy: the core never imports drawings

        return record_html(self)


def layout_to_data(design: Design, layout: Layout) -> dict[str, Any]:
    dies = []
    for p in layout.placements:
        die = design.die(p.die_id)
        dies.append(
            {
                "id": p.die_id,
                "part": die.part,
                "kind": die.kind.value,
                "x_um": p.x_um,
                "y_um": p.y_um,
                "width_um": p.width_um,
                "length_um": p.length_um,
                "rotation_deg": p.rotation_deg,
                "z_bottom_um": p.z_bottom_um,
                "thickness_um": p.thickness_um,
                "stack": p.stack,
                "tier": p.tier,
                "on_die": p.on_die,
                "side": p.side,
            }
        )
    return {
        "design_name": layout.design_name,
        "family": layout.family.value,
        "package": to_data(layout.package),
        "thickness_um": layout.thickness_um,
        "dies": dies,
        "thickness_breakdown": [to_data(layer) for layer in layout.stack_up],
    }


def layout_from_data(data: dict[str, Any]) -> Layout:
    placements = tuple(
        Placement(
            die_id=d["id"],
            x_um=d["x_um"],
            y_um=d["y_um"],
            width_um=d["width_um"],
            length_um=d["length_um"],
            rotation_deg=d["rotation_deg"],
            z_bottom_um=d["z_bottom_um"],
            thickness_um=d["thickness_um"],
            stack=d["stack"],
            tier=d["tier"],
            on_die=d.get("on_die"),
            side=d.get("side", "top"),
        )
        for d in data["dies"]
    )
    return Layout(
        design_name=data["design_name"],
        family=Family(data["family"]),
        package=from_data(Rect, data["package"]),
        thickness_um=data["thickness_um"],
        placements=placements,
        stack_up=tuple(from_data(Layer, layer) for layer in data.get("thickness_breakdown", [])),
    )


def to_json(record: LayoutRecord) -> str:
    """The layout file's text: sorted keys, two-space indent, trailing newline (stable)."""
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "design": to_data(record.design),
        "layout": layout_to_data(record.design, record.layout),
        "thermal": None if record.thermal is None else _without_times(to_data(record.thermal)),
        "warpage": None if record.warpage is None else to_data(record.warpage),
        "cost": None if record.cost is None else to_data(record.cost),
        "solver": record.solver,
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _without_times(thermal: dict[str, Any]) -> dict[str, Any]:
    """The thermal report minus its wall-clock time, so identical solves write identical files."""
    return {k: v for k, v in thermal.items() if k != "solve_time_s"}


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> Path:
    """Write ``text`` to ``path`` so that readers see the old file or the new, never half."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_layout(path: str | os.PathLike[str], record: LayoutRecord) -> Path:
    return write_atomic(path, to_json(record))


def read_layout(path: str | os.PathLike[str]) -> LayoutRecord:
    """Read a layout file; a malformed file raises :class:`LayoutFileError` naming the field."""
    name = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LayoutFileError(
            "no such file", file=name, fix="give the path of a layout.json"
        ) from None
    except json.JSONDecodeError as err:
        raise LayoutFileError(
            f"not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})",
            file=name,
            fix="give a layout.json written by 'layoutopt solve'",
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LayoutFileError(
            'not a layoutopt layout file (missing "format": "layoutopt.layout")',
            file=name,
            field="format",
            fix="give a layout.json written by 'layoutopt solve'",
        )
    if data.get("format_version") != FORMAT_VERSION:
        raise LayoutFileError(
            f"unsupported format version (this layoutopt reads {FORMAT_VERSION})",
            file=name,
            field="format_version",
            value=data.get("format_version"),
            fix="re-solve the design with this version of layoutopt",
        )
    try:
        design = from_data(Design, data["design"])
        layout = layout_from_data(data["layout"])
        thermal = None if data.get("thermal") is None else from_data(ThermalReport, data["thermal"])
        warpage = None if data.get("warpage") is None else from_data(WarpageReport, data["warpage"])
        cost = None if data.get("cost") is None else from_data(CostReport, data["cost"])
    except (KeyError, TypeError, ValueError) as err:
        raise LayoutFileError(
            f"malformed content ({type(err).__name__}: {err})",
            file=name,
            fix="give a layout.json written by 'layoutopt solve', or fix the named field",
        ) from None
    return LayoutRecord(
        design=design,
        layout=layout,
        thermal=thermal,
        solver=data.get("solver"),
        warpage=warpage,
        cost=cost,
    )
