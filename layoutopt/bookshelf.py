"""GSRC Bookshelf floorplanning files (``.blocks``, ``.nets``, ``.pl``) as packing problems.

The MCNC and GSRC hard-block benchmarks come in this format. Only hard rectangular blocks
are supported (``hardrectilinear 4`` with an axis-aligned rectangle); soft blocks are
rejected with a message. Coordinates are read as ``unit_um`` micrometres each (the MCNC
convention is 1 unit = 1 µm).

Every format error raises :class:`layoutopt.errors.DesignError` naming the file, the line
number and text, what is wrong, and what to write instead.

Examples
--------
>>> text = '''UCSC blocks 1.0
... NumSoftRectangularBlocks : 0
... NumHardRectilinearBlocks : 2
... NumTerminals : 1
... a hardrectilinear 4 (0, 0) (0, 20) (30, 20) (30, 0)
... b hardrectilinear 4 (0, 0) (0, 10) (10, 10) (10, 0)
... p1 terminal
... '''
>>> data = parse_blocks(text, "x.blocks")
>>> [(b.id, b.width_um, b.length_um) for b in data.blocks], data.terminals
([('a', 30, 20), ('b', 10, 10)], ('p1',))
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from layoutopt.engine.problem import Block, PackProblem
from layoutopt.errors import DesignError
from layoutopt.files import read_text

__all__ = [
    "BookshelfBlocks",
    "bookshelf_to_design_yaml",
    "bookshelf_to_pack_problem",
    "fixed_outline_side_um",
    "parse_blocks",
    "parse_nets",
    "parse_pl",
    "read_blocks",
    "read_nets",
    "read_pl",
]

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_POINT = re.compile(r"\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)")


@dataclass(frozen=True)
class BookshelfBlocks:
    """The content of a ``.blocks`` file: hard blocks (µm) and terminal names."""

    blocks: tuple[Block, ...]
    terminals: tuple[str, ...]


def _lines(text: str) -> list[tuple[int, str]]:
    """Numbered lines without comments and blank lines."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            out.append((number, line))
    return out


def _error(file: str, number: int, line: str, message: str, fix: str) -> DesignError:
    return DesignError(message, file=file, field=f"line {number}", value=line, fix=fix)


def _header_count(line: str) -> tuple[str, str] | None:
    if ":" not in line:
        return None
    key, _, value = line.partition(":")
    key = key.strip()
    if key.startswith("Num") and " " not in key:
        return key, value.strip()
    return None


def _to_um(value: str, unit_um: int, file: str, number: int, line: str) -> int:
    scaled = float(value) * unit_um
    if not math.isclose(scaled, round(scaled), abs_tol=1e-6):
        raise _error(
            file,
            number,
            line,
            f"coordinate {value} x {unit_um} um is not whole",
            "use integer coordinates or a unit_um that makes them whole",
        )
    return round(scaled)


def parse_blocks(
    text: str, file: str = "<blocks>", *, unit_um: int = 1, rotatable: bool = True
) -> BookshelfBlocks:
    """Read the text of a ``.blocks`` file."""
    blocks: list[Block] = []
    terminals: list[str] = []
    declared: dict[str, tuple[int, int, str]] = {}
    seen: dict[str, int] = {}
    for number, line in _lines(text):
        if line.startswith("UCSC blocks") or line.startswith("UCLA blocks"):
            continue
        header = _header_count(line)
        if header is not None:
            key, value = header
            if not value.isdigit():
                raise _error(
                    file, number, line, f"{key} must be a whole number", f"write e.g. '{key} : 10'"
                )
            declared[key] = (int(value), number, line)
            continue
        parts = line.split()
        name = parts[0]
        if len(parts) >= 2 and parts[1] == "terminal":
            terminals.append(name)
        elif len(parts) >= 2 and parts[1] == "softrectangular":
            raise _error(
                file,
                number,
                line,
                "soft blocks are not supported",
                "give the block a fixed size as 'hardrectilinear 4' with 4 corners",
            )
        elif len(parts) >= 2 and parts[1] == "hardrectilinear":
            if len(parts) < 3 or parts[2] != "4":
                raise _error(
                    file,
                    number,
                    line,
                    "only rectangles (4 corners) are supported",
                    "write 'NAME hardrectilinear 4 (x0, y0) (x1, y1) (x2, y2) (x3, y3)'",
                )
            points = _POINT.findall(line.split("hardrectilinear", 1)[1])
            if len(points) != 4:
                raise _error(
                    file,
                    number,
                    line,
                    f"expected 4 corners, found {len(points)}",
                    "write 4 points as '(x, y)'",
                )
            xs = {_to_um(x, unit_um, file, number, line) for x, _ in points}
            ys = {_to_um(y, unit_um, file, number, line) for _, y in points}
            if len(xs) != 2 or len(ys) != 2:
                raise _error(
                    file,
                    number,
                    line,
                    "the corners are not an axis-aligned rectangle",
                    "give the 4 corners of a rectangle with positive width and height",
                )
            if name in seen:
                raise _error(
                    file,
                    number,
                    line,
                    f"block {name!r} is defined twice (also on line {seen[name]})",
                    "give each block a unique name",
                )
            seen[name] = number
            blocks.append(Block(name, max(xs) - min(xs), max(ys) - min(ys), rotatable))
        else:
            raise _error(
                file,
                number,
                line,
                "cannot read this line",
                "expected 'NAME hardrectilinear 4 (x, y) ...', 'NAME terminal' or "
                "'NumHardRectilinearBlocks : N'",
            )
    checks = (
        ("NumHardRectilinearBlocks", len(blocks)),
        ("NumTerminals", len(terminals)),
        ("NumSoftRectangularBlocks", 0),
    )
    for key, count in checks:
        if key in declared and declared[key][0] != count:
            value, number, line = declared[key]
            raise _error(
                file,
                number,
                line,
                f"{key} says {value} but the file has {count}",
                f"set '{key} : {count}' or add the missing entries",
            )
    if not blocks:
        raise DesignError(
            "no hard blocks found", file=file, fix="add lines 'NAME hardrectilinear 4 (x0, y0) ...'"
        )
    return BookshelfBlocks(tuple(blocks), tuple(terminals))


def parse_nets(
    text: str, file: str = "<nets>", known: set[str] | None = None
) -> tuple[tuple[str, ...], ...]:
    """Read the text of a ``.nets`` file: one tuple of pin owners per net.

    ``known`` (block and terminal names) makes unknown pin names an error.
    """
    nets: list[tuple[str, ...]] = []
    current: list[str] | None = None
    expected = 0
    start: tuple[int, str] = (0, "")
    declared_nets: tuple[int, int, str] | None = None

    def close() -> None:
        if current is not None and len(current) != expected:
            number, line = start
            raise _error(
                file,
                number,
                line,
                f"net declares {expected} pins but has {len(current)}",
                "fix the NetDegree or the pin lines below it",
            )

    for number, line in _lines(text):
        if line.startswith("UCLA nets"):
            continue
        if line.startswith("NetDegree"):
            close()
            match = re.match(r"NetDegree\s*:\s*(\d+)", line)
            if match is None:
                raise _error(
                    file, number, line, "NetDegree needs a pin count", "write 'NetDegree : 3'"
                )
            expected = int(match.group(1))
            current = []
            nets.append(())
            start = (number, line)
            continue
        header = _header_count(line)
        if header is not None:
            key, value = header
            if key == "NumNets" and value.isdigit():
                declared_nets = (int(value), number, line)
            continue
        if current is None:
            raise _error(
                file,
                number,
                line,
                "pin line before any 'NetDegree'",
                "start each net with 'NetDegree : N'",
            )
        name = line.split()[0]
        if known is not None and name not in known:
            raise _error(
                file,
                number,
                line,
                f"unknown block or terminal {name!r}",
                "use a name from the .blocks file",
            )
        current.append(name)
        nets[-1] = tuple(current)
    close()
    if declared_nets is not None and declared_nets[0] != len(nets):
        value, number, line = declared_nets
        raise _error(
            file,
            number,
            line,
            f"NumNets says {value} but the file has {len(nets)}",
            f"set 'NumNets : {len(nets)}'",
        )
    return tuple(nets)


def parse_pl(text: str, file: str = "<pl>", *, unit_um: int = 1) -> dict[str, tuple[int, int]]:
    """Read the text of a ``.pl`` file: name to (x_um, y_um)."""
    out: dict[str, tuple[int, int]] = {}
    for number, line in _lines(text):
        if line.startswith("UCLA pl"):
            continue
        parts = line.split()
        if len(parts) < 3 or not _NUMBER.fullmatch(parts[1]) or not _NUMBER.fullmatch(parts[2]):
            raise _error(
                file,
                number,
                line,
                "expected a name and two coordinates",
                "write 'NAME X Y' (optionally ': N')",
            )
        out[parts[0]] = (
            _to_um(parts[1], unit_um, file, number, line),
            _to_um(parts[2], unit_um, file, number, line),
        )
    return out


def _read(path: str | Path) -> str:
    return read_text(path, kind="Bookshelf file")


def read_blocks(path: str | Path, *, unit_um: int = 1, rotatable: bool = True) -> BookshelfBlocks:
    return parse_blocks(_read(path), str(path), unit_um=unit_um, rotatable=rotatable)


def read_nets(path: str | Path, known: set[str] | None = None) -> tuple[tuple[str, ...], ...]:
    return parse_nets(_read(path), str(path), known)


def read_pl(path: str | Path, *, unit_um: int = 1) -> dict[str, tuple[int, int]]:
    return parse_pl(_read(path), str(path), unit_um=unit_um)


def fixed_outline_side_um(block_area_um2: int, whitespace: float) -> int:
    """Side of the square fixed outline, ``sqrt((1 + whitespace) * area)`` rounded down.

    >>> fixed_outline_side_um(10_000, 0.21)
    110
    """
    if whitespace < 0:
        raise DesignError(
            "whitespace must be zero or positive",
            field="whitespace",
            value=whitespace,
            fix="give e.g. 0.15 for 15 %",
        )
    return math.isqrt(math.floor((1 + whitespace) * block_area_um2 + 1e-9))


def bookshelf_to_pack_problem(
    blocks_path: str | Path,
    nets_path: str | Path | None = None,
    pl_path: str | Path | None = None,
    *,
    whitespace: float | None = None,
    unit_um: int = 1,
    rotatable: bool = True,
    wirelength_weight: float = 0.0,
) -> PackProblem:
    """A :class:`~layoutopt.engine.PackProblem` from Bookshelf files.

    ``whitespace=None`` gives a free outline (minimum area); a number gives the square
    fixed outline of the literature (:func:`fixed_outline_side_um`). Terminal positions
    come from the ``.pl`` file (only terminals; block positions there are ignored).
    """
    data = read_blocks(blocks_path, unit_um=unit_um, rotatable=rotatable)
    names = {b.id for b in data.blocks} | set(data.terminals)
    nets = read_nets(nets_path, names) if nets_path is not None else ()
    terminals: tuple[tuple[str, int, int], ...] = ()
    if pl_path is not None:
        where = read_pl(pl_path, unit_um=unit_um)
        terminals = tuple((t, *where[t]) for t in data.terminals if t in where)
    outline = None
    if whitespace is not None:
        side = fixed_outline_side_um(sum(b.area_um2 for b in data.blocks), whitespace)
        outline = (side, side)
    return PackProblem(
        blocks=data.blocks,
        outline_um=outline,
        nets=nets,
        terminals=terminals,
        wirelength_weight=wirelength_weight,
    )


def bookshelf_to_design_yaml(
    blocks_path: str | Path,
    nets_path: str | Path | None = None,
    pl_path: str | Path | None = None,
    *,
    whitespace: float | None = 0.15,
    name: str | None = None,
    unit_um: int = 1,
) -> str:
    """A layoutopt design file (YAML text) with one logic die per hard block.

    Every die is a flip-chip logic die 100 µm thick with no power (placeholders: the
    benchmark gives only sizes); ``max_junction_c`` is 125 °C, the processor limit of
    domain_data.md §4.2 'Memory qualification operating limit' (H). The rules override the
    ``sip`` keep-outs, spacings and package grid to zero (1 µm grid) so that the design is
    the pure packing problem of the benchmark. The envelope is the square fixed outline
    (``whitespace``), or, with ``whitespace=None``, a square of twice the block area, loose
    enough for any reasonable packing. Nets and terminals have no place in the design file
    yet and are not written; ``nets_path`` and ``pl_path`` are only checked.
    """
    data = read_blocks(blocks_path, unit_um=unit_um)
    names = {b.id for b in data.blocks} | set(data.terminals)
    if nets_path is not None:
        read_nets(nets_path, names)
    if pl_path is not None:
        read_pl(pl_path, unit_um=unit_um)
    area = sum(b.area_um2 for b in data.blocks)
    side = fixed_outline_side_um(area, 1.0 if whitespace is None else whitespace)
    design = {
        "name": name or Path(blocks_path).stem,
        "description": f"Bookshelf benchmark {Path(blocks_path).name}: {len(data.blocks)} "
        f"hard blocks, {area} um2"
        + ("" if whitespace is None else f", {whitespace:.0%} whitespace"),
        "process": "sip",
        "rules": {
            "die_edge_keepout": "0 um",
            "finger_edge_keepout": "0 um",
            "die_spacing": "0 um",
            "pair_spacing": [],
            "underfill_fillet": "0 um",
            "package_grid": "1 um",
        },
        "dies": [
            {
                "id": b.id,
                "kind": "logic",
                "width": f"{b.width_um} um",
                "length": f"{b.length_um} um",
                "thickness": "100 um",
                "power": "0 W",
                "max_junction_c": 125,
                "bond": "flip_chip",
            }
            for b in data.blocks
        ],
        "envelope": {
            "outline": {"width": f"{side} um", "length": f"{side} um"},
            "max_thickness": "1 mm",
        },
    }
    return yaml.safe_dump(design, sort_keys=False, allow_unicode=True)
