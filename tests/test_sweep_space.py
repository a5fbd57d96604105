"""Space files: expansion, sampling, filters, and one clear error per kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from sweep_fakes import fake_load_design

from layoutopt.errors import SpaceError
from layoutopt.sweep.space import check_points, expand_points, load_space, space_from_text

BASE = """
  name: glasses
  process: epop
  dies: [{part: lpddr4x_16gb, count: 1}, {part: nand_512gb, count: 2}]
  envelope: {outline: {width: "10 mm", length: "12 mm"}, max_thickness: "0.6 mm"}
"""


def space(axes: str, extra: str = "") -> str:
    return f"name: s\nbase:\n{BASE}\naxes:\n{axes}\n{extra}"


def test_grid_order_values_and_design_dicts() -> None:
    sp = space_from_text(
        space(
            """
  - path: envelope.max_thickness
    range: {start: "0.5 mm", stop: "0.7 mm", step: "0.1 mm"}
  - path: dies[0].part
    values: [lpddr4x_16gb, lpddr5x_16gb]
"""
        )
    )
    points = expand_points(sp)
    assert [p.values["max_thickness"] for p in points] == ["0.5 mm"] * 2 + ["0.6 mm"] * 2 + [
        "0.7 mm"
    ] * 2
    assert points[3].design["dies"][0]["part"] == "lpddr5x_16gb"
    assert points[3].design["envelope"]["max_thickness"] == "0.6 mm"
    assert [p.index for p in points] == list(range(6))
    # The base design is not changed by expansion.
    assert sp.base["dies"][0]["part"] == "lpddr4x_16gb"


def test_choices_set_several_fields_at_once() -> None:
    sp = space_from_text(
        space(
            """
  - name: family
    choices:
      - {label: epop, set: {process: epop}}
      - {label: sip, set: {process: sip, envelope.max_thickness: "0.8 mm"}}
"""
        )
    )
    sip = expand_points(sp)[1]
    assert sip.values == {"family": "sip"}
    assert sip.design["process"] == "sip" and sip.design["envelope"]["max_thickness"] == "0.8 mm"


def test_filters_keep_if_and_exclude() -> None:
    sp = space_from_text(
        space(
            """
  - path: envelope.max_thickness
    values: ["0.5 mm", "600 um", "0.8 mm"]
  - path: process
    values: [epop, sip, foms]
""",
            """filters:
  keep_if: ["max_thickness >= 0.6 mm or process == foms"]
  exclude: [{process: sip, max_thickness: ["0.8 mm"]}]
""",
        )
    )
    got = {(p.values["max_thickness"], p.values["process"]) for p in expand_points(sp)}
    assert got == {
        ("0.5 mm", "foms"),
        ("600 um", "epop"),
        ("600 um", "sip"),
        ("600 um", "foms"),
        ("0.8 mm", "epop"),
        ("0.8 mm", "foms"),
    }


@pytest.mark.parametrize("method", ["random", "lhs"])
def test_sampling_is_seeded_and_inside_the_grid(method: str) -> None:
    axes = """
  - path: envelope.max_thickness
    range: {start: "0.40 mm", stop: "0.90 mm", step: "0.05 mm"}
  - path: process
    values: [epop, sip, foms]
"""
    text = space(axes, f"sample: {{method: {method}, n: 8, seed: 3}}")
    first = [p.values for p in expand_points(space_from_text(text))]
    again = [p.values for p in expand_points(space_from_text(text))]
    other = [p.values for p in expand_points(space_from_text(text.replace("seed: 3", "seed: 4")))]
    assert first == again
    assert first != other
    assert 1 < len(first) <= 8
    assert len({tuple(v.items()) for v in first}) == len(first)
    if method == "lhs":
        # Latin hypercube: 8 samples over 3 processes use every process.
        assert {v["process"] for v in first} == {"epop", "sip", "foms"}


def test_base_design_relative_to_space_file(tmp_path: Path) -> None:
    (tmp_path / "designs").mkdir()
    (tmp_path / "designs" / "g.yaml").write_text(BASE.replace("\n  ", "\n"))
    (tmp_path / "spaces").mkdir()
    (tmp_path / "spaces" / "s.yaml").write_text(
        "name: s\nbase: ../designs/g.yaml\naxes:\n  - {path: process, values: [epop, foms]}\n"
    )
    sp = load_space(tmp_path / "spaces" / "s.yaml")
    assert sp.base["name"] == "glasses"
    assert sp.base_file == str((tmp_path / "designs" / "g.yaml").resolve())


# --- errors: file, field, value and fix ------------------------------------------------------


def error_of(text: str, file: str = "s.yaml") -> str:
    with pytest.raises(SpaceError) as info:
        sp = space_from_text(text, file=file)
        check_points(sp, expand_points(sp), fake_load_design)
    return str(info.value)


def test_unknown_path_suggests_the_nearest_field() -> None:
    msg = error_of(space("  - {path: envelope.max_thicknes, values: ['0.5 mm']}"))
    assert msg.startswith("s.yaml: axes.path = 'envelope.max_thicknes'")
    assert "did you mean 'envelope.max_thickness'" in msg


def test_unknown_top_level_path() -> None:
    msg = error_of(space("  - {path: envelop.max_thickness, values: ['0.5 mm']}"))
    assert "no field 'envelop'" in msg and "did you mean 'envelope'" in msg


def test_index_out_of_range() -> None:
    msg = error_of(space("  - {path: 'dies[5].part', values: [a]}"))
    assert "dies has 2 entries, so [5] does not exist" in msg and "0 to 1" in msg


def test_empty_axis() -> None:
    msg = error_of(space("  - {path: process, values: []}"))
    assert "axes[0]" in msg and "no values" in msg


def test_empty_range() -> None:
    msg = error_of(
        space(
            "  - path: envelope.max_thickness\n    range: {start: 1 mm, stop: 0.5 mm, step: 0.1 mm}"
        )
    )
    assert "range is empty" in msg


def test_range_mixed_units() -> None:
    axis = "  - path: envelope.max_thickness\n    range: {start: 0.5 mm, stop: 800 um, step: 1 mm}"
    msg = error_of(space(axis))
    assert "different units" in msg and "same unit" in msg


def test_wrong_unit_names_the_point_and_axis() -> None:
    msg = error_of(space("  - {path: envelope.max_thickness, values: ['0.6 mm', '0.7 mW']}"))
    assert msg.startswith("s.yaml: axes[max_thickness] (envelope.max_thickness = '0.7 mW')")
    assert "{max_thickness='0.7 mW'}" in msg and "length unit" in msg


def test_unknown_field_in_space_file_lists_the_allowed_ones() -> None:
    msg = error_of(space("  - {path: process, value: [epop]}"))
    assert "axes[0].value" in msg and "unknown field" in msg and "values" in msg


def test_axis_without_values_range_or_choices() -> None:
    msg = error_of(space("  - {path: process}"))
    assert "exactly one of 'values', 'range' or 'choices'" in msg


def test_filter_with_unknown_axis_and_bad_syntax() -> None:
    axes = "  - {path: process, values: [epop, sip]}"
    assert "did you mean 'process'" in error_of(
        space(axes, "filters: {keep_if: ['proces == epop']}")
    )
    assert "expected" in error_of(space(axes, "filters: {keep_if: ['process ==']}"))
    assert "unknown axis 'family'" in error_of(space(axes, "filters: {exclude: [{family: epop}]}"))


def test_filters_that_leave_nothing() -> None:
    axes = "  - {path: process, values: [epop, sip]}"
    msg = error_of(space(axes, "filters: {keep_if: ['process == foms']}"))
    assert "no point to solve" in msg


def test_missing_base_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nbase: nowhere.yaml\naxes:\n  - {path: process, values: [a]}\n")
    with pytest.raises(SpaceError, match="base design file does not exist"):
        load_space(path)


def test_filter_cannot_run_code() -> None:
    axes = "  - {path: process, values: [epop, sip]}"
    msg = error_of(space(axes, "filters: {keep_if: [\"__import__('os').system('true')\"]}"))
    assert "filters" in msg


def test_duplicate_keys_in_the_base_design_file_are_an_error(tmp_path: Path) -> None:
    # PyYAML keeps the last of two equal keys silently; `solve` rejects the file, so must
    # a sweep of it.
    base = tmp_path / "g.yaml"
    base.write_text(BASE.replace("\n  ", "\n") + "process: sip\n")
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nbase: g.yaml\naxes:\n  - {path: name, values: [a, b]}\n")
    with pytest.raises(SpaceError) as info:
        load_space(path)
    msg = str(info.value)
    assert msg.startswith(f"{base}: YAML syntax error at line")
    assert "duplicate key 'process' (first on line" in msg


def test_duplicate_keys_in_the_space_file_or_its_inline_base_are_an_error() -> None:
    inline = space("  - {path: name, values: [a, b]}").replace(
        "  name: glasses\n", "  name: g\n  name: h\n"
    )
    assert "duplicate key 'name'" in error_of(inline)
    twice = space("  - {path: name, values: [a]}") + "name: again\n"
    assert "duplicate key 'name'" in error_of(twice)
