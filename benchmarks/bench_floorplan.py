"""Floorplanning benchmark: the packing engine against plain CP-SAT, rectpack and ParquetFP.

For each instance and mode it runs every solver over the seeds and prints min / median / max:

- ``min-area`` (free outline): dead space = 1 - block area / bounding-box area;
- ``wsW`` and ``wsW-arR`` (fixed outline): an outline of ``(1 + W %)`` times the block
  area with width : height = R : 1 (square without ``-arR``): how many seeds fit it, and
  the time to the first legal packing.

Solvers: the engine (``pack``); the plain CP-SAT model (``NoOverlap2D`` with rotation, no
hint, no symmetry breaking); with ``--peer rectpack`` the rectpack library (a
benchmark-only extra: ``pip install -e .[bench]``); with ``--peer parquet PATH`` a
ParquetFP binary built by the user (see ``benchmarks/README.md``), run over and over with
new seeds until the time limit, keeping the best. Every packing of every solver passes
the engine's independent checker, or the benchmark stops.

Usage::

    python benchmarks/bench_floorplan.py --time-limit 60 --seeds 0 1 2 --instances ami33
    python benchmarks/bench_floorplan.py --modes ws5 ws5-ar2 ws5-ar3 --peer rectpack \\
        --peer parquet ~/parquetfp/parquetfp
    python benchmarks/bench_floorplan.py --instances random-40-1 random-1000-2  # unseen

An instance named ``random-N-S`` is generated: N blocks from seed S (see ``_generated``).
``--json FILE`` keeps every run in FILE (written atomically after each one); rerunning with
the same file skips the runs already there, so a long table can be resumed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from layoutopt.bookshelf import bookshelf_to_pack_problem
from layoutopt.engine import cpsat_pack, pack, packing_violations
from layoutopt.engine.btree import compile_kernels
from layoutopt.engine.problem import Block, Packing, PackProblem, PackStatus, PlacedBlock

INSTANCES = ("apte", "xerox", "hp", "ami33", "ami49", "n10", "n30", "n50", "n100", "n200", "n300")
_MODE = re.compile(r"^(min-area|ws(\d+(?:\.\d+)?)(?:-ar(\d+(?:\.\d+)?))?)$")

Run = dict[str, object]


def _default_dir() -> Path:
    env = os.environ.get("LAYOUTOPT_BENCH_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"


def _generated(name: str) -> PackProblem:
    """``random-N-S``: N blocks of seed S, never seen while the engine was written.

    Sides are log-uniform over 50-2000 µm (aspect ratios up to about 1:6), like a mix of
    dies and passives.
    """
    _, count, seed = name.split("-")
    rng = random.Random(int(seed))
    blocks = tuple(
        Block(
            f"R{i}",
            round(math.exp(rng.uniform(math.log(50), math.log(2000)))),
            round(math.exp(rng.uniform(math.log(50), math.log(2000)))),
        )
        for i in range(int(count))
    )
    return PackProblem(blocks)


def outline_for(area_um2: int, mode: str) -> tuple[int, int] | None:
    """The fixed outline of ``mode`` (rounded down), or None for ``min-area``.

    >>> outline_for(10_000, "ws21")
    (110, 110)
    >>> outline_for(10_000, "ws5-ar2")
    (144, 72)
    """
    match = _MODE.match(mode)
    if match is None:
        raise ValueError(f"unknown mode {mode!r}: use min-area, ws5, ws10-ar2, ...")
    if match.group(2) is None:
        return None
    room = (1 + float(match.group(2)) / 100) * area_um2
    aspect = float(match.group(3) or 1)
    height = math.sqrt(room / aspect)
    return (int(aspect * height), int(height))


def load(folder: Path, name: str, mode: str) -> PackProblem:
    if name.startswith("random-"):
        problem = _generated(name)
    else:
        stem = folder / name
        problem = bookshelf_to_pack_problem(
            stem.with_suffix(".blocks"), stem.with_suffix(".nets"), stem.with_suffix(".pl")
        )
    return replace(problem, outline_um=outline_for(problem.block_area_um2, mode))


def _measured(problem: PackProblem, packing: Packing | None, solver: str, wall_s: float) -> Run:
    out: Run = {"time_s": round(wall_s, 3), "fits": packing is not None}
    if packing is not None:
        bad = packing_violations(problem, packing)
        if bad:
            raise SystemExit(f"illegal packing from {solver}: {bad[:3]}")
        out["dead_space"] = 1 - problem.block_area_um2 / packing.area_um2
    return out


def run_engine(problem: PackProblem, seed: int, args: argparse.Namespace) -> Run:
    # Without nets pack() returns at the first legal fixed-outline packing, so its wall
    # time is the time to legal there; for min-area it uses the whole budget.
    start = time.perf_counter()
    result = pack(problem, time_limit_s=args.time_limit, seed=seed, workers=args.workers)
    run = _measured(problem, result.packing, "the engine", time.perf_counter() - start)
    run["sources"] = sorted({source for _, _, source in result.history})
    if result.status is PackStatus.INFEASIBLE:
        run["proven_infeasible"] = True
    return run


def run_cpsat(problem: PackProblem, seed: int, args: argparse.Namespace) -> Run:
    start = time.perf_counter()
    result = cpsat_pack(
        problem,
        time_limit_s=args.time_limit,
        seed=seed,
        workers=args.workers,
        symmetry_breaking=False,
    )
    return _measured(problem, result.packing, "plain CP-SAT", time.perf_counter() - start)


def _rectpack_once(problem: PackProblem, bin_um: tuple[int, int], algo, sort) -> Packing | None:
    import rectpack

    packer = rectpack.newPacker(pack_algo=algo, sort_algo=sort, rotation=True)
    for i, b in enumerate(problem.blocks):
        packer.add_rect(b.width_um, b.length_um, i)
    packer.add_bin(*bin_um)
    packer.pack()
    placed = packer.rect_list()
    if len(placed) != len(problem.blocks):
        return None
    positions: list[PlacedBlock | None] = [None] * len(problem.blocks)
    for _, x, y, w, h, i in placed:
        b = problem.blocks[i]
        positions[i] = PlacedBlock(b.id, x, y, rotated=(w, h) != (b.width_um, b.length_um))
    width = max(x + w for _, x, _, w, _, _ in placed)
    length = max(y + h for _, _, y, _, h, _ in placed)
    return Packing(tuple(positions), width, length)  # type: ignore[arg-type]


def run_rectpack(problem: PackProblem, seed: int, args: argparse.Namespace) -> Run:
    """rectpack as a Python user would drive it: every algorithm and block order, the first
    that fits the outline; for min-area each one over strip widths from the widest block
    to twice the square side, keeping the smallest area, until the time limit."""
    import rectpack

    if problem.spacing_um or any(any(b.halo_um) for b in problem.blocks):
        raise SystemExit("the rectpack peer packs plain blocks only (no halo, no spacing)")
    algos = (
        rectpack.MaxRectsBssf,
        rectpack.MaxRectsBaf,
        rectpack.MaxRectsBlsf,
        rectpack.SkylineBlWm,
        rectpack.SkylineMwfWm,
        rectpack.GuillotineBssfSas,
    )
    sorts = (
        rectpack.SORT_AREA,
        rectpack.SORT_PERI,
        rectpack.SORT_LSIDE,
        rectpack.SORT_SSIDE,
        rectpack.SORT_DIFF,
        rectpack.SORT_RATIO,
    )
    start = time.perf_counter()
    best: Packing | None = None
    if problem.outline_um is not None:
        for algo in algos:
            for sort in sorts:
                best = _rectpack_once(problem, problem.outline_um, algo, sort)
                if best is not None or time.perf_counter() - start > args.time_limit:
                    return _measured(problem, best, "rectpack", time.perf_counter() - start)
        return _measured(problem, None, "rectpack", time.perf_counter() - start)
    widest = max(min(b.width_um, b.length_um) for b in problem.blocks)
    side = math.isqrt(problem.block_area_um2)
    tall = sum(max(b.width_um, b.length_um) for b in problem.blocks)
    widths = sorted({max(widest, int(side * (0.7 + 1.3 * k / 24))) for k in range(25)})
    for width in widths:
        for algo in algos:
            for sort in sorts:
                got = _rectpack_once(problem, (width, tall), algo, sort)
                if got is not None and (best is None or got.area_um2 < best.area_um2):
                    best = got
                if time.perf_counter() - start > args.time_limit:
                    return _measured(problem, best, "rectpack", time.perf_counter() - start)
    return _measured(problem, best, "rectpack", time.perf_counter() - start)


def _read_parquet_pl(problem: PackProblem, path: Path) -> Packing:
    """ParquetFP's saved ``.pl``: ``name x y DIMS = (w, h) : orientation`` per block."""
    where = {}
    line_re = re.compile(r"^(\S+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+DIMS = \(([\d.]+), ([\d.]+)\)")
    for line in path.read_text().splitlines():
        m = line_re.match(line.strip())
        if m:
            where[m.group(1)] = tuple(round(float(v)) for v in m.groups()[1:])
    positions = []
    width = length = 0
    for b in problem.blocks:
        x, y, w, h = where[b.id]
        positions.append(PlacedBlock(b.id, x, y, rotated=(w, h) != (b.width_um, b.length_um)))
        width, length = max(width, x + w), max(length, y + h)
    return Packing(tuple(positions), width, length)


def run_parquet(problem: PackProblem, seed: int, args: argparse.Namespace, base: Path) -> Run:
    """ParquetFP one round at a time with new seeds until the time limit; the best packing
    (min-area) or the first that fits the outline (fixed outline), as ParquetFP checks
    it; the packing then goes through our checker too."""
    start = time.perf_counter()
    best: Packing | None = None
    rounds = 0
    with tempfile.TemporaryDirectory() as tmp:
        while time.perf_counter() - start < args.time_limit:
            out = Path(tmp) / f"r{rounds}"
            cmd = [str(args.parquet), "-f", str(base), "-s", str(seed * 10_000 + rounds + 1)]
            cmd += ["-n", "1", "-savePl", str(out)]
            if problem.outline_um is not None:
                cmd += ["-outline", f"0,0,{problem.outline_um[0]},{problem.outline_um[1]}"]
            left = args.time_limit - (time.perf_counter() - start)
            try:
                subprocess.run(
                    cmd, cwd=tmp, capture_output=True, timeout=max(0.1, left), check=True
                )
            except subprocess.TimeoutExpired:
                break
            rounds += 1
            if not out.with_suffix(".pl").exists():
                continue  # it saves nothing when the round missed the outline
            got = _read_parquet_pl(problem, out.with_suffix(".pl"))
            if problem.outline_um is not None:
                ow, oh = problem.outline_um
                if got.width_um <= ow and got.length_um <= oh:
                    best = got
                    break
            elif best is None or got.area_um2 < best.area_um2:
                best = got
    run = _measured(problem, best, "ParquetFP", time.perf_counter() - start)
    run["rounds"] = rounds
    return run


def _key(name: str, mode: str, solver: str, seed: int, args: argparse.Namespace) -> str:
    return f"{name}|{mode}|{solver}|{seed}|{args.time_limit:g}|{args.workers}"


def _save(path: Path, runs: dict[str, Run]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(runs, indent=1, sort_keys=True))
    tmp.replace(path)


def _summary(values: list[float], fmt: Callable[[float], str]) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return fmt(values[0])
    return " / ".join(fmt(v) for v in (min(values), statistics.median(values), max(values)))


def _cell(mode: str, runs: list[Run]) -> str:
    if not runs:
        return ""
    if mode == "min-area":
        dead = [float(r["dead_space"]) for r in runs if r.get("fits")]  # type: ignore[arg-type]
        text = _summary(dead, lambda v: f"{100 * v:.2f}%")
        return text + ("" if len(dead) == len(runs) else f" ({len(runs) - len(dead)} none)")
    fits = [r for r in runs if r.get("fits")]
    text = f"{len(fits)}/{len(runs)}"
    if fits:
        text += " in " + _summary([float(r["time_s"]) for r in fits], lambda v: f"{v:.2f}")  # type: ignore[arg-type]
        text += " s"
    proven = [r for r in runs if r.get("proven_infeasible")]
    if proven:
        text += f" (proven infeasible in {len(proven)})"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--instances", nargs="*", default=list(INSTANCES))
    parser.add_argument("--bench-dir", type=Path, default=_default_dir())
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument(
        "--baseline-seeds", type=int, nargs="*", default=[0], help="seeds of plain CP-SAT"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain CP-SAT model")
    parser.add_argument("--modes", nargs="*", default=["min-area", "ws5", "ws5-ar2", "ws5-ar3"])
    parser.add_argument(
        "--peer",
        nargs="+",
        action="append",
        default=[],
        metavar=("NAME", "PATH"),
        help="rectpack, or parquet PATH-TO-BINARY",
    )
    parser.add_argument("--json", type=Path, help="keep every run here; reruns resume")
    args = parser.parse_args(argv)
    for mode in args.modes:
        outline_for(1, mode)  # fail early on a bad mode
    args.parquet = None
    peers = []
    for peer in args.peer:
        if peer[0] == "parquet" and len(peer) == 2:
            args.parquet = Path(peer[1]).expanduser().resolve()
            peers.append("ParquetFP")
        elif peer == ["rectpack"]:
            peers.append("rectpack")
        else:
            parser.error(f"--peer {' '.join(peer)}: use 'rectpack' or 'parquet PATH'")
    solvers = ["engine"] + ([] if args.no_baseline else ["plain CP-SAT"]) + peers
    # The engine's compiled kernels load once per process (about 0.6 s from numba's cache,
    # 10-20 s the first time after an install): not part of any one run's time.
    compile_kernels()
    runs: dict[str, Run] = {}
    if args.json is not None and args.json.exists():
        runs = json.loads(args.json.read_text())
    table: dict[tuple[str, str, str], list[Run]] = {}
    sizes = {}
    for name in args.instances:
        for mode in args.modes:
            problem = load(args.bench_dir, name, mode)
            sizes[name] = len(problem.blocks)
            for solver in solvers:
                seeds = args.seeds
                if solver == "plain CP-SAT":
                    seeds = args.baseline_seeds
                elif solver == "rectpack":
                    seeds = [0]  # deterministic
                elif solver == "ParquetFP" and name.startswith("random-"):
                    seeds = []  # it reads Bookshelf files only
                for seed in seeds:
                    key = _key(name, mode, solver, seed, args)
                    if key not in runs:
                        if solver == "engine":
                            run = run_engine(problem, seed, args)
                        elif solver == "plain CP-SAT":
                            run = run_cpsat(problem, seed, args)
                        elif solver == "rectpack":
                            run = run_rectpack(problem, seed, args)
                        else:
                            run = run_parquet(problem, seed, args, args.bench_dir / name)
                        run["load"] = round(os.getloadavg()[0], 2)
                        runs[key] = run
                        print(f"# {key}: {json.dumps(run)}", file=sys.stderr, flush=True)
                        if args.json is not None:
                            _save(args.json, runs)
                    table.setdefault((name, mode, solver), []).append(runs[key])

    loads = [float(r["load"]) for rs in table.values() for r in rs if "load" in r]  # type: ignore[arg-type]
    print(
        f"time limit {args.time_limit:g} s, workers {args.workers}, seeds {args.seeds}; "
        f"min / median / max over seeds; load average {min(loads):.1f}-{max(loads):.1f} "
        f"on {os.cpu_count()} cores"
    )
    header = ["instance", "blocks"] + [f"{m} {s}" for m in args.modes for s in solvers]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in args.instances:
        cells = [name, str(sizes[name])]
        for mode in args.modes:
            cells += [_cell(mode, table.get((name, mode, s), [])) for s in solvers]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
