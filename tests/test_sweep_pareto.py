"""The Pareto front against a brute-force definition of domination."""

from __future__ import annotations

import numpy as np
import pandas as pd
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
