"""Differential tests: the validator's integer rectangle logic against shapely."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from layoutopt.model import Rect
from layoutopt.validate import inset_um

coords = st.integers(-60, 60)
sizes = st.integers(1, 50)
rects = st.builds(Rect, coords, coords, sizes, sizes)


def _poly(r: Rect):
    return box(r.x_um, r.y_um, r.x_max_um, r.y_max_um)


@settings(max_examples=150, deadline=None)
@given(a=rects, b=rects)
def test_interior_overlap_matches_shapely(a: Rect, b: Rect) -> None:
    pa, pb = _poly(a), _poly(b)
    interiors = pa.relate_pattern(pb, "T********")
    assert a.intersects(b) == interiors == (pa.intersection(pb).area > 0)
    # shapely's own intersects also counts touching: ours must be the stricter one.
    assert pa.intersects(pb) == (a.gap_um(b) <= 0)


@settings(max_examples=150, deadline=None)
@given(a=rects, b=rects)
def test_gap_matches_shapely_distance(a: Rect, b: Rect) -> None:
    gap = a.gap_um(b)
    distance = _poly(a).distance(_poly(b))
    dx = max(b.x_um - a.x_max_um, a.x_um - b.x_max_um)
    dy = max(b.y_um - a.y_max_um, a.y_um - b.y_max_um)
    assert math.isclose(distance, math.hypot(max(dx, 0), max(dy, 0)), abs_tol=1e-9)
    if gap <= 0:
        assert distance == 0
    else:
        # Chebyshev clearance: the larger axis gap, never more than the true distance.
        assert gap - 1e-9 <= distance <= gap * math.sqrt(2) + 1e-9
    assert gap == b.gap_um(a)


@settings(max_examples=150, deadline=None)
@given(outer=rects, inner=rects, margin=st.integers(0, 20))
def test_insets_match_shapely_containment(outer: Rect, inner: Rect, margin: int) -> None:
    insets = inset_um(outer, inner)
    covered = _poly(outer).covers(_poly(inner))
    assert (min(insets.values()) >= 0) == covered == outer.contains(inner)
    # "inside P shrunk by k on every side" (die_edge, finger_ring): shapely's mitred
    # negative buffer of a box is the shrunk box.
    shrunk = _poly(outer).buffer(-margin, join_style="mitre")
    expected = (not shrunk.is_empty) and shrunk.covers(_poly(inner))
    assert (min(insets.values()) >= margin) == expected


@settings(max_examples=100, deadline=None)
@given(outer=rects, inner=rects)
def test_insets_measure_how_far_inner_reaches_out(outer: Rect, inner: Rect) -> None:
    # The overhang/die-edge excess: the least k with outer grown by k covering inner.
    reach = max(0, -min(inset_um(outer, inner).values()))
    grown = _poly(outer).buffer(reach, join_style="mitre")
    assert grown.covers(_poly(inner))
    if reach > 0:
        assert not _poly(outer).buffer(reach - 1, join_style="mitre").covers(_poly(inner))


@settings(max_examples=150, deadline=None)
@given(st.lists(rects, min_size=0, max_size=25), st.integers(0, 40))
def test_the_spacing_sweep_visits_every_pair_that_can_break_the_rule(rs, reach_um) -> None:
    # The spacing rule checks only the pairs the x-sweep gives; every pair whose
    # Chebyshev clearance is below the widest spacing must be among them, in stack order.
    from layoutopt.validate import _near_pairs

    keeps = dict(enumerate(rs))
    order = list(keeps)
    pairs = _near_pairs(keeps, order, reach_um)
    close = [(a, b) for a in order for b in order[a + 1 :] if rs[a].gap_um(rs[b]) < reach_um]
    assert set(close) <= set(pairs)
    assert pairs == sorted(set(pairs))
