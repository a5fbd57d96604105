"""Floorplanning benchmark: the packing engine against a plain CP-SAT model.

For each Bookshelf instance it reports

- min-area (free outline): dead space = 1 - block area / bounding-box area;
- fixed square outlines with 10 % and 15 % whitespace (side = sqrt((1 + ws) * block area),
  rounded down): success and the time to the first legal packing;
- optionally the HPWL of the min-area packing (block centres and pads);

each next to the plain CP-SAT model (NoOverlap2D with rotation, no hint, no symmetry
breaking) on the same instance and time limit.

Usage::

    python benchmarks/bench_floorplan.py --time-limit 60 --instances ami33 n100
    python benchmarks/bench_floorplan.py --time-limit 10 --no-baseline
    python benchmarks/bench_floorplan.py --instances random-40-1 random-80-2  # unseen

An instance named ``random-N-S`` is generated: N blocks from seed S (see ``_generated``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

from layoutopt.bookshelf import bookshelf_to_pack_problem
from layoutopt.engine import cpsat_pack, hpwl_um, pack, packing_violations
from layoutopt.engine.problem import Block, PackProblem

INSTANCES = ("apte", "xerox", "hp", "ami33", "n10", "n30", "n50", "n100")


def _default_dir() -> Path:
    env = os.environ.get("LAYOUTOPT_BENCH_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"


def _generated(name: str, whitespace: float | None) -> PackProblem:
    """``random-N-S``: N blocks of seed S, never seen while the engine was written.

    Sides are log-uniform over 50-2000 µm (aspect ratios up to about 1:6), like a mix of
    dies and passives; the outline convention is the Bookshelf one.
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
    if whitespace is None:
        return PackProblem(blocks)
    side = math.isqrt(int((1 + whitespace) * sum(b.area_um2 for b in blocks)))
    return PackProblem(blocks, outline_um=(side, side))


def _load(folder: Path, name: str, whitespace: float | None) -> PackProblem:
    if name.startswith("random-"):
        return _generated(name, whitespace)
    stem = folder / name
    return bookshelf_to_pack_problem(
        stem.with_suffix(".blocks"),
        stem.with_suffix(".nets"),
        stem.with_suffix(".pl"),
        whitespace=whitespace,
    )


def _engine(problem: PackProblem, args: argparse.Namespace) -> dict[str, object]:
    # Without nets pack() returns at the first legal fixed-outline packing, so the wall time
    # is the time to legal there; for min-area it uses the whole budget.
    start = time.perf_counter()
    result = pack(problem, time_limit_s=args.time_limit, seed=args.seed, workers=args.workers)
    wall = time.perf_counter() - start
    out: dict[str, object] = {"status": result.status.value, "time_s": round(wall, 2)}
    if result.packing is not None:
        bad = packing_violations(problem, result.packing)
        if bad:
            raise SystemExit(f"illegal packing from the engine: {bad[:3]}")
        out["dead_space"] = result.dead_space
        out["hpwl_um"] = hpwl_um(problem, result.packing)
    return out


def _baseline(problem: PackProblem, args: argparse.Namespace) -> dict[str, object]:
    start = time.perf_counter()
    result = cpsat_pack(
        problem,
        time_limit_s=args.time_limit,
        seed=args.seed,
        workers=args.workers,
        symmetry_breaking=False,
    )
    wall = time.perf_counter() - start
    out: dict[str, object] = {"status": result.status.value, "time_s": round(wall, 2)}
    if result.packing is not None:
        bad = packing_violations(problem, result.packing)
        if bad:
            raise SystemExit(f"illegal packing from the baseline: {bad[:3]}")
        out["dead_space"] = 1 - problem.block_area_um2 / result.packing.area_um2
        out["hpwl_um"] = hpwl_um(problem, result.packing)
    return out


def _fmt_dead(row: dict[str, object]) -> str:
    value = row.get("dead_space")
    return "-" if value is None else f"{100 * float(value):.2f}%"  # type: ignore[arg-type]


def _fmt_fixed(row: dict[str, object]) -> str:
    if row.get("dead_space") is None:
        return f"no ({row['status']}, {row['time_s']} s)"
    return f"yes {row['time_s']} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--instances", nargs="*", default=list(INSTANCES))
    parser.add_argument("--bench-dir", type=Path, default=_default_dir())
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain CP-SAT model")
    parser.add_argument(
        "--modes",
        nargs="*",
        default=["min-area", "ws10", "ws15"],
        choices=["min-area", "ws10", "ws15"],
    )
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args(argv)

    whitespace = {"min-area": None, "ws10": 0.10, "ws15": 0.15}
    rows = []
    for name in args.instances:
        record: dict[str, object] = {"instance": name}
        for mode in args.modes:
            problem = _load(args.bench_dir, name, whitespace[mode])
            record["blocks"] = len(problem.blocks)
            record[f"{mode}/engine"] = _engine(problem, args)
            if not args.no_baseline:
                record[f"{mode}/cpsat"] = _baseline(problem, args)
            print(
                f"# {name} {mode}: "
                + json.dumps({k: v for k, v in record.items() if k.startswith(mode)}),
                file=sys.stderr,
                flush=True,
            )
        rows.append(record)

    header = ["instance", "blocks"]
    for mode in args.modes:
        header.append(f"{mode} engine")
        if not args.no_baseline:
            header.append(f"{mode} plain CP-SAT")
    if "min-area" in args.modes:
        header.append("HPWL engine (um)")
    print(f"time limit {args.time_limit:g} s, workers {args.workers}, seed {args.seed}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for record in rows:
        cells = [str(record["instance"]), str(record["blocks"])]
        for mode in args.modes:
            fmt = _fmt_dead if mode == "min-area" else _fmt_fixed
            engine = record[f"{mode}/engine"]
            cells.append(
                fmt(engine)  # type: ignore[arg-type]
                + (f" ({engine['time_s']} s)" if mode == "min-area" else "")
            )  # type: ignore[index]
            if not args.no_baseline:
                cells.append(fmt(record[f"{mode}/cpsat"]))  # type: ignore[arg-type]
        if "min-area" in args.modes:
            wl = record["min-area/engine"].get("hpwl_um")  # type: ignore[union-attr]
            cells.append("-" if wl is None else f"{wl:.0f}")
        print("| " + " | ".join(cells) + " |")
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
