"""The Pareto front against a brute-force definition of domination."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from layoutopt.sweep.analysis import pareto_front, pareto_mask


def brute_force(costs: np.ndarray) -> np.ndarray:
    # dominates[j, i]: row j is no worse than row i everywhere and better somewhere.
    le = np.all(costs[:, None, :] <= costs[None, :, :], axis=2)
    lt = np.any(costs[:, None, :] < costs[None, :, :], axis=2)
    return ~np.any(le & lt, axis=0)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda k: arrays(
            np.int64,
            st.tuples(st.integers(0, 40), st.just(k)),
            elements=st.integers(0, 6),  # few values: many ties and duplicates
        )
    )
)
def test_front_equals_brute_force(costs: np.ndarray) -> None:
    assert pareto_mask(costs).tolist() == brute_force(costs).tolist()


def test_missing_objectives_are_never_on_the_front() -> None:
    df = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [5.0, 0.0, 1.0]}, index=[10, 11, 12])
    front = pareto_front(df, ["a", "b"])
    assert front.to_dict() == {10: True, 11: False, 12: True}


def test_large_random_front_matches_three_objective_path() -> None:
    rng = np.random.default_rng(0)
    costs = rng.random((5000, 2))
    # The 2-objective sweep and the general k-objective path agree (a constant 3rd column).
    with_third = np.c_[costs, np.zeros(len(costs))]
    assert (pareto_mask(costs) == pareto_mask(with_third)).all()


def test_space_names_its_objectives_and_senses():
    from layoutopt.errors import SpaceError
    from layoutopt.sweep.objectives import ParetoObjective, Sense
    from layoutopt.sweep.space import space_from_text

    text = """
name: s
base: {name: d, process: epop, envelope: {max_thickness: "0.6 mm"}}
axes: [{path: envelope.max_thickness, values: ["0.6 mm"]}]
"""
    assert [str(o) for o in space_from_text(text).pareto] == [
        "footprint_mm2 (minimised)",
        "thickness_um (minimised)",
    ]
    space = space_from_text(text + "pareto: {capacity_gb: max, cost_usd: min}\n")
    assert space.pareto == (
        ParetoObjective("capacity_gb", Sense.MAX),
        ParetoObjective("cost_usd", Sense.MIN),
    )
    with pytest.raises(SpaceError, match=r"unknown result column 'cost'.*cost_usd"):
        space_from_text(text + "pareto: {cost: min}\n")
    with pytest.raises(SpaceError, match="must be 'min' or 'max'"):
        space_from_text(text + "pareto: {cost_usd: lowest}\n")


def test_maximised_capacity_keeps_the_big_stack_on_the_front():
    # The HBM case of issue 16: footprint x thickness calls the 8-high stack best; capacity
    # (maximised) against cost (minimised) keeps the 16-high one too.
    from layoutopt.sweep.objectives import ParetoObjective, Sense

    df = pd.DataFrame(
        {
            "core_dies": [8, 12, 16],
            "capacity_gb": [24.0, 36.0, 48.0],
            "cost_usd": [60.0, 85.0, 120.0],
            "footprint_mm2": [110.0, 110.0, 110.0],
            "thickness_um": [500, 720, 775],
        }
    )
    assert pareto_front(df, ["footprint_mm2", "thickness_um"]).tolist() == [True, False, False]
    goals = [ParetoObjective("capacity_gb", Sense.MAX), ParetoObjective("cost_usd", Sense.MIN)]
    assert pareto_front(df, goals).tolist() == [True, True, True]
    dearer = df.assign(cost_usd=[60.0, 130.0, 120.0])  # 12-high costs more than 16-high
    assert pareto_front(dearer, goals).tolist() == [True, False, True]


def test_a_store_from_before_the_cost_columns_gains_them(tmp_path):
    import sqlite3

    from layoutopt.sweep.store import _COLUMNS, ResultStore

    old = _COLUMNS[: _COLUMNS.index("warpage_um")]
    with sqlite3.connect(tmp_path / "sweep.sqlite") as conn:
        conn.execute(f"CREATE TABLE points ({', '.join(old)})")
    conn.close()
    with ResultStore(tmp_path) as store:
        assert list(store.rows()) == []
    with sqlite3.connect(tmp_path / "sweep.sqlite") as conn:
        assert [r[1] for r in conn.execute("PRAGMA table_info(points)")] == _COLUMNS
    conn.close()
