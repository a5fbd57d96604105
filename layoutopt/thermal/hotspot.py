"""Export a layout to HotSpot's 3D grid model (floorplans, layer file, power trace, config).

File formats, as in the HotSpot repository (github.com/uvahotspot/HotSpot):

- ``.flp`` (``example.flp``): one unit per line,
  ``<name>\\t<width>\\t<height>\\t<left-x>\\t<bottom-y>\\t[<specific-heat>]\\t[<resistivity>]``,
  all in metres (specific heat in J/(m³K), resistivity in m·K/W); ``#`` comments.
- ``.lcf`` (``examples/example3/example.lcf``): per layer seven lines: layer number,
  lateral heat flow Y/N, power dissipation Y/N, specific heat J/(m³K), resistivity m·K/W,
  thickness m, floorplan file. Layer 0 is the farthest from the heat sink; the last layer
  touches the spreader, so our layers are written board first, package top last.
- ``.ptrace`` (``example.ptrace``): a header line of unit names, then one line of powers (W).
- ``.config`` (``examples/example3/example.config``): ``-name value`` lines; we set
  ``-ambient`` (K), ``-r_convec`` (K/W, = 1/(h_top A)), ``-model_type grid``,
  ``-grid_layer_file`` and the grid size.

HotSpot always models a spreader and a heat sink above the last layer; the snippet sets
them to the package size with a thin copper body so that the convection resistance dominates
as in our model; the board's bottom convection goes to ``-r_convec_sec`` (secondary path,
informational). Anisotropy is lost (HotSpot layers are isotropic): the through-plane k is
written, since vertical conduction dominates in thin layers. Heat capacities are nominal
(steady state does not use them).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from layoutopt.model import Design, Layout
from layoutopt.thermal.materials import conductivity
from layoutopt.thermal.stackup import Block, build_blocks

__all__ = ["to_hotspot", "write_hotspot"]

_UM = 1e-6
_CAPACITY_J_PER_M3_K = 1.75e6  # nominal (silicon, HotSpot example.lcf); unused in steady state


def _fill(
    rect: tuple[int, int, int, int], holes: list[tuple[int, int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """Cover ``rect`` minus ``holes`` with disjoint rectangles (row strips on the hole grid)."""
    x0, y0, x1, y1 = rect
    xs = sorted({x0, x1, *[v for h in holes for v in (h[0], h[2]) if x0 < v < x1]})
    ys = sorted({y0, y1, *[v for h in holes for v in (h[1], h[3]) if y0 < v < y1]})
    out = []
    for ya, yb in itertools.pairwise(ys):
        run = None
        for xa, xb in itertools.pairwise(xs):
            inside = any(h[0] <= xa and xb <= h[2] and h[1] <= ya and yb <= h[3] for h in holes)
            if inside:
                if run is not None:
                    out.append((run, ya, xa, yb))
                    run = None
            elif run is None:
                run = xa
        if run is not None:
            out.append((run, ya, xs[-1], yb))
    return out


def to_hotspot(design: Design, layout: Layout, *, grid: int = 64) -> dict[str, str]:
    """HotSpot input files for ``layout`` (file name -> text). Pure; see :func:`write_hotspot`."""
    spec = design.thermal
    blocks = build_blocks(design, layout)
    zs = sorted({v for b in blocks for v in (b.z0_um, b.z1_um)})
    pkg = layout.package
    frame = (
        pkg.x_um - spec.board_margin_um,
        pkg.y_um - spec.board_margin_um,
        pkg.x_max_um + spec.board_margin_um,
        pkg.y_max_um + spec.board_margin_um,
    )
    files: dict[str, str] = {}
    lcf = ["# layoutopt export: layer 0 = board bottom ... last = package top (next to the sink)"]
    power_units: list[tuple[str, float]] = []
    for layer, (za, zb) in enumerate(itertools.pairwise(zs)):
        here: list[Block] = []
        for b in blocks:  # painter's order: later blocks win
            if b.z0_um <= za and zb <= b.z1_um and b.area_um2 > 0:
                here = [h for h in here if not _covers(b, h)] + [b]
        units = []
        solid = [(b.x0_um, b.y0_um, b.x1_um, b.y1_um) for b in here]
        for n, b in enumerate(here):
            rects = _fill(
                (b.x0_um, b.y0_um, b.x1_um, b.y1_um),
                [s for s, o in zip(solid[n + 1 :], here[n + 1 :], strict=True) if o is not b],
            )
            k_z = conductivity(design, b.material, field=b.field)[1]
            for m, (x0, y0, x1, y1) in enumerate(rects):
                name = f"L{layer}_{b.name}_{m}".replace(".", "_")
                units.append(
                    f"{name}\t{(x1 - x0) * _UM:.9f}\t{(y1 - y0) * _UM:.9f}\t"
                    f"{(x0 - frame[0]) * _UM:.9f}\t{(y0 - frame[1]) * _UM:.9f}\t"
                    f"{_CAPACITY_J_PER_M3_K:.6g}\t{1.0 / k_z:.6g}"
                )
                if b.die_id is not None:
                    die = design.die(b.die_id)
                    share = (zb - za) / (b.z1_um - b.z0_um) * (x1 - x0) * (y1 - y0) / b.area_um2
                    power_units.append((name, die.power_w * share))
        for x0, y0, x1, y1 in _fill(frame, solid):  # air where nothing is (outside the package)
            name = f"L{layer}_air_{len(units)}"
            units.append(
                f"{name}\t{(x1 - x0) * _UM:.9f}\t{(y1 - y0) * _UM:.9f}\t"
                f"{(x0 - frame[0]) * _UM:.9f}\t{(y0 - frame[1]) * _UM:.9f}\t"
                f"{_CAPACITY_J_PER_M3_K:.6g}\t{1.0 / 0.026:.6g}"
            )
        flp = f"layer{layer}.flp"
        files[flp] = (
            "# <unit-name>\t<width>\t<height>\t<left-x>\t<bottom-y>\t"
            "<specific-heat>\t<resistivity>\n"
            f"# layoutopt: z {za}..{zb} um\n" + "\n".join(units) + "\n"
        )
        has_power = any(b.die_id is not None and design.die(b.die_id).power_w > 0 for b in here)
        main = here[-1] if here else None
        k_main = conductivity(design, main.material, field=main.field)[1] if main else 0.026
        lcf += [
            f"# z {za}..{zb} um",
            str(layer),
            "Y",
            "Y" if has_power else "N",
            f"{_CAPACITY_J_PER_M3_K:.6g}",
            f"{1.0 / k_main:.6g}",
            f"{(zb - za) * _UM:.9g}",
            flp,
            "",
        ]
    files["layout.lcf"] = "\n".join(lcf)
    names = [n for n, _ in power_units]
    files["layout.ptrace"] = (
        "\t".join(names) + "\n" + "\t".join(f"{p:.6g}" for _, p in power_units) + "\n"
    )
    area_top = pkg.width_um * pkg.length_um * _UM**2
    area_board = (frame[2] - frame[0]) * (frame[3] - frame[1]) * _UM**2
    side = float(np.sqrt(area_top))
    files["layout.config"] = "\n".join(
        [
            "# layoutopt export (HotSpot -c). Temperatures in kelvin.",
            f"-ambient\t{spec.ambient_c + 273.15:.2f}",
            f"-init_temp\t{spec.ambient_c + 273.15:.2f}",
            f"-r_convec\t{1.0 / (spec.h_top_w_per_m2_k * area_top):.6g}",
            f"-r_convec_sec\t{1.0 / (spec.h_bottom_w_per_m2_k * area_board):.6g}",
            f"-s_sink\t{side:.6g}",
            "-t_sink\t1e-06",
            f"-s_spreader\t{side:.6g}",
            "-t_spreader\t1e-06",
            "-t_interface\t1e-06",
            "-model_type\tgrid",
            "-grid_layer_file\tlayout.lcf",
            f"-grid_rows\t{grid}",
            f"-grid_cols\t{grid}",
            "",
        ]
    )
    return files


def _covers(upper: Block, lower: Block) -> bool:
    return (
        upper.x0_um <= lower.x0_um
        and upper.y0_um <= lower.y0_um
        and lower.x1_um <= upper.x1_um
        and lower.y1_um <= upper.y1_um
    )


def write_hotspot(directory: str | Path, design: Design, layout: Layout) -> list[Path]:
    """Write :func:`to_hotspot` files into ``directory`` (created); returns the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in to_hotspot(design, layout).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
