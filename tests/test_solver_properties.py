"""Properties of the solver, checked by the independent validator and by invariances."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box
from solver_fixtures import EPOP_RULES, epop_design, wb_die

from layoutopt.model import Design, DieKind, Edge, Envelope
from layoutopt.solver import SolveOptions, SolveStatus, solve
from layoutopt.validate import validate

FAST = SolveOptions(time_limit_s=10, workers=1, seed=0, thermal=False)

die_strategy = st.builds(
    lambda kind, w, length, pads, t: (kind, w * 100, length * 100, pads, t),
    st.sampled_from([DieKind.DRAM, DieKind.NAND, DieKind.CONTROLLER]),
    st.integers(15, 70),
    st.integers(15, 70),
    st.sets(st.sampled_from(list(Edge)), max_size=2),
    st.sampled_from([30, 40, 80]),
)


@st.composite
def designs(draw) -> Design:  # type: ignore[no-untyped-def]
    specs = draw(st.lists(die_strategy, min_size=1, max_size=4))
    dies = tuple(
        wb_die(f"D{k}", kind, w, length, t=t, pads=tuple(sorted(pads)))
        for k, (kind, w, length, pads, t) in enumerate(specs)
    )
    width = draw(st.integers(60, 140)) * 100
    length = draw(st.integers(60, 140)) * 100
    thickness = draw(st.sampled_from([500, 600, 800]))
    return Design("gen", dies, EPOP_RULES, Envelope(box(0, 0, width, length), thickness))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs())
def test_every_answer_passes_the_validator(design: Design) -> None:
    result = solve(design, FAST)
    assert result.status is not SolveStatus.NO_SOLUTION
    if result.status.has_layout:
        assert result.layout is not None
        assert validate(design, result.layout) == ()
        assert result.layout.thickness_um <= design.envelope.max_thickness_um
    else:
        assert result.explanation, "an infeasible answer must say why"


def test_permuting_dies_leaves_the_optimum_unchanged() -> None:
    design = epop_design(n_nand=2)
    reordered = replace(design, dies=tuple(reversed(design.dies)))
    a, b = solve(design, FAST), solve(reordered, FAST)
    assert a.status is b.status is SolveStatus.OPTIMAL
    assert a.layout and b.layout
    assert a.layout.footprint_um2 == b.layout.footprint_um2
    assert a.layout.thickness_um == b.layout.thickness_um


def test_more_spacing_never_shrinks_the_optimum() -> None:
    dies = (wb_die("A", DieKind.NAND, 3000, 3000), wb_die("B", DieKind.DRAM, 2500, 4000))
    rules = replace(EPOP_RULES, max_dies_per_stack=1)
    areas = []
    for spacing in (100, 300, 600):
        design = Design(
            "sp",
            dies,
            replace(rules, die_spacing_um=spacing),
            Envelope(box(0, 0, 12000, 12000), 700),
        )
        result = solve(design, FAST)
        assert result.status is SolveStatus.OPTIMAL and result.layout
        areas.append(result.layout.footprint_um2)
    assert areas == sorted(areas)


def test_grid_answers_are_legal_in_exact_micrometres() -> None:
    # Die sizes that are not multiples of the grid: positions snap, sizes stay exact.
    dies = (wb_die("A", DieKind.NAND, 3333, 2777), wb_die("B", DieKind.NAND, 3333, 2777))
    design = Design(
        "g", dies, replace(EPOP_RULES, max_dies_per_stack=1), Envelope(box(0, 0, 12000, 12000), 700)
    )
    result = solve(design, replace(FAST, grid_um=50))
    assert result.layout is not None
    assert all(p.x_um % 50 == 0 and p.y_um % 50 == 0 for p in result.layout.placements)
    assert validate(design, result.layout) == ()


def test_fixed_seed_one_worker_is_deterministic() -> None:
    design = epop_design(n_nand=2)
    a, b = solve(design, FAST), solve(design, FAST)
    assert a.layout == b.layout


def test_thickness_limit_below_need_is_infeasible_with_numbers() -> None:
    # Each die fits alone, but the outline forces a stack that is too thick: CP-SAT core.
    design = epop_design(n_nand=2, max_thickness_um=520, outline_um=(8000, 9500))
    result = solve(design, FAST)
    assert result.status is SolveStatus.INFEASIBLE
    text = " ".join(result.explanation)
    assert "maximum thickness" in text
    assert "DAF 10 µm" in text and "> 0.52 mm max" in text


def test_a_die_too_thick_alone_is_caught_before_solving() -> None:
    design = epop_design(n_nand=1, max_thickness_um=450)
    result = solve(design, FAST)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.stats.get("stage") == "precheck"
    assert "die CTRL0 alone needs 0.475 mm" in result.explanation[0]
