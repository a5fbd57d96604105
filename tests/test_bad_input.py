"""Bad input (issue #12): every malformed or extreme file is a clear error, exit 3.

Two kinds of file come from users: design files (YAML) and layout files (JSON, which may
come from anyone, e.g. a colleague's ``layout.json``). Each case below used to end in a
traceback, a wrong answer ("valid" for a NaN) or a hang; now each names the file, the
field and the value, with a fix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from layoutopt.cli import ExitCode, app
from layoutopt.design_file import design_from_text, load_design
from layoutopt.errors import DesignError, LayoutFileError
from layoutopt.layout_io import read_layout

ROOT = Path(__file__).resolve().parents[1]
GLASSES = ROOT / "designs" / "smart_glasses_epop.yaml"
LAYOUT = ROOT / "tests" / "data" / "layouts" / "epop.json"
runner = CliRunner()


def run(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


def glasses(old: str, new: str) -> str:
    text = GLASSES.read_text()
    assert old in text, old
    return replace_entry(text, old, new)


def replace_entry(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new``; when ``new`` rewrites a list entry as a
    flow mapping, the entry's own indented override lines go with it."""
    if not new.lstrip().startswith("- {"):
        return text.replace(old, new)
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if old in line:
            indent = len(line) - len(line.lstrip()) + 2
            j = i + 1
            while j < len(lines) and lines[j].startswith(" " * indent) and lines[j].strip():
                j += 1
            lines[i:j] = [line.replace(old, new)]
            break
    return "".join(lines)


def design_error(text: str) -> DesignError:
    with pytest.raises(DesignError) as info:
        design_from_text(text, file="d.yaml")
    return info.value


# --- design files: numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ('width: "10 mm"', 'width: "1e30 mm"', "envelope.outline.width", "at most 1000 mm"),
        ('width: "10 mm"', 'width: "1e308 mm"', "envelope.outline.width", "at most 1000 mm"),
        ('width: "10 mm"', 'width: "1e999 mm"', "envelope.outline.width", "at most 1000 mm"),
        (
            "- part: emmc_controller ",
            '- {part: emmc_controller, power: "1e308 W"}',
            "dies[2].power",
            "at most 10000 W",
        ),
        ("ambient_c: 25", "ambient_c: .nan", "thermal.ambient_c", "finite number"),
        ("ambient_c: 25", "ambient_c: .inf", "thermal.ambient_c", "finite number"),
        ("ambient_c: 25", "ambient_c: -300", "thermal.ambient_c", "absolute zero"),
        ("ambient_c: 25", "ambient_c: hot", "thermal.ambient_c", "write a number here"),
        ("h_top_w_per_m2_k: 12", "h_top_w_per_m2_k: .nan", "thermal.h_top_w_per_m2_k", "finite"),
        ("max_skin_c: 43", "max_skin_c: -274", "thermal.max_skin_c", "absolute zero"),
    ],
)
def test_design_numbers_out_of_range_are_named(old: str, new: str, field: str, words: str) -> None:
    err = design_error(glasses(old, new))
    assert err.field == field and words in str(err) and err.fix, str(err)


def test_junction_limit_below_absolute_zero() -> None:
    err = design_error(
        glasses("- part: nand_tlc_512gb ", "- {part: nand_tlc_512gb, max_junction_c: -500}")
    )
    assert err.field == "dies[1].max_junction_c" and "absolute zero" in err.message


def test_skin_limit_without_housing_is_an_error_naming_the_fix() -> None:
    err = design_error(glasses('housing_thickness: "0.8 mm"', 'housing_thickness: "0 mm"'))
    assert err.field == "thermal.max_skin_c" and err.value == 43
    assert "no skin surface" in err.message
    assert "housing_thickness" in err.fix and "max_top_c" in err.fix


def test_skin_limit_with_housing_still_loads() -> None:
    assert design_from_text(GLASSES.read_text()).thermal.max_skin_c == 43


# --- files that are not design text ----------------------------------------------------------


def test_binary_utf16_directory_and_latin1_files(tmp_path: Path) -> None:
    cases = {
        "binary": (b"\x7fELF\x02\x01\x01\x00\x00\x00" * 20, "binary file"),
        "utf16": (GLASSES.read_text().encode("utf-16"), "UTF-16 text, not UTF-8"),
        "latin1": ("name: caf\xe9\n".encode("latin-1"), "not UTF-8 text: byte 0xe9 on line 1"),
    }
    for name, (data, words) in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(data)
        with pytest.raises(DesignError, match=re.escape(words)) as info:
            load_design(path)
        assert info.value.file == str(path) and info.value.fix
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(DesignError, match="is a folder, not a design file"):
        load_design(folder)


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GLASSES.read_bytes())
    assert load_design(path).name == "smart_glasses_epop"


@pytest.mark.parametrize("command", ["solve", "validate", "thermal", "render"])
def test_every_command_answers_a_binary_file_with_exit_3(tmp_path: Path, command: str) -> None:
    path = tmp_path / "junk.bin"
    path.write_bytes(bytes(range(256)) * 4)
    result = (
        run(command, path, "-o", tmp_path / "o")
        if command in ("solve", "render")
        else run(command, path)
    )
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "junk.bin" in result.output and "binary file" in result.output
    assert "Traceback" not in result.output


# --- layout files ---------------------------------------------------------------------------


def edited_layout(tmp_path: Path, change: Any) -> Path:
    data = json.loads(LAYOUT.read_text())
    change(data)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data, allow_nan=True))
    return path


def layout_error(tmp_path: Path, change: Any) -> LayoutFileError:
    with pytest.raises(LayoutFileError) as info:
        read_layout(edited_layout(tmp_path, change))
    assert info.value.file and info.value.fix
    return info.value


def die0(data: dict[str, Any]) -> dict[str, Any]:
    return data["layout"]["dies"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (float("nan"), "not a finite number"),
        (float("inf"), "not a finite number"),
        (float("-inf"), "not a finite number"),
        ("500", "expected an integer, not a string"),
        (None, "expected an integer, not null"),
        (500.5, "expected an integer, not a number"),
        (True, "expected an integer, not true/false"),
        (10**30, "beyond"),
    ],
)
def test_layout_numbers_must_be_finite_integers(tmp_path: Path, value: Any, words: str) -> None:
    err = layout_error(tmp_path, lambda d: die0(d).update(x_um=value))
    assert err.field == "layout.dies[0].x_um" and words in err.message


def test_nan_anywhere_is_named_even_in_free_form_sections(tmp_path: Path) -> None:
    err = layout_error(tmp_path, lambda d: d.update(solver={"gap": float("nan")}))
    assert err.field == "solver.gap"
    err = layout_error(tmp_path, lambda d: d["design"]["dies"][1].update(power_w=float("nan")))
    assert err.field == "design.dies[1].power_w"


def test_validate_no_longer_calls_a_nan_layout_valid(tmp_path: Path) -> None:
    path = edited_layout(tmp_path, lambda d: die0(d).update(x_um=float("nan")))
    result = run("validate", path)
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "every rule holds" not in result.output
    assert "layout.dies[0].x_um" in result.output


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda d: d["layout"]["package"].update(width_um=0),
            "layout.package.width_um",
            "positive",
        ),
        (
            lambda d: d["layout"]["package"].update(length_um=-3),
            "layout.package.length_um",
            "positive",
        ),
        (lambda d: die0(d).update(thickness_um=0), "layout.dies[0].thickness_um", "positive"),
        (
            lambda d: d["design"]["dies"][0].update(width_um=0),
            "design.dies[0].width_um",
            "positive",
        ),
        (
            lambda d: d["design"]["thermal"].update(ambient_c=-300),
            "design.thermal.ambient_c",
            "absolute zero",
        ),
        (
            lambda d: d["design"]["thermal"].update(max_skin_c=43.0),
            "design.thermal.max_skin_c",
            "needs a housing",
        ),
        (lambda d: d["design"]["dies"][0].update(kind="gpu"), "design.dies[0].kind", "one of"),
        (lambda d: d["layout"].update(dies=[]), "layout.dies", "non-empty list"),
        (lambda d: d["layout"].update(dies=5), "layout.dies", "non-empty list"),
        (lambda d: die0(d).pop("x_um"), "layout.dies[0].x_um", "missing"),
        (lambda d: die0(d).update(x_mm=3), "layout.dies[0].x_mm", "unknown key"),
        (lambda d: d["design"].pop("rules"), "design.rules", "missing"),
        (
            lambda d: d["design"]["envelope"].update(outline={"shell": [[0, 0], [1, 1]]}),
            "design.envelope.outline.shell",
            "at least 3 points",
        ),
    ],
)
def test_layout_values_no_layout_can_have(
    tmp_path: Path, change: Any, field: str, words: str
) -> None:
    err = layout_error(tmp_path, change)
    assert err.field == field and words in err.message, str(err)


def test_zero_width_package_is_bad_input_for_render_and_thermal(tmp_path: Path) -> None:
    path = edited_layout(tmp_path, lambda d: d["layout"]["package"].update(width_um=0))
    for args in (("render", path, "-o", tmp_path / "o"), ("thermal", path)):
        result = run(*args)
        assert result.exit_code == ExitCode.BAD_INPUT, result.output
        assert "layout.package.width_um = 0" in result.output


def test_layout_file_not_text_or_a_folder(tmp_path: Path) -> None:
    utf16 = tmp_path / "u16.json"
    utf16.write_bytes(LAYOUT.read_text().encode("utf-16"))
    with pytest.raises(LayoutFileError, match="UTF-16"):
        read_layout(utf16)
    with pytest.raises(LayoutFileError, match="is a folder"):
        read_layout(tmp_path)


def test_shipped_layouts_still_read_and_round_trip() -> None:
    from layoutopt.layout_io import LayoutRecord, to_json

    for path in sorted((ROOT / "tests" / "data" / "layouts").glob("*.json")):
        record = read_layout(path)
        assert isinstance(record, LayoutRecord)
        again = json.loads(to_json(record))
        assert again["layout"] == json.loads(path.read_text())["layout"], path.name
