"""Export a layout to HotSpot's 3D grid model (floorplans, layer file, power trace, config).

File formats, as in the HotSpot repository (github.com/uvahotspot/HotSpot, v6):

- ``.flp`` (``example.flp``): one unit per line,
  ``<name>\\t<width>\\t<height>\\t<left-x>\\t<bottom-y>\\t<specific-heat>\\t<resistivity>``,
  in metres, J/(m³K) and m·K/W (the last two per unit: ``-detailed_3D on`` uses them);
  ``#`` comments. Every layer's floorplan covers the same frame.
- ``.lcf`` (``examples/example3/example.lcf``): per layer seven lines: layer number,
  lateral heat flow Y/N, power dissipation Y/N, specific heat J/(m³K), resistivity m·K/W,
  thickness m, floorplan file. Layer 0 is the farthest from the heat sink; the last layer
  touches the spreader, so the layers are written board first, package top (or housing)
  last.
- ``.ptrace`` (``example.ptrace``): a header line naming *every* unit of every layer that
  dissipates power, then one line of powers (W) in that order (zero for units without).
- ``.config`` (``examples/example3/example.config``): ``-name value`` lines.

How our boundaries map onto HotSpot's fixed package (``temperature.c``,
``populate_package_R``):

- The frame is the modelled board's bounding box (``w x h``). HotSpot needs a square sink
  and spreader at least as large (else "inordinate floorplan size!") and each strictly
  larger than the one inside it (its peripheral rings divide by the difference): the
  spreader gets ``1.001 s`` and the sink ``1.002 s``, ``s = max(w, h)``, both 1 µm thick and of k = 1 W/(m·K), so they neither resist (1e-6 m²K/W)
  nor spread (1e-6 W/K sideways) and the interface layer is 1 µm too.
- HotSpot divides ``-r_convec`` over the sink area ``s²`` by area, so ``r_convec =
  1 / (h_top s²)`` gives the frame's top exactly ``h_top`` per m². The bottom path is
  HotSpot's secondary path (``-model_secondary 1``): three extra layers under layer 0
  (substrate, solder, PCB), here 1 µm each, and ``-r_convec_sec = 1 / (h_bottom s_pcb²)``.
- ``-detailed_3D on`` makes HotSpot use each unit's own heat capacity and resistivity.

Approximations, both stated in the files: HotSpot layers are isotropic, so the through-plane
k is written (vertical conduction dominates in thin layers); radiation across a housing gap
is folded into the gap air's conductivity at the gap's linearisation about the ambient.
Cells outside the board (a non-rectangular outline) are still air.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import shapely

from layoutopt.model import Design, Layout
from layoutopt.thermal.assemble import UM
from layoutopt.thermal.materials import material, radiation_h_w_per_m2_k
from layoutopt.thermal.stackup import Block, board_region, build_blocks

__all__ = ["check_hotspot_files", "to_hotspot", "write_hotspot"]

_THIN_M = 1e-6  # sink, spreader, interface and secondary-path layers: present, but inert
_INERT_K = 1.0


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


def _rects(block: Block) -> list[tuple[int, int, int, int]]:
    """The block's footprint as rectangles (a polygonal region by its corner grid)."""
    if block.region is None:
        return [(block.x0_um, block.y0_um, block.x1_um, block.y1_um)]
    coords = shapely.get_coordinates(block.region)
    xs, ys = np.unique(coords[:, 0]), np.unique(coords[:, 1])
    out = []
    for xa, xb in itertools.pairwise(xs):
        for ya, yb in itertools.pairwise(ys):
            if shapely.contains_xy(block.region, 0.5 * (xa + xb), 0.5 * (ya + yb)):
                out.append((int(xa), int(ya), int(xb), int(yb)))
    return out


def _covers(upper: tuple[int, int, int, int], lower: tuple[int, int, int, int]) -> bool:
    return (
        upper[0] <= lower[0]
        and upper[1] <= lower[1]
        and lower[2] <= upper[2]
        and lower[3] <= upper[3]
    )


def _props(design: Design, layout: Layout, block: Block) -> tuple[float, float]:
    """(volumetric heat capacity, through-plane k) of a block as HotSpot sees it."""
    m = block.material
    k = m.k_z_w_per_m_k
    if block.gap:
        spec = design.thermal
        h = radiation_h_w_per_m2_k(
            spec.ambient_c, spec.ambient_c, spec.surface_emissivity, spec.housing_emissivity
        )
        k += h * block.thickness_um * UM
    return m.heat_capacity_j_per_m3_k or 1.0e6, k


def to_hotspot(design: Design, layout: Layout, *, grid: int = 64) -> dict[str, str]:
    """HotSpot input files for ``layout`` (file name -> text). Pure; see :func:`write_hotspot`."""
    spec = design.thermal
    blocks = build_blocks(design, layout)
    zs = sorted({v for b in blocks for v in (b.z0_um, b.z1_um)})
    bx0, by0, bx1, by1 = (round(v) for v in board_region(design, layout).bounds)
    frame = (bx0, by0, bx1, by1)
    air = material(design, "air", field="thermal (air around the package, HotSpot export)")
    air_c = air.heat_capacity_j_per_m3_k or 1.0e3
    files: dict[str, str] = {}
    lcf = ["# layoutopt export: layer 0 = board bottom ... last = top (next to the spreader)"]
    power_names: list[str] = []
    power_values: list[float] = []
    for layer, (za, zb) in enumerate(itertools.pairwise(zs)):
        here: list[tuple[tuple[int, int, int, int], Block]] = []
        for b in blocks:  # painter's order: later blocks win
            if b.z0_um <= za and zb <= b.z1_um and b.area_um2 > 0:
                for r in _rects(b):
                    here = [(h, o) for h, o in here if not _covers(r, h)] + [(r, b)]
        units: list[str] = []
        unit_powers: list[tuple[str, float]] = []
        for n, (rect, b) in enumerate(here):
            pieces = _fill(rect, [h for h, _ in here[n + 1 :]])
            c, k = _props(design, layout, b)
            for m, (x0, y0, x1, y1) in enumerate(pieces):
                name = f"L{layer}_{b.name}_{n}_{m}".replace(".", "_")
                units.append(_unit(name, (x0, y0, x1, y1), frame, c, 1.0 / k))
                power = 0.0
                if b.die_id is not None:
                    share = (zb - za) / b.thickness_um * (x1 - x0) * (y1 - y0) / b.area_um2
                    power = design.die(b.die_id).power_w * share
                unit_powers.append((name, power))
        for m, rect in enumerate(_fill(frame, [h for h, _ in here])):
            name = f"L{layer}_air_{m}"
            units.append(_unit(name, rect, frame, air_c, 1.0 / air.k_z_w_per_m_k))
            unit_powers.append((name, 0.0))
        has_power = any(p > 0 for _, p in unit_powers)
        if has_power:  # HotSpot reads a power for every unit of a dissipating layer
            power_names += [u for u, _ in unit_powers]
            power_values += [p for _, p in unit_powers]
        flp = f"layer{layer}.flp"
        files[flp] = (
            "# <unit-name>\t<width>\t<height>\t<left-x>\t<bottom-y>\t"
            "<specific-heat>\t<resistivity>\n"
            f"# layoutopt: z {za}..{zb} um\n" + "\n".join(units) + "\n"
        )
        main = here[-1][1] if here else None
        c_main, k_main = _props(design, layout, main) if main else (air_c, air.k_z_w_per_m_k)
        lcf += [
            f"# z {za}..{zb} um" + (f" ({main.name})" if main else ""),
            str(layer),
            "Y",
            "Y" if has_power else "N",
            f"{c_main:.6g}",
            f"{1.0 / k_main:.6g}",
            f"{(zb - za) * UM:.9g}",
            flp,
            "",
        ]
    files["layout.lcf"] = "\n".join(lcf)
    files["layout.ptrace"] = (
        "\t".join(power_names) + "\n" + "\t".join(f"{p:.6g}" for p in power_values) + "\n"
    )
    files["layout.config"] = _config(spec, frame, grid)
    return files


def _unit(
    name: str, rect: tuple[int, int, int, int], frame: tuple[int, int, int, int], c: float, r: float
) -> str:
    x0, y0, x1, y1 = rect
    return (
        f"{name}\t{(x1 - x0) * UM:.9f}\t{(y1 - y0) * UM:.9f}\t"
        f"{(x0 - frame[0]) * UM:.9f}\t{(y0 - frame[1]) * UM:.9f}\t{c:.6g}\t{r:.6g}"
    )


def _config(spec, frame: tuple[int, int, int, int], grid: int) -> str:  # type: ignore[no-untyped-def]
    # HotSpot divides by the differences of these sides (its peripheral rings), so each must
    # exceed the one inside it: the rings are 0.1 % wide, and carry next to nothing.
    side = max(frame[2] - frame[0], frame[3] - frame[1]) * UM
    ring, outer = side * 1.001, side * 1.002
    h_top = spec.h_top_w_per_m2_k
    h_bottom = spec.h_bottom_w_per_m2_k
    # HotSpot has no adiabatic face: a huge resistance stands for h = 0.
    r_top = 1.0 / (h_top * outer * outer) if h_top > 0 else 1e12
    r_bottom = 1.0 / (h_bottom * outer * outer) if h_bottom > 0 else 1e12
    lines = [
        "# layoutopt export (HotSpot 6 -c). Temperatures in kelvin.",
        "# Run: hotspot -c layout.config -p layout.ptrace -grid_steady_file layout.grid.steady",
        f"-ambient\t{spec.ambient_c + 273.15:.2f}",
        f"-init_temp\t{spec.ambient_c + 273.15:.2f}",
        f"-r_convec\t{r_top:.6g}",
        f"-s_sink\t{outer:.6g}",
        f"-t_sink\t{_THIN_M:g}",
        f"-k_sink\t{_INERT_K:g}",
        f"-s_spreader\t{ring:.6g}",
        f"-t_spreader\t{_THIN_M:g}",
        f"-k_spreader\t{_INERT_K:g}",
        f"-t_interface\t{_THIN_M:g}",
        "-model_secondary\t1",
        f"-r_convec_sec\t{r_bottom:.6g}",
        f"-s_sub\t{ring:.6g}",
        f"-t_sub\t{_THIN_M:g}",
        f"-s_solder\t{ring:.6g}",
        f"-t_solder\t{_THIN_M:g}",
        f"-s_pcb\t{outer:.6g}",
        f"-t_pcb\t{_THIN_M:g}",
        "-model_type\tgrid",
        "-detailed_3D\ton",
        "-grid_layer_file\tlayout.lcf",
        f"-grid_rows\t{grid}",
        f"-grid_cols\t{grid}",
        "",
    ]
    if spec.top_fixed_c is not None or spec.bottom_fixed_c is not None:
        lines.insert(
            1, "# a fixed face temperature has no HotSpot equivalent: convection is written"
        )
    return "\n".join(lines)


def check_hotspot_files(files: dict[str, str]) -> list[str]:
    """Problems HotSpot would stop on (an empty list when the files follow its rules):
    every layer file is named and exists, every floorplan tiles the same frame without
    overlap, every unit of a dissipating layer is in the power trace exactly once, and the
    sink and spreader are at least as large as the frame."""
    problems = []
    layers = _lcf_layers(files.get("layout.lcf", ""))
    if not layers:
        return ["layout.lcf has no layers"]
    names, powers = ([*files["layout.ptrace"].splitlines(), "", ""])[:2]
    trace = names.split("\t")
    if len(trace) != len(powers.split("\t")):
        problems.append("layout.ptrace: header and power line differ in length")
    if len(set(trace)) != len(trace):
        problems.append("layout.ptrace: a unit is named twice")
    config = dict(
        line.split("\t", 1) for line in files["layout.config"].splitlines() if line.startswith("-")
    )
    frame = None
    for number, (dissipates, flp) in enumerate(layers):
        units = _flp_units(files.get(flp, ""))
        if not units:
            problems.append(f"layer {number}: floorplan {flp} is missing or empty")
            continue
        w = max(x + uw for _, uw, _, x, _ in units)
        h = max(y + uh for _, _, uh, _, y in units)
        area = sum(uw * uh for _, uw, uh, _, _ in units)
        if frame is None:
            frame = (w, h)
        if not (np.isclose(w, frame[0]) and np.isclose(h, frame[1])):
            problems.append(f"layer {number}: frame {w} x {h} m differs from layer 0's")
        if not np.isclose(area, w * h, rtol=1e-6):
            problems.append(
                f"layer {number}: units cover {area:.6g} m² of {w * h:.6g} (overlap or gap)"
            )
        if dissipates:
            missing = [u for u, *_ in units if u not in trace]
            if missing:
                problems.append(f"layer {number}: {len(missing)} units not in the power trace")
    if frame is not None:
        for key in ("s_sink", "s_spreader"):
            if float(config.get(f"-{key}", 0)) < max(frame) * (1 - 1e-9):
                problems.append(f"-{key} is smaller than the frame (inordinate floorplan size)")
    return problems


def _lcf_layers(text: str) -> list[tuple[bool, str]]:
    fields = [t for t in (line.split("#")[0].strip() for line in text.splitlines()) if t]
    return [(fields[i + 2] == "Y", fields[i + 6]) for i in range(0, len(fields) - 6, 7)]


def _flp_units(text: str) -> list[tuple[str, float, float, float, float]]:
    out = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, w, h, x, y, *_ = line.split("\t")
            out.append((name, float(w), float(h), float(x), float(y)))
    return out


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
