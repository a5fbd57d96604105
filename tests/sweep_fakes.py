"""A fast, deterministic stand-in for the design loader and the solver (tests, benchmarks).

Select it for the real command line with environment variables (read only by
:func:`layoutopt.sweep.cli.main_sweep`, never inside the library), with this folder on
``PYTHONPATH``::

    LAYOUTOPT_SWEEP_SOLVE=sweep_fakes:fake_solve
    LAYOUTOPT_SWEEP_LOAD=sweep_fakes:fake_load_design

``fake_solve`` appends one line per solve to the file named by ``LAYOUTOPT_SWEEP_FAKE_LOG``
(so tests can prove that no point is solved twice) and sleeps
``LAYOUTOPT_SWEEP_FAKE_DELAY_S`` seconds (so tests can kill a sweep mid-way). Local sweep
workers come from a fork server that copies the environment once, when the first pool of
the process starts: in-process tests steer faults through part names instead.

The fake loader reads only ``name``, ``process``, ``dies: [{part, count}]`` and
``envelope: {outline: {width, length}, max_thickness}``; die sizes come from the part name.
Some part names make ``fake_solve`` misbehave, to exercise fault handling (the crashing
ones only in a worker process: in the test's own process they would end it):

- ``boom``: raises (a recorded error);
- ``segfault``: a real segmentation fault in native code (ctypes reads address 0);
- ``sigkill``: the process kills itself with SIGKILL (as the out-of-memory killer does);
- ``crash_once@PATH``: SIGKILL the first time (it creates ``PATH``), solves after that;
- ``stall@PATH``: the first time, writes its process id to ``PATH`` and sleeps a minute
  (for a test to kill it from outside); solves after that.

Examples
--------
>>> design = fake_load_design('''
... name: t
... process: epop
... dies: [{part: lpddr4x_16gb, count: 2}]
... envelope: {outline: {width: "10 mm", length: "12 mm"}, max_thickness: "0.6 mm"}
... ''')
>>> result = fake_solve(design, None)
>>> result.status.value, result.layout.thickness_um
('optimal', 400)
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import yaml
from shapely.geometry import box

from layoutopt.errors import DesignError
from layoutopt.layout_io import write_atomic
from layoutopt.library import load_library
from layoutopt.model import (
    BondType,
    Design,
    Die,
    DieKind,
    Envelope,
    Family,
    Layer,
    Layout,
    Placement,
    ProcessRules,
    Rect,
)
from layoutopt.serialize import to_data
from layoutopt.solver.result import SolveResult, SolveStatus
from layoutopt.thermal.report import DieTemperature, ThermalReport
from layoutopt.units import UnitError, parse_length_um

__all__ = ["design_digest", "fake_load_design", "fake_solve"]

# Fixed stand-in numbers (not physics): they only need to vary with the inputs.
_BASE_UM = 200
_DIE_UM = 40
_ATTACH_UM = 10
_PITCH_UM = 50


def _length(data: dict[str, Any], key: str, where: str, file: str | None) -> int:
    try:
        return parse_length_um(data[key])
    except KeyError:
        raise DesignError(
            "missing", file=file, field=f"{where}.{key}", fix="give it, e.g. '0.6 mm'"
        ) from None
    except UnitError as err:
        raise DesignError(str(err), file=file, field=f"{where}.{key}", value=data[key]) from None


def fake_load_design(text: str, *, file: str | None = None) -> Design:
    """A small core :class:`Design` from design-file text (fake: die sizes from part names)."""
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    envelope = data.get("envelope", {})
    outline = envelope.get("outline", {"width": "20 mm", "length": "20 mm"})
    width_um = _length(outline, "width", "envelope.outline", file)
    length_um = _length(outline, "length", "envelope.outline", file)
    max_thickness_um = _length(envelope, "max_thickness", "envelope", file)
    try:
        family = Family(data.get("process", "sip"))
    except ValueError:
        raise DesignError(
            "unknown process",
            file=file,
            field="process",
            value=data.get("process"),
            fix=f"use one of {', '.join(f.value for f in Family)}",
        ) from None
    dies = []
    for i, entry in enumerate(data.get("dies", [])):
        count = entry.get("count", 1)
        if not isinstance(count, int) or count < 1:
            raise DesignError(
                "count must be a positive whole number",
                file=file,
                field=f"dies[{i}].count",
                value=count,
            )
        digest = int(hashlib.sha256(str(entry["part"]).encode()).hexdigest()[:8], 16)
        size_um = 2000 + (digest % 60) * 100
        for k in range(count):
            dies.append(
                Die(
                    id=f"D{i}_{k}",
                    part=str(entry["part"]),
                    kind=DieKind.DRAM,
                    width_um=size_um,
                    length_um=size_um,
                    thickness_um=_DIE_UM,
                    power_w=0.05 + 0.01 * (digest % 7),
                    max_junction_c=85.0,
                    bond=BondType.WIRE_BOND,
                )
            )
    return Design(
        name=str(data.get("name", "fake")),
        dies=tuple(dies),
        rules=ProcessRules(family=family, package_grid_um=_PITCH_UM),
        envelope=Envelope(
            outline=box(0, 0, width_um, length_um), max_thickness_um=max_thickness_um
        ),
        materials=load_library().materials,  # for the warpage and cost of each answer
    )


def design_digest(design: Design) -> str:
    """A short content hash of a core design (what the fake solve log records)."""
    text = json.dumps(to_data(design), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _misbehave(part: str) -> None:
    """What the fault-injection part names do (see the module docstring)."""
    kind, _, arg = part.partition("@")
    if kind == "boom":
        raise RuntimeError("fake solver failure for part 'boom'")
    if kind == "segfault":
        ctypes.string_at(0)
    if kind == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    first_time = bool(arg) and not os.path.exists(arg)
    if kind == "crash_once" and first_time:
        Path(arg).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "stall" and first_time:
        write_atomic(arg, str(os.getpid()))
        time.sleep(60)


def fake_solve(design: Design, options: Any) -> SolveResult:
    """Stack every die in one column; footprint from the largest die; deterministic."""
    delay_s = float(os.environ.get("LAYOUTOPT_SWEEP_FAKE_DELAY_S", "0") or 0)
    if delay_s:
        time.sleep(delay_s)
    log = os.environ.get("LAYOUTOPT_SWEEP_FAKE_LOG")
    if log:
        # O_APPEND writes of one short line are atomic, so parallel workers never interleave.
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (design_digest(design) + "\n").encode())
        finally:
            os.close(fd)
    for part in sorted({d.part for d in design.dies}):
        _misbehave(part)
    side_um = max((max(d.width_um, d.length_um) for d in design.dies), default=1000) + 400
    side_um = -(-side_um // _PITCH_UM) * _PITCH_UM
    placements, z_um = [], _BASE_UM
    for tier, die in enumerate(design.dies):
        z_um += _ATTACH_UM
        placements.append(
            Placement(
                die_id=die.id,
                x_um=200,
                y_um=200,
                width_um=die.width_um,
                length_um=die.length_um,
                rotation_deg=0,
                z_bottom_um=z_um,
                thickness_um=die.thickness_um,
                stack=0,
                tier=tier,
                on_die=design.dies[tier - 1].id if tier else None,
            )
        )
        z_um += die.thickness_um
    thickness_um = z_um + 100
    if thickness_um > design.envelope.max_thickness_um:
        return SolveResult(
            status=SolveStatus.INFEASIBLE,
            explanation=(f"stack {thickness_um} um > limit {design.envelope.max_thickness_um} um",),
        )
    layout = Layout(
        design_name=design.name,
        family=design.family,
        package=Rect(0, 0, side_um, side_um),
        thickness_um=thickness_um,
        placements=tuple(placements),
        stack_up=(Layer("base", _BASE_UM), Layer("dies", z_um - _BASE_UM), Layer("mold", 100)),
    )
    power_w = sum(d.power_w for d in design.dies)
    peak_c = 25.0 + power_w * 4e8 / (side_um * side_um) * 10
    thermal = ThermalReport(
        model="fake",
        ambient_c=25.0,
        dies=tuple(
            DieTemperature(d.id, peak_c, peak_c - 0.5, d.max_junction_c) for d in design.dies
        ),
        top_surface_c=peak_c - 1.0,
        skin_c=peak_c - 3.0,
        total_power_w=power_w,
    )
    area = float(layout.footprint_um2)
    return SolveResult(
        status=SolveStatus.OPTIMAL,
        layout=layout,
        objective=area,
        best_bound=area,
        gap=0.0,
        time_s=0.0,
        thermal=thermal,
        stats={"fake": True, "dies": len(design.dies)},
    )
