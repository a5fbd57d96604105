"""Is ``--time-limit`` honoured at every size? The whole ``layoutopt solve`` command, timed.

For each die count it writes a generated Bookshelf instance (``random-N-S`` of
``bench_floorplan.py``), imports it as a design with a fixed outline, and runs
``layoutopt solve DESIGN --time-limit T`` as a separate process: model build, engine,
CP-SAT, validation, explanations and drawings, all in the wall time measured here. It
prints the wall time against the limit, the exit code and the status, for two workers
(wall-clock budget) and for one worker with a seed (the deterministic mode, whose budget is
counted in work: its wall-time factor is measured here, not promised).

Usage::

    python benchmarks/bench_time_limits.py --dies 10 100 1000 5000 --time-limit 10 60
    python benchmarks/bench_time_limits.py --dies 2000 --time-limit 10 --workers 1
    python benchmarks/bench_time_limits.py --solve-args "--no-warpage --thermal-model compact"

The limit counts as honoured when the wall time stays within 10 % of it plus
``--slack-s`` (default 3 s: interpreter start, imports, reading the design).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_floorplan import _generated

from layoutopt.bookshelf import bookshelf_to_design_yaml
from layoutopt.design_file import load_design
from layoutopt.errors import DesignError


def _write_blocks(path: Path, dies: int, seed: int) -> None:
    problem = _generated(f"random-{dies}-{seed}")
    lines = [
        "UCSC blocks 1.0",
        "NumSoftRectangularBlocks : 0",
        f"NumHardRectilinearBlocks : {dies}",
        "NumTerminals : 0",
    ]
    for b in problem.blocks:
        w, h = b.width_um, b.length_um
        lines.append(f"{b.id} hardrectilinear 4 (0, 0) (0, {h}) ({w}, {h}) ({w}, 0)")
    path.write_text("\n".join(lines) + "\n")


def _write_design(folder: Path, dies: int, whitespace: float) -> Path:
    """The first generated instance of ``dies`` blocks that is a valid design (a small
    one may draw a block longer than its square outline)."""
    design = folder / f"r{dies}.yaml"
    for seed in range(1, 50):
        blocks = folder / f"r{dies}-{seed}.blocks"
        _write_blocks(blocks, dies, seed=seed)
        design.write_text(bookshelf_to_design_yaml(blocks, whitespace=whitespace))
        try:
            load_design(design)
        except DesignError:
            continue
        return design
    raise SystemExit(f"no valid generated design of {dies} dies in 49 seeds")


def _phases(out: Path) -> str:
    """The solve's three longest phases from timing.json (what the limit went on)."""
    timing = out / "timing.json"
    if not timing.exists():
        return ""
    data = json.loads(timing.read_text())
    phases = sorted(data.get("phases_s", {}).items(), key=lambda kv: -kv[1])[:3]
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in phases)


def _status(out: Path) -> str:
    for name in ("layout.json", "result.json"):
        path = out / name
        if path.exists():
            return str(json.loads(path.read_text()).get("solver", {}).get("status", "?"))
    return "-"


def run_one(
    dies: int, limit_s: float, workers: int, whitespace: float, folder: Path, extra: list[str]
) -> dict:
    design = folder / f"r{dies}.yaml"
    if not design.exists():
        design = _write_design(folder, dies, whitespace)
    out = folder / f"out-{dies}-{limit_s:g}-{workers}"
    layoutopt = Path(sys.executable).with_name("layoutopt")
    cmd = [str(layoutopt), "solve", str(design), "-o", str(out), "--time-limit", f"{limit_s:g}"]
    cmd += ["--workers", str(workers), "--seed", "0", *extra]
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=max(600, 20 * limit_s))
        code, out_text, err_text = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:  # a row of its own, not the end of the table
        code, out_text, err_text = "timeout", "", ""
    wall = time.perf_counter() - start
    return {
        "dies": dies,
        "time_limit_s": limit_s,
        "workers": workers,
        "wall_s": round(wall, 2),
        "exit": code,
        "layout": (out / "layout.json").exists(),
        "status": _status(out),
        "phases": _phases(out),
        "drawings": any(out.glob("*.svg")),
        "load": round(os.getloadavg()[0], 2),
        "tail": out_text.strip().splitlines()[-1:] + err_text.strip().splitlines()[-1:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dies", type=int, nargs="*", default=[10, 100, 1000, 5000])
    parser.add_argument("--time-limit", type=float, nargs="*", default=[10.0])
    parser.add_argument("--workers", type=int, nargs="*", default=[2, 1])
    parser.add_argument("--whitespace", type=float, default=0.5)
    parser.add_argument("--slack-s", type=float, default=3.0)
    parser.add_argument(
        "--solve-args",
        default="",
        help='more options for every solve, e.g. "--no-warpage --thermal-model compact"',
    )
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for dies in args.dies:
            for limit in args.time_limit:
                for workers in args.workers:
                    extra = args.solve_args.split()
                    row = run_one(dies, limit, workers, args.whitespace, Path(tmp), extra)
                    row["honoured"] = row["wall_s"] <= 1.1 * limit + args.slack_s
                    print(f"# {json.dumps(row)}", file=sys.stderr, flush=True)
                    rows.append(row)
    print(f"{os.cpu_count()} cores; honoured = wall <= 1.1 x limit + {args.slack_s:g} s")
    print(f"layoutopt solve DESIGN --time-limit T --workers W --seed 0 {args.solve_args}")
    print(
        "| dies | limit (s) | workers | wall (s) | wall / limit | exit | status | drawings "
        "| honoured | longest phases (s) | load |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|---|---|---|---:|")
    for r in rows:
        print(
            f"| {r['dies']} | {r['time_limit_s']:g} | {r['workers']} | {r['wall_s']:.1f} | "
            f"{r['wall_s'] / r['time_limit_s']:.2f} | {r['exit']} | {r['status']} | "
            f"{'yes' if r['drawings'] else 'no'} | "
            f"{'yes' if r['honoured'] else 'NO'} | {r['phases']} | {r['load']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
