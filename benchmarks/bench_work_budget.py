"""One worker counts work, not seconds: how long does a work budget take on the wall clock?

With ``--workers 1`` a solve's ``--time-limit`` is a work budget (CP-SAT's deterministic
time, converted at ``layoutopt.solver.run.DET_TIME_PER_S``; the engine's counted moves), so
a fixed seed gives the same bytes under any load. This script measures what that costs in
wall time: for each design it runs ``layoutopt solve DESIGN --workers 1 --seed 7
--time-limit T`` as a separate process (``--repeat`` times), and prints the wall and CPU
time against the budget, the status, and whether the repeated runs wrote the same
``layout.json``. It also solves the first objective stage of each design in process for a
fixed wall time and prints CP-SAT's deterministic time per wall second, the rate the
conversion constant estimates.

Usage::

    python benchmarks/bench_work_budget.py --time-limit 10
    python benchmarks/bench_work_budget.py --designs benchmarks/designs/sip_50.yaml --repeat 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DESIGNS = (
    "designs/wearable_sip.yaml",
    "designs/ai_pc_cmc.yaml",
    "designs/smart_glasses_epop.yaml",
    "benchmarks/designs/sip_50.yaml",
)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _solve_once(design: Path, out: Path, time_limit_s: float, extra: list[str]) -> dict:
    command = [
        *(sys.executable, "-m", "layoutopt", "solve", str(design), "-o", str(out)),
        *("--workers", "1", "--seed", "7", "--time-limit", f"{time_limit_s:g}", "--no-drawings"),
        *extra,
    ]
    cpu_before_s, started_s = _children_cpu_s(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    wall_s = time.perf_counter() - started_s
    layout = out / "layout.json"
    text = layout.read_text(encoding="utf-8") if layout.exists() else ""
    status = json.loads(text)["solver"]["status"] if text else "none"
    return {
        "wall_s": wall_s,
        "cpu_s": _children_cpu_s() - cpu_before_s,
        "exit": done.returncode,
        "status": status,
        "bytes": text,
    }


def _det_rate(design: Path, wall_s: float) -> float:
    """CP-SAT's deterministic time per wall second on the design's first stage."""
    from layoutopt.deadline import Deadline
    from layoutopt.design_file import load_design
    from layoutopt.solver.build import build_model
    from layoutopt.solver.objective import stages
    from layoutopt.solver.run import cp_solver

    variant = load_design(design).variants()[0]
    built = build_model(variant, 10)
    built.model.minimize(stages(variant, built.v)[0].expr)
    solver = cp_solver(workers=1, seed=7, deadline=Deadline.after(wall_s))
    solver.solve(built.model)
    return solver.deterministic_time / max(1e-9, solver.wall_time)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", nargs="+", default=list(DEFAULT_DESIGNS))
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rate-s", type=float, default=15.0, help="wall s per rate probe")
    parser.add_argument("--solve-args", default="", help="more options for layoutopt solve")
    args = parser.parse_args(argv)
    print(f"load {os.getloadavg()[0]:.1f}, budget {args.time_limit:g} s of work, seed 7")
    print(
        "| design | det s per wall s | wall (s) | CPU (s) | wall / budget | exit | status "
        "| same bytes |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name in args.designs:
        design = ROOT / name
        rate = _det_rate(design, args.rate_s)
        with tempfile.TemporaryDirectory() as folder:
            extra = args.solve_args.split()
            runs = [
                _solve_once(design, Path(folder) / f"run{k}", args.time_limit, extra)
                for k in range(args.repeat)
            ]
        same = "-" if len(runs) == 1 else str(len({r["bytes"] for r in runs}) == 1).lower()
        walls = "/".join(f"{r['wall_s']:.1f}" for r in runs)
        cpus = "/".join(f"{r['cpu_s']:.1f}" for r in runs)
        factor = max(r["wall_s"] for r in runs) / args.time_limit
        first = runs[0]
        print(
            f"| {Path(name).stem} | {rate:.3f} | {walls} | {cpus} | {factor:.2f} | "
            f"{first['exit']} | {first['status']} | {same} |"
        )
    print(f"load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
