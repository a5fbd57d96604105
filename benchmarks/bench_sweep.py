"""Sweep throughput and overheads.

Run: ``python benchmarks/bench_sweep.py [--real]`` (``--real`` also times the real solver on
the shipped glasses space; without it only the fake solver, which isolates sweep overhead).

Prints: points/minute on 1 and 2 local workers (fake solve with a fixed per-point delay, so
the speed-up measures the runner, not the solver), store overhead per point (layout file
with fsync + one SQLite transaction), Dask overhead per point, warm-start effect with the
real solver, and Pareto-front time up to 100,000 points.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# The fake solver lives with the tests (test doubles stay out of the installed package).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sweep_fakes import fake_load_design, fake_solve

from layoutopt.solver.result import SolveOptions
from layoutopt.sweep.analysis import pareto_mask
from layoutopt.sweep.runner import run_sweep
from layoutopt.sweep.store import PointRow, ResultStore

SPACE = """
name: bench
base:
  name: epop_like
  process: epop
  dies: [{part: lpddr4x_16gb, count: 1}, {part: nand_512gb, count: 1}, {part: ctrl, count: 1}]
  envelope: {outline: {width: "10 mm", length: "12 mm"}, max_thickness: "0.6 mm"}
axes:
  - path: envelope.max_thickness
    range: {start: "0.40 mm", stop: "0.80 mm", step: "0.05 mm"}
  - path: dies[0].part
    values: [a, b, c, d]
  - path: dies[1].count
    values: [1, 2]
"""
FAKE = {"solve_fn": fake_solve, "load_fn": fake_load_design}


def bench_workers(tmp: Path, delay_s: float) -> None:
    """Points per minute inline and on 2 worker processes; the first pool of a process
    also starts the fork server (a fresh interpreter importing the runner once), so the
    2-worker sweep runs twice: cold (with that start) and warm."""
    space = tmp / "space.yaml"
    space.write_text(SPACE)
    os.environ["LAYOUTOPT_SWEEP_FAKE_DELAY_S"] = str(delay_s)  # before the fork server starts
    rates = {}
    for label, workers in (("1 worker", 1), ("2 workers, cold", 2), ("2 workers, warm", 2)):
        out = tmp / label.replace(" ", "_").replace(",", "")
        summary = run_sweep(space, out, workers=workers, warm_start=False, **FAKE)
        rates[label] = summary.solved / summary.elapsed_s * 60
        print(
            f"  {label}: {summary.solved} points in {summary.elapsed_s:.2f} s "
            f"= {rates[label]:.0f} points/min (fake solve {delay_s * 1000:.0f} ms/point)"
        )
    one = rates["1 worker"]
    print(
        f"  speed-up 1 -> 2 workers: {rates['2 workers, warm'] / one:.2f}x warm, "
        f"{rates['2 workers, cold'] / one:.2f}x with the pool's start"
    )
    os.environ.pop("LAYOUTOPT_SWEEP_FAKE_DELAY_S")


def bench_store(tmp: Path, n: int = 200) -> None:
    layout_text = "{" + '"x": 1,' * 2000 + '"y": 2}\n'  # ~14 kB, a typical layout.json
    with ResultStore(tmp / "store") as store:
        start = time.perf_counter()
        for i in range(n):
            key = f"{i:064x}"
            row = PointRow(
                key=key,
                point_index=i,
                axis_values="{}",
                status="optimal",
                layout_path=store.layout_path_for(key),
            )
            store.record(row, layout_text)
        per_point_ms = (time.perf_counter() - start) / n * 1000
    print(
        f"  store: {per_point_ms:.2f} ms per point (atomic layout.json with fsync + 1 transaction)"
    )


def bench_dask(tmp: Path) -> None:
    import distributed

    space = tmp / "space.yaml"
    space.write_text(SPACE)
    local = run_sweep(space, tmp / "dl", workers=1, warm_start=False, **FAKE)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask = run_sweep(space, tmp / "dd", scheduler=client, warm_start=False, **FAKE)
    per_point_ms = (dask.elapsed_s - local.elapsed_s) / dask.solved * 1000
    print(
        f"  dask (2 processes): {dask.elapsed_s:.2f} s vs inline {local.elapsed_s:.2f} s "
        f"for {dask.solved} points: overhead {per_point_ms:.1f} ms per point"
    )


def bench_pareto() -> None:
    rng = np.random.default_rng(0)
    for n in (1_000, 10_000, 100_000):
        for k in (2, 3):
            costs = rng.random((n, k))
            start = time.perf_counter()
            front = pareto_mask(costs)
            ms = (time.perf_counter() - start) * 1000
            print(f"  pareto n={n:>7,} k={k}: {ms:8.1f} ms, front {int(front.sum())} points")
    # Worst case for the k>2 path: every point on the front (anti-correlated objectives).
    n = 5_000
    x = rng.random(n)
    costs = np.c_[x, 1 - x, rng.random(n)]
    start = time.perf_counter()
    front = pareto_mask(costs)
    print(
        f"  pareto n={n:,} k=3 all-front worst case: {(time.perf_counter() - start) * 1000:.1f} ms,"
        f" front {int(front.sum())}"
    )


def bench_real_warm_start(tmp: Path) -> None:
    space = Path(__file__).resolve().parents[1] / "designs" / "spaces" / "hbm_underfill.yaml"
    options = SolveOptions(workers=1, time_limit_s=5.0, thermal=False)
    for warm in (False, True):
        summary = run_sweep(space, tmp / f"real{warm}", workers=2, options=options, warm_start=warm)
        print(
            f"  real solver, hbm_underfill, warm_start={warm}: {summary.elapsed_s:.1f} s for "
            f"{summary.solved} points ({summary.hinted} hinted) {summary.statuses}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--real", action="store_true")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        print("local workers:")
        bench_workers(tmp, delay_s=0.05)
        print("store:")
        bench_store(tmp)
        print("dask:")
        bench_dask(tmp)
        print("pareto:")
        bench_pareto()
        if args.real:
            print("warm starts:")
            bench_real_warm_start(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
