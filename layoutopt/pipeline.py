"""From a design to files: solve every candidate family, pick the best, write the outputs.

The CLI and notebooks call these; each step is a function over values, and only the
``write_*`` functions touch the disk.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from layoutopt.assess import Assessment, assess, metrics
from layoutopt.deadline import Deadline
from layoutopt.errors import DesignError
from layoutopt.files import safe_name
from layoutopt.layout_io import LayoutRecord, write_atomic, write_layout
from layoutopt.model import Design
from layoutopt.solver import SolveOptions, SolveResult, solve
from layoutopt.solver.objective import rank_key
from layoutopt.solver.run import solve_budget

__all__ = [
    "FamilyComparison",
    "best_of",
    "compare_families",
    "comparison_rows",
    "drawing_time_s",
    "family_dir_name",
    "write_solution",
    "writing_time_s",
]


@dataclass(frozen=True)
class FamilyComparison:
    """One solve per candidate family of a design, and the best of them."""

    design: Design
    variants: tuple[Design, ...]
    results: tuple[SolveResult, ...]

    @property
    def best_index(self) -> int | None:
        return best_of(self.variants, self.results)

    def rows(self) -> list[dict[str, object]]:
        return comparison_rows(self.variants, self.results)


def compare_families(
    design: Design, options: SolveOptions | None = None, *, deadline: Deadline | None = None
) -> FamilyComparison:
    """Solve the design once per candidate family (its own process and its alternatives).

    The families share one budget (``deadline``, default ``options.time_limit_s`` from now):
    each gets an equal share of what is left when its turn comes, so one that finishes
    early leaves its time to the next, and the whole comparison keeps to the limit. A
    family's limits checks, which cannot stop part-way, may use what the whole comparison
    has left (the next families then share less)."""
    options = options or SolveOptions()
    deadline = deadline or solve_budget(options.time_limit_s, options.workers)
    variants = design.variants()
    results = []
    for k, variant in enumerate(variants):
        share = deadline.share(1.0 / (len(variants) - k))
        results.append(solve(variant, options, deadline=share, checks_until=deadline))
    return FamilyComparison(design, variants, tuple(results))


def _score(design: Design, result: SolveResult) -> tuple[Fraction | float, ...]:
    """The objective the solver minimised (exact, comparable across families), then the
    peak junction temperature as the tie-break."""
    if result.layout is None:
        raise ValueError("only a result with a layout has a score")
    peak = result.thermal.peak_junction_c if result.thermal else 0.0
    return (*rank_key(design, result.layout), peak)


def best_of(variants: tuple[Design, ...], results: tuple[SolveResult, ...]) -> int | None:
    """Index of the best solved variant under the design's objective (None if none solved)."""
    scored = [
        (_score(d, r), k)
        for k, (d, r) in enumerate(zip(variants, results, strict=True))
        if r.status.has_layout
    ]
    return min(scored)[1] if scored else None


def comparison_rows(
    variants: tuple[Design, ...], results: tuple[SolveResult, ...]
) -> list[dict[str, object]]:
    best = best_of(variants, results)
    rows = []
    for k, (design, result) in enumerate(zip(variants, results, strict=True)):
        layout = result.layout
        rows.append(
            {
                "family": design.family.value,
                "process": design.rules.name,
                "status": result.status.value,
                "footprint_mm2": None if layout is None else round(layout.footprint_um2 / 1e6, 3),
                "package_mm": None
                if layout is None
                else f"{layout.package.width_um / 1000:g} x {layout.package.length_um / 1000:g}",
                "thickness_um": None if layout is None else layout.thickness_um,
                "peak_junction_c": None
                if result.thermal is None
                else round(result.thermal.peak_junction_c, 2),
                "skin_c": None
                if result.thermal is None or result.thermal.skin_c is None
                else round(result.thermal.skin_c, 2),
                **_assessment_columns(design, result),
                "time_s": round(result.time_s, 2),
                "best": k == best,
            }
        )
    return rows


def _assessment_columns(design: Design, result: SolveResult) -> dict[str, object]:
    """Warpage, yield and cost columns of a comparison row (None without a layout, or for a
    design made in code without the materials the checks read: a table must still show;
    ``write_solution`` reports that error)."""
    if result.layout is None:
        return {"warpage_um": None, "package_yield": None, "cost_usd": None}
    try:
        found = metrics(assess(design, result.layout, warpage=result.warpage))
    except DesignError:
        return {"warpage_um": None, "package_yield": None, "cost_usd": None}
    return {
        "warpage_um": round(found["warpage_um"], 1),
        "package_yield": round(found["package_yield"], 4),
        "cost_usd": round(found["cost_usd"], 2),
    }


def drawing_time_s(design: Design) -> float:
    """About how long the default drawings (top, section, sheet) of ``design`` take.

    Measured (``benchmarks/bench_time_limits.py``'s generated designs, 2 cores, load 3-11):
    100 dies 3.7-6.7 s, 300 dies 20 s, 1,000 dies 125 s; label placement grows faster than
    the die count. A command keeps its drawings inside ``--time-limit`` with this, or
    skips them and says so."""
    n = len(design.dies)
    return 0.5 + 0.03 * n + 4e-5 * n * n


def writing_time_s(design: Design) -> float:
    """About how long writing one solved family takes after its solve: the warpage report
    when the loop did not make it (``--no-warpage``), the cost report, layout.json.

    Measured (generated designs, 2 cores, load 4-5): 1,000 dies 1.4 s warpage, 0.4 s cost,
    1.2 s writing; 5,000 dies 4.2 s, 1.9 s and 6.1 s (under cProfile)."""
    return 0.2 + 1.6e-3 * len(design.dies)


def write_solution(
    outdir: str | os.PathLike[str],
    design: Design,
    result: SolveResult,
    *,
    drawings: bool = True,
    assessment: Assessment | None = None,
) -> list[Path]:
    """Write ``layout.json`` and the drawings of a solved design into ``outdir``.

    ``assessment``: the layout's warpage and cost when the caller has them already (the
    command line prints them too: the cost report took 0.5-0.65 s at 5,000 dies)."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    # Wall-clock times live apart from the results, which are byte-identical when the solve
    # is deterministic (one worker, fixed seed).
    timing = json.dumps(result.timing_data(), indent=2, sort_keys=True) + "\n"
    written = [write_atomic(out / "timing.json", timing)]
    if result.layout is not None:
        checks = assessment or assess(design, result.layout, warpage=result.warpage)
        record = LayoutRecord(
            design=design,
            layout=result.layout,
            thermal=result.thermal,
            solver=result.to_data(),
            warpage=checks.warpage,
            cost=checks.cost,
        )
        written.append(write_layout(out / "layout.json", record))
        if drawings:
            from layoutopt.render import write_views

            written.extend(
                write_views(
                    out,
                    design,
                    result.layout,
                    thermal=result.thermal,
                    solver=result.to_data(),
                    warpage=checks.warpage,
                )
            )
            if result.layout.ball_map is not None:  # the bottom view and the ball table
                written.extend(write_views(out, design, result.layout, ("bottom",)))
                written.extend(write_views(out, design, result.layout, ("balls",), ("csv",)))
    else:
        text = (
            json.dumps(
                {
                    "status": result.status.value,
                    "explanation": list(result.explanation),
                    "solver": result.to_data(),
                },
                indent=2,
                sort_keys=True,
            )
            + "\n"
        )
        written.append(write_atomic(out / "result.json", text))
    return written


def family_dir_name(design: Design) -> str:
    """The folder of a family's results under ``families/`` (a safe file name)."""
    return safe_name(design.rules.name or design.family.value)
