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
                  "on_die", "side",           # width/length after rotation
                  "film_over_wire"?}, ...],   # true where a staircase turns (else absent)
        "thickness_breakdown": [{"name", "thickness_um", "material"}, ...],
        "ball_map": {                        # the balls under the package (docs/rules.md);
                                             # absent when the family has no ball map
          "a1": "north_west" | ...,          # corner of ball A1 in the top view
          "arrays": [{"role": "board" | "interface",   # interface: PoP ring
                      "pitch_um", "diameter_um",
                      "x0_um", "y0_um",      # centre of site (column 0, row 0): south-west
                      "columns", "rows",     # sites west-east, south-north
                      "perimeter_rows",      # 0: full array; n: the outer n rings only
                      "depopulated": [[column, row], ...]}, ...]   # sites without a ball
        }
      },
      "thermal": {...} | null,               # ThermalReport: dies [{die_id, max_c, mean_c,
                                             # limit_c}], top_surface_c, skin_c, heat_out,
                                             # rise_error (the grid's measured error of a
                                             # die's rise near its limit), and
        "transients": [{                     # one per workload (layoutopt.thermal.loop)
          "workload": str, "checked": bool,  # checked: its limits were held by the solver
          "times_s": [float, ...],           # at most 600 points, from 0 s
          "series": [{"name": die id | "top" | "skin",
                      "values_c": [float, ...]}, ...],  # each the maximum over the steps
                                             # a point stands for (no peak is lost)
          "phases": [{"name", "start_s", "end_s"}, ...],
          "limits": [{"what", "max_c", "duration_s", "first_above_s",
                      "longest_above_s", "peak_c"}, ...],
          "phase_limits": [{"phase", "what", "max_c", "time_to_limit_s",
                            "phase_duration_s", "peak_c",
                            "after_phase"}, ...],  # the phase before, when it drew
                                             # more power (null otherwise; may be absent)
          "energy_in_j", "energy_out_j", "energy_stored_j", "step_s", "steps", "cells"}]
      "warpage": {...} | null,               # WarpageReport (layoutopt.mechanics): room,
                                             # peak, curve, columns, max_warpage_um, source
      "cost": {...} | null,                  # CostReport (layoutopt.economics): yields,
                                             # cost per good package, band, lines, inputs
      "solver": {...} | null                 # status, objective, bound, gap, time_s, ...
    }

Files without the ``warpage``, ``cost`` or ``ball_map`` keys (written before they existed)
read as None.

Reading is strict, since a layout file may come from anyone: every number finite (a NaN
would make every rule comparison false, so every rule would "hold"), every value of the
type the model declares, the embedded design checked as a design file is
(:func:`layoutopt.design_file.check_design`), sizes positive and within
:data:`~layoutopt.limits.MAX_LENGTH_UM`. Each error names the file and the dotted field.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from layoutopt.economics.report import CostReport
from layoutopt.errors import DesignError, LayoutFileError
from layoutopt.files import read_text
from layoutopt.limits import MAX_LENGTH_UM
from layoutopt.mechanics.warpage import WarpageReport
from layoutopt.model import BallMap, Design, Layer, Layout, Placement
from layoutopt.serialize import DataError, from_data, to_data
from layoutopt.thermal.report import ThermalReport

__all__ = [
    "FORMAT_VERSION",
    "LayoutRecord",
    "check_layout",
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
                # only where a staircase turns: files without turns stay as they were
                **({"film_over_wire": True} if p.film_over_wire else {}),
            }
        )
    out = {
        "design_name": layout.design_name,
        "family": layout.family.value,
        "package": to_data(layout.package),
        "thickness_um": layout.thickness_um,
        "dies": dies,
        "thickness_breakdown": [to_data(layer) for layer in layout.stack_up],
    }
    if layout.ball_map is not None:  # left out without one, as files before ball maps
        out["ball_map"] = to_data(layout.ball_map)
    return out


# Keys of a die entry written for readers (derived from the design), not placement fields.
_DIE_INFO_KEYS = ("part", "kind")
_LAYOUT_KEYS = (
    "design_name",
    "family",
    "package",
    "thickness_um",
    "dies",
    "thickness_breakdown",
    "ball_map",
)


def _mapping(data: Any, path: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DataError(path, "expected a mapping of keys to values")
    return data


def _placement_from_data(data: Any, path: str) -> Placement:
    entry = _mapping(data, path)
    if "id" not in entry:
        raise DataError(f"{path}.id", "missing")
    fields = {k: v for k, v in entry.items() if k not in (*_DIE_INFO_KEYS, "id")}
    return from_data(Placement, {"die_id": entry["id"], **fields}, path=path)


def layout_from_data(data: Any, path: str = "layout") -> Layout:
    """The :class:`Layout` of a layout file's ``layout`` section (strict, see the module)."""
    section = _mapping(data, path)
    for key in section:
        if key not in _LAYOUT_KEYS:
            raise DataError(f"{path}.{key}", f"unknown key; the keys are {', '.join(_LAYOUT_KEYS)}")
    dies = section.get("dies")
    if not isinstance(dies, list) or not dies:
        raise DataError(f"{path}.dies", "expected a non-empty list of placed dies")
    layers = section.get("thickness_breakdown", [])
    if not isinstance(layers, list):
        raise DataError(f"{path}.thickness_breakdown", "expected a list of layers")
    head = {
        k: section[k] for k in ("design_name", "family", "package", "thickness_um") if k in section
    }
    layout = from_data(Layout, {**head, "placements": []}, path=path)
    return replace(
        layout,
        placements=tuple(_placement_from_data(d, f"{path}.dies[{i}]") for i, d in enumerate(dies)),
        stack_up=tuple(
            from_data(Layer, layer, path=f"{path}.thickness_breakdown[{i}]")
            for i, layer in enumerate(layers)
        ),
        ball_map=None
        if section.get("ball_map") is None
        else from_data(BallMap, section["ball_map"], path=f"{path}.ball_map"),
    )


def _check_extent(value: int, path: str, *, positive: bool) -> None:
    low = 1 if positive else -MAX_LENGTH_UM
    if not low <= value <= MAX_LENGTH_UM:
        need = "positive and at most" if positive else "at most"
        raise DataError(path, f"must be {need} {MAX_LENGTH_UM:,} um (1 m) in size", value)


def check_layout(layout: Layout, path: str = "layout") -> None:
    """Sizes positive and every length within 1 m (what drawing and the thermal grid need).

    Rule breaks (overlaps, wrong sizes for a die, ...) are the validator's business; this
    only rejects values no layout can have.
    """
    pkg = layout.package
    for name in ("width_um", "length_um"):
        _check_extent(getattr(pkg, name), f"{path}.package.{name}", positive=True)
    for name in ("x_um", "y_um"):
        _check_extent(getattr(pkg, name), f"{path}.package.{name}", positive=False)
    _check_extent(layout.thickness_um, f"{path}.thickness_um", positive=True)
    for i, p in enumerate(layout.placements):
        where = f"{path}.dies[{i}]"
        for name in ("width_um", "length_um", "thickness_um"):
            _check_extent(getattr(p, name), f"{where}.{name}", positive=True)
        for name in ("x_um", "y_um", "z_bottom_um"):
            _check_extent(getattr(p, name), f"{where}.{name}", positive=False)
    for i, layer in enumerate(layout.stack_up):
        if not 0 <= layer.thickness_um <= MAX_LENGTH_UM:
            raise DataError(
                f"{path}.thickness_breakdown[{i}].thickness_um",
                "must be zero or positive and at most 1 m",
                layer.thickness_um,
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
    # allow_nan=False: a NaN written here could not be read back (a bug, never data).
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def _without_times(thermal: dict[str, Any]) -> dict[str, Any]:
    """The thermal report minus its wall-clock times (its own and its workloads'), so
    identical solves write identical files."""
    out = {k: v for k, v in thermal.items() if k != "solve_time_s"}
    if out.get("transients"):
        out["transients"] = [
            {k: v for k, v in t.items() if k != "solve_time_s"} for t in out["transients"]
        ]
    return out


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


def _non_finite(data: Any, path: str = "") -> tuple[str, float] | None:
    """The path and value of the first NaN or infinity in parsed JSON, if any."""
    pending: list[tuple[str, Any]] = [(path, data)]
    while pending:
        where, node = pending.pop()
        if isinstance(node, float) and not math.isfinite(node):
            return where, node
        if isinstance(node, dict):
            pending.extend((f"{where}.{k}" if where else str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            pending.extend((f"{where}[{i}]", v) for i, v in enumerate(node))
    return None


_FIX = "give a layout.json written by 'layoutopt solve', or correct the named field"


def read_layout(path: str | os.PathLike[str]) -> LayoutRecord:
    """Read a layout file; a malformed file raises :class:`LayoutFileError` naming the field."""
    name = str(path)
    text = read_text(path, kind="layout file", error=LayoutFileError)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise LayoutFileError(
            f"not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})",
            file=name,
            fix="give a layout.json written by 'layoutopt solve'",
        ) from None
    except RecursionError:
        raise LayoutFileError("JSON nested too deeply", file=name, fix=_FIX) from None
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
    bad = _non_finite(data)
    if bad is not None:
        raise LayoutFileError(
            "not a finite number (NaN and infinity are not values)",
            file=name,
            field=bad[0],
            value=bad[1],
            fix=_FIX,
        )
    try:
        return _record(data)
    except DataError as err:
        raise LayoutFileError(
            err.message, file=name, field=err.path, value=err.value, fix=_FIX
        ) from None
    except DesignError as err:  # the embedded design, checked as a design file would be
        field = f"design.{err.field}" if err.field else "design"
        raise LayoutFileError(
            err.message, file=name, field=field, value=err.value, fix=err.fix
        ) from None


def _record(data: dict[str, Any]) -> LayoutRecord:
    from layoutopt.design_file import check_design  # lazy: design_file loads the library

    for key in ("design", "layout"):
        if key not in data:
            raise DataError(key, "missing")
    design = from_data(Design, data["design"], path="design")
    if not design.materials:
        # Files written before designs carried their material table (the models then fell
        # back to the library's): the same table, now written into the design.
        from dataclasses import replace

        from layoutopt.library import load_library

        design = replace(design, materials=load_library().materials)
    check_design(design)
    layout = layout_from_data(data["layout"])
    check_layout(layout)
    reports = {
        key: None if data.get(key) is None else from_data(cls, data[key], path=key)
        for key, cls in (
            ("thermal", ThermalReport),
            ("warpage", WarpageReport),
            ("cost", CostReport),
        )
    }
    solver = data.get("solver")
    if solver is not None and not isinstance(solver, dict):
        raise DataError("solver", "expected a mapping or null", None)
    return LayoutRecord(design=design, layout=layout, solver=solver, **reports)
