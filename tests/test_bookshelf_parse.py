"""Bookshelf parsing: the shipped benchmarks, error messages with line numbers, conversion."""

from __future__ import annotations

from pathlib import Path

import pytest

from layoutopt.bookshelf import (
    bookshelf_to_design_yaml,
    bookshelf_to_pack_problem,
    fixed_outline_side_um,
    parse_blocks,
    parse_nets,
    parse_pl,
)
from layoutopt.errors import DesignError

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"

BLOCKS = """UCSC blocks 1.0
# a comment
NumSoftRectangularBlocks : 0
NumHardRectilinearBlocks : 2
NumTerminals : 1

a hardrectilinear 4 (0, 0) (0, 20) (30, 20) (30, 0)
b hardrectilinear 4 (5, 5) (5, 15) (15, 15) (15, 5)
p1 terminal
"""

NETS = """UCLA nets 1.0
NumNets : 2
NumPins : 4
NetDegree : 2
a B
b B
NetDegree : 2
p1 B
a B : 0.5 0.5
"""


def test_blocks_sizes_and_terminals() -> None:
    data = parse_blocks(BLOCKS, "t.blocks")
    assert [(b.id, b.width_um, b.length_um, b.rotatable) for b in data.blocks] == [
        ("a", 30, 20, True),
        ("b", 10, 10, True),
    ]
    assert data.terminals == ("p1",)


def test_unit_scale() -> None:
    data = parse_blocks(BLOCKS, "t.blocks", unit_um=10)
    assert (data.blocks[0].width_um, data.blocks[0].length_um) == (300, 200)


def test_nets_and_pl() -> None:
    assert parse_nets(NETS, "t.nets", {"a", "b", "p1"}) == (("a", "b"), ("p1", "a"))
    assert parse_pl("UCLA pl 1.0\n\na 0 0\np1\t12\t40 : N\n", "t.pl") == {
        "a": (0, 0),
        "p1": (12, 40),
    }


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            BLOCKS.replace("NumHardRectilinearBlocks : 2", "NumHardRectilinearBlocks : 3"),
            4,
            "says 3 but the file has 2",
        ),
        (BLOCKS.replace("(30, 0)", "(31, 0)"), 7, "not an axis-aligned rectangle"),
        (BLOCKS.replace("b hardrectilinear 4", "b hardrectilinear 6"), 8, "only rectangles"),
        (BLOCKS.replace("p1 terminal", "s softrectangular 100 0.5 2"), 9, "soft blocks"),
        (BLOCKS.replace("p1 terminal", "what is this"), 9, "cannot read this line"),
        (BLOCKS.replace("b hardrectilinear", "a hardrectilinear"), 8, "defined twice"),
    ],
)
def test_blocks_errors_name_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(DesignError) as info:
        parse_blocks(text, "bad.blocks")
    message = str(info.value)
    assert message.startswith(f"bad.blocks: line {line} = ")
    assert words in message
    assert "Fix:" in message


def test_nets_errors() -> None:
    with pytest.raises(DesignError, match=r"bad.nets: line 9 = 'zz B': unknown block"):
        parse_nets(NETS.replace("a B : 0.5 0.5", "zz B"), "bad.nets", {"a", "b", "p1"})
    with pytest.raises(
        DesignError, match=r"line 7 = 'NetDegree : 2': net declares 2 pins but has 1"
    ):
        parse_nets(NETS.replace("a B : 0.5 0.5\n", ""), "bad.nets")
    with pytest.raises(DesignError, match="line 3 = 'a x 4': expected a name and two"):
        parse_pl("UCLA pl 1.0\n\na x 4\n", "bad.pl")


def test_missing_file_is_a_design_error(tmp_path: Path) -> None:
    with pytest.raises(DesignError, match="no such file"):
        bookshelf_to_pack_problem(tmp_path / "nope.blocks")


def test_fixed_outline_side() -> None:
    assert fixed_outline_side_um(10_000, 0.21) == 110
    assert fixed_outline_side_um(10_000, 0.0) == 100
    assert fixed_outline_side_um(10_001, 0.0) == 100  # rounded down, never more room


@pytest.mark.skipif(not BENCH.is_dir(), reason="shared benchmarks not present")
@pytest.mark.parametrize(
    ("name", "blocks", "area", "terminals"),
    [("ami33", 33, 1_156_449, 42), ("n100", 100, 179_501, 334), ("xerox", 10, 19_350_296, 2)],
)
def test_shipped_benchmarks(name: str, blocks: int, area: int, terminals: int) -> None:
    stem = BENCH / name
    problem = bookshelf_to_pack_problem(
        stem.with_suffix(".blocks"),
        stem.with_suffix(".nets"),
        stem.with_suffix(".pl"),
        whitespace=0.10,
    )
    assert len(problem.blocks) == blocks
    assert problem.block_area_um2 == area
    assert len(problem.terminals) == terminals
    assert problem.nets and all(len(net) >= 1 for net in problem.nets)
    side = problem.outline_um[0]  # type: ignore[index]
    assert side * side <= 1.10 * area < (side + 1) ** 2


def test_design_yaml_loads(tmp_path: Path) -> None:
    path = tmp_path / "t.blocks"
    path.write_text(BLOCKS)
    text = bookshelf_to_design_yaml(path, whitespace=None)
    design_file = pytest.importorskip("layoutopt.design_file")
    design = design_file.design_from_text(text)
    assert [(d.id, d.width_um, d.length_um) for d in design.dies] == [("a", 30, 20), ("b", 10, 10)]
    assert design.rules.die_spacing_um == 0
    assert design.envelope.outline.bounds == (0.0, 0.0, 37.0, 37.0)  # isqrt(2 * 700)
    assert "15% whitespace" in bookshelf_to_design_yaml(path, whitespace=0.15)
