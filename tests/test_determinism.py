"""Fixed seed + one worker = byte-identical outputs in any process, any PYTHONHASHSEED.

Sets of string enums (a die's pad edges) iterate in an order that depends on the hash
seed; if such an order reached the CP-SAT model, two processes would build different
models and may return different layouts. Two checks, on every shipped design:

- the model of every candidate family is the same protocol buffer in two processes;
- ``layoutopt solve --workers 1 --seed 7`` writes the same files, byte for byte (the
  design's own family, without the thermal loop). The limit binds on purpose: with one
  worker it is a work budget (CP-SAT's deterministic time, :func:`solve_budget`), so a
  search cut short by it is as reproducible as one that proved its optimum, whatever the
  load; at least one design must be cut short, or that would go untested. Drawings are
  left out here: they are pure functions of the layout, whose own determinism the render
  tests check on committed layouts.

About 30 s on an idle 2-core machine; longer under load (the budget counts work, so a
loaded machine takes longer, never gets another answer), hence the long timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = sorted((ROOT / "designs").glob("*.yaml"))
# 1 and 99 give different models with the pre-fix solver (checked), so this can fail.
SEEDS = ("1", "99")
MODEL_DIGESTS = """
import hashlib, sys
from layoutopt.design_file import load_design
from layoutopt.solver.build import build_model
for path in sys.argv[1:]:
    for variant in load_design(path).variants():
        proto = build_model(variant, 10).model.proto
        print(path, variant.rules.name, hashlib.sha256(str(proto).encode()).hexdigest())
"""
# The command line, once per (design, output folder) pair, in one process: the same code
# path as ``layoutopt solve``, without paying the interpreter's start-up per design.
SOLVE_ALL = """
import sys
from layoutopt.cli import app
options = ["--workers", "1", "--seed", "7", "--no-thermal", "--no-drawings", "--time-limit", "4"]
for design, out in zip(sys.argv[1::2], sys.argv[2::2], strict=True):
    try:
        app(["solve", design, "-o", out, *options])
    except SystemExit as done:
        if done.code != 0:
            raise
"""


def _env(hash_seed: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return {**env, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}


def _run_both(arguments: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """``python -c`` with each argument list under its hash seed, side by side."""
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    running = [
        subprocess.Popen([sys.executable, "-c", *args], cwd=ROOT, env=_env(seed), **pipes)  # type: ignore[call-overload]
        for args, seed in zip(arguments, SEEDS, strict=True)
    ]
    done = []
    for process, args in zip(running, arguments, strict=True):
        out, err = process.communicate(timeout=900)
        done.append(subprocess.CompletedProcess(args, process.returncode, out, err))
    for result in done:
        assert result.returncode == 0, result.stdout + result.stderr
    return done


@pytest.fixture(scope="module")
def digests() -> list[str]:
    paths = [str(p) for p in DESIGNS]
    return [r.stdout for r in _run_both([[MODEL_DIGESTS, *paths], [MODEL_DIGESTS, *paths]])]


def test_every_family_builds_the_same_model_under_any_hash_seed(digests: list[str]) -> None:
    first, second = digests
    assert len(first.splitlines()) > len(DESIGNS)  # every design, alternatives too
    assert first == second


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "timing.json"  # wall-clock times, kept apart on purpose
    }


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every shipped design (its own family) solved once under each hash seed."""
    root = tmp_path_factory.mktemp("determinism")
    arguments = []
    for seed in SEEDS:
        args = [SOLVE_ALL]
        for path in DESIGNS:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data.pop("alternatives", None)  # the design's own family: one solve each
            design = root / path.name
            design.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
            args += [str(design), str(root / seed / path.stem)]
        arguments.append(args)
    _run_both(arguments)
    return root


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("path", DESIGNS, ids=[p.stem for p in DESIGNS])
def test_solve_writes_the_same_bytes_under_any_hash_seed(solved: Path, path: Path) -> None:
    first, second = (_files(solved / seed / path.stem) for seed in SEEDS)
    assert "layout.json" in first
    solver = json.loads(first["layout.json"])["solver"]
    assert solver["stats"]["budget"] == "work", "one worker must count work, not seconds"
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_the_work_budget_binds_on_some_design(solved: Path) -> None:
    """Byte-identical answers from searches the limit cut short: the case a wall-clock
    limit cannot make reproducible."""
    statuses = {
        path.stem: json.loads((solved / SEEDS[0] / path.stem / "layout.json").read_text())[
            "solver"
        ]["status"]
        for path in DESIGNS
    }
    assert "feasible" in statuses.values(), statuses
