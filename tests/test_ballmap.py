"""The ball-out: counts from interfaces, the site formula against published packages, the
map's construction, and its file form."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from layout_builders import ballout_example, make_design, make_die, make_rules

from layoutopt.ballmap import (
    ball_name,
    ball_requirements,
    pattern_sites,
    place_balls,
    signal_counts,
    sites_along,
)
from layoutopt.design_file import load_design
from layoutopt.layout_io import layout_from_data, layout_to_data
from layoutopt.model import BallArray, BallRole, BallSpec, Corner, Placement, Rect


def test_site_formula_gives_the_legacy_lpddr2_pop_ball_counts() -> None:
    # domain_data.md §1.3: Micron WFBGA-216 and WFBGA-168, both 12 x 12 mm PoP memory;
    # two perimeter rows with §10.3's 0.25 mm clearance and §1.5's balls give their counts.
    n216 = sites_along(12000, 400, 250, 250)
    n168 = sites_along(12000, 500, 300, 250)
    assert pattern_sites(n216, n216, 2) == 216
    assert pattern_sites(n168, n168, 2) == 168


def test_site_formula_at_the_edges_of_the_room() -> None:
    # room = L - 2c - d: exactly k pitches gives k + 1 sites, one micrometre less gives k
    assert sites_along(250 + 250 + 200 + 3 * 350, 350, 200, 250) == 4
    assert sites_along(250 + 250 + 200 + 3 * 350 - 1, 350, 200, 250) == 3
    assert sites_along(699, 350, 200, 250) == 0


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(1, 30),
    st.integers(0, 6),
    st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=5),
)
def test_counts_agree_with_enumerating_the_sites(
    columns: int, rows: int, k: int, empty: list[tuple[int, int]]
) -> None:
    array = BallArray(BallRole.BOARD, 400, 250, 0, 0, columns, rows, k)
    sites = list(array.sites())
    assert len(sites) == array.site_count == pattern_sites(columns, rows, k)
    gone = tuple(sorted({s for s in empty if array.in_pattern(*s)}))
    holed = replace(array, depopulated=gone)
    assert holed.ball_count == len(list(holed.balls())) == len(sites) - len(gone)


def test_the_smart_glasses_interfaces_give_biwins_144_balls() -> None:
    design = load_design("designs/smart_glasses_epop.yaml")
    counts = {(c.interface, c.role): c.signals for c in signal_counts(design)}
    # LPDDR4X x32 (2 x 34) and the eMMC bus (12) reach the board; the controller's flash
    # channel to the NAND stays inside, its spare channel is not wired out.
    assert counts == {("lpddr4x_x16", BallRole.BOARD): 68, ("emmc_8bit", BallRole.BOARD): 12}
    derived = ball_requirements(replace(design, balls=BallSpec()))
    assert [r.count for r in derived] == [144]
    assert "80 signals" in derived[0].basis


def test_pop_memory_reaches_its_host_through_the_interface_ring() -> None:
    design = load_design("designs/phone_pop.yaml")
    board, ring = ball_requirements(design)
    assert (board.role, ring.role) == (BallRole.BOARD, BallRole.INTERFACE)
    # four LPDDR5X dies x 2 channels as two ranks on the AP's four x16 ports: x64
    assert ring.signals == 4 * 37
    assert ring.count == -(-148 * 29 // 10)  # x (1 + 1.9 power/ground)
    assert ring.perimeter_rows == 4 and ring.pitch_um == 400


def test_alternatives_keep_the_count_but_take_their_familys_geometry() -> None:
    design = load_design("designs/smart_glasses_epop.yaml")
    epop, sip, _ = design.variants()
    (own,) = ball_requirements(epop)
    (other,) = ball_requirements(sip)
    assert (own.count, own.pitch_um, own.perimeter_rows) == (144, 350, 2)
    assert (other.count, other.pitch_um, other.perimeter_rows) == (144, 400, 0)


def test_the_map_is_centred_and_empties_sites_near_bottom_parts() -> None:
    _, layout = ballout_example()
    assert layout.ball_map is not None
    (board,) = layout.ball_map.arrays
    assert (board.columns, board.rows, board.x0_um, board.y0_um) == (11, 11, 500, 500)
    # The 01005 under the substrate at (2000..2400, 2000..2200): 7 sites within 250 um.
    assert len(board.depopulated) == 7 and board.ball_count == 114


def test_an_odd_room_centres_the_map_by_flooring() -> None:
    design, layout = ballout_example()
    odd = place_balls(design, Rect(0, 0, 5001, 5000), layout.placements)
    assert odd is not None
    board = odd.arrays[0]
    # 5001 - 10 x 400 = 1001 to share: 500 west, 501 east of the outer centres
    assert board.x0_um == 500 and board.x0_um + 10 * 400 == 5001 - 501


def test_ball_keepouts_are_placed_about_the_package_centre() -> None:
    design, layout = ballout_example()
    design = replace(design, balls=replace(design.balls, keepouts=(Rect(-300, -300, 600, 600),)))
    ball_map = place_balls(design, layout.package, ())
    assert ball_map is not None
    # centre 2500: the 600 um void with 250 um clearance and 125 um ball radius empties the
    # 3 x 3 sites at 2100..2900 (the next ones out, at 1700, are 500 um off the void)
    assert len(ball_map.arrays[0].depopulated) == 9


def test_interface_ring_clears_the_bottom_mold() -> None:
    rules = make_rules(
        "pop",
        ball_pitch_um=400,
        ball_diameter_um=250,
        ball_edge_clearance_um=250,
        pop_ball_pitch_um=400,
        pop_ball_diameter_um=250,
        pop_ball_rows=2,
        pop_mold_margin_um=300,
    )
    soc = make_die("SOC", "logic", 6000, 6000, 100, "flip_chip")
    design = replace(
        make_design("pop", (soc,), rules), balls=BallSpec(count=10, interface_count=10)
    )
    placed = (Placement("SOC", 3000, 3000, 6000, 6000, 0, 0, 100, stack=0, tier=0),)
    ball_map = place_balls(design, Rect(0, 0, 12000, 12000), placed)
    assert ball_map is not None
    ring = ball_map.array(BallRole.INTERFACE)
    assert ring is not None and ring.perimeter_rows == 2
    # mold 2700..9300; a reach of 375 um empties ring sites whose centres are nearer
    for c, r in ring.balls():
        x, y = ring.centre_um(c, r)
        assert not (2700 - 375 < x < 9300 + 375 and 2700 - 375 < y < 9300 + 375)


def test_ball_names_follow_jedec_from_the_a1_corner() -> None:
    a = BallArray(BallRole.BOARD, 400, 250, 0, 0, 25, 22)
    assert ball_name(a, 0, 21, Corner.NORTH_WEST) == "A1"
    assert ball_name(a, 24, 0, Corner.NORTH_WEST) == "AB25"  # 22 rows: A..Y skip 6, then AA, AB
    assert ball_name(a, 24, 0, Corner.SOUTH_EAST) == "A1"
    assert ball_name(a, 0, 0, Corner.SOUTH_WEST) == "A1"


def test_the_map_survives_the_layout_file() -> None:
    design, layout = ballout_example()
    assert layout_from_data(layout_to_data(design, layout)) == layout
