"""Steady 3D finite-volume conduction model of a package on its board, under its housing.

The pipeline, one module per step:

1. :func:`layoutopt.thermal.stackup.build_blocks`: the layout as boxes of one material
   (board of its real outline and layer stack, package layers, joints, dies, air gap and
   housing wall);
2. :func:`layoutopt.thermal.grid.build_grid`: a conforming non-uniform grid, graded away
   from the package;
3. :func:`layoutopt.thermal.assemble.assemble`: conductances, boundaries (convective,
   adiabatic with h = 0, or fixed), heat capacities;
4. :mod:`layoutopt.thermal.power`: die and surface sources as unit distributions;
5. :class:`layoutopt.thermal.linear.LinearSolver`: direct, or conjugate gradients with a
   z-line multigrid preconditioner.

The air in the gap under the housing conducts (its cells are air); the two faces of the
gap also exchange radiation, a conductance ``h_rad`` per area coupling, column by column,
the solid cell under the gap to the housing cell over it (in series with their half
cells). ``h_rad`` is linearised about the mean temperatures of the two faces
(:func:`layoutopt.thermal.materials.radiation_h_w_per_m2_k`, exact for them): the steady
solve iterates, reusing its preconditioner and warm start, until the coefficients change
by less than 0.5 % (two or three solves; the coefficient moves ~1 % per kelvin, so the
temperatures are then settled to a few hundredths of a kelvin). Natural convection in
the gap is left out: in gaps of a few mm it does not start (domain_data.md §4.5 'Handheld
device with ≤ 2 mm air gap: treat as conduction', M).

All geometry is in µm; it is converted to metres once, in :mod:`layoutopt.thermal.assemble`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from layoutopt.errors import DesignError
from layoutopt.model import Design, Layout
from layoutopt.thermal.assemble import UM, System, assemble, slot_conductivities, with_couplings
from layoutopt.thermal.grid import Grid, build_grid, grid_edges
from layoutopt.thermal.linear import LinearSolver
from layoutopt.thermal.materials import radiation_h_w_per_m2_k
from layoutopt.thermal.power import Sources, build_sources
from layoutopt.thermal.probes import DieProbe, FaceProbe, die_probe, face_probe
from layoutopt.thermal.report import AroundEffect, DieTemperature, FaceHeat, ThermalReport
from layoutopt.thermal.stackup import Block, build_blocks

__all__ = [
    "FVModel",
    "GridOptions",
    "ThermalField",
    "around_effect",
    "assemble_blocks",
    "build_model",
    "field_report",
    "fv3d_report",
    "grid_shape",
    "grid_steps",
    "solve_fv3d",
    "solve_model",
]

_RADIATION_RTOL = 5e-3  # relative change of the gap coefficients that ends the iteration
_RADIATION_MAX_ROUNDS = 6


@dataclass(frozen=True)
class GridOptions:
    """How fine the grid is.

    ``lateral_step_um`` bounds the cells over the package; beyond its edge they grow by
    ``growth`` per cell up to ``board_step_um``; ``vertical_step_um`` bounds the cells of
    package layers, and board, gap and housing layers get at most ``outer_layer_cells``
    (None: ``vertical_step_um`` there too). Three cells put the ePOP sample's controller
    0.15 % of its rise from five (benchmarks/bench_thermal.py). ``outer_face_cell_um``
    grades those layers from both faces instead (cells this thick at each face, doubling
    inwards): what the package top and the skin need (benchmarks/README.md, "Thermal: the
    loop's grid": three uniform cells read the smart glasses' skin 0.7 % low).

    ``edge_lines_um`` adds grid lines at these distances on both sides of every die edge.
    A die's hottest point is often a corner or edge facing a hotter neighbour, where the
    field has a corner singularity (silicon next to mold): the hottest cell centre, half a
    cell from the edge, under-reads it, and only converges as about h^0.7. Lines 6, 25, 80
    and 200 µm from the edges sample it there (benchmarks/README.md, "Thermal: the loop's
    grid").
    ``edge_dies`` limits them to the edges of these dies (None: every die).
    ``extra_x_um`` / ``extra_y_um`` are further grid lines at these coordinates (the loop's
    lines at the edges of a die and at its neighbours' edges that face it).
    """

    lateral_step_um: float = 100.0
    vertical_step_um: float = 100.0
    board_step_um: float = 1000.0
    growth: float = 1.3
    outer_layer_cells: int | None = 3
    outer_face_cell_um: float | None = None
    edge_lines_um: tuple[float, ...] = ()
    edge_dies: tuple[str, ...] | None = None
    extra_x_um: tuple[float, ...] = ()
    extra_y_um: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        for name in ("lateral_step_um", "vertical_step_um", "board_step_um"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be positive, not {value}")
        face = self.outer_face_cell_um
        if face is not None and not (np.isfinite(face) and face > 0):
            raise ValueError(f"outer_face_cell_um must be positive, not {face}")
        if not all(np.isfinite(d) and d > 0 for d in self.edge_lines_um):
            raise ValueError(f"edge_lines_um must be positive distances, not {self.edge_lines_um}")
        if not all(np.isfinite(v) for v in self.extra_x_um + self.extra_y_um):
            raise ValueError("extra_x_um and extra_y_um must be finite coordinates")
        if not (1.0 <= self.growth <= 3.0):
            raise ValueError(f"growth must be between 1 and 3, not {self.growth}")


@dataclass(frozen=True, eq=False)
class _Gap:
    """A gap slot and, per column, the solid cells facing it below and above, the column's
    area (m²) and those cells' half-cell resistances to the gap faces (m²K/W)."""

    slot: int
    below: np.ndarray
    above: np.ndarray
    area_m2: np.ndarray
    half_below: np.ndarray
    half_above: np.ndarray

    def couplings(self, h_w_per_m2_k: float) -> np.ndarray:
        """Radiative conductance (W/K) of each column, cell centre to cell centre."""
        return self.area_m2 / (self.half_below + 1.0 / h_w_per_m2_k + self.half_above)


@dataclass(frozen=True, eq=False)
class FVModel:
    """Everything about a layout's finite-volume model that does not depend on temperature."""

    design: Design
    layout: Layout
    grid: Grid
    sources: Sources
    gaps: tuple[_Gap, ...]
    dies: DieProbe
    top: FaceProbe  # the package top, over the package
    skin: FaceProbe | None  # the housing's outer face, everywhere
    conduction: System  # conduction and boundaries only, no radiation
    system0: System  # with the gaps' radiation linearised at the ambient
    options: GridOptions = field(default_factory=GridOptions)

    def system(self, h_rad: dict[int, float]) -> System:
        """The system with the gaps radiating at coefficients ``h_rad`` (W/m²K, per slot)."""
        if not self.gaps:
            return self.conduction
        return with_couplings(
            self.conduction,
            np.concatenate([g.below for g in self.gaps]),
            np.concatenate([g.above for g in self.gaps]),
            np.concatenate([g.couplings(h_rad[g.slot]) for g in self.gaps]),
        )

    def radiation(self, theta: np.ndarray) -> dict[int, float]:
        """Gap coefficients (W/m²K) at the face temperatures of ``theta`` (rise, K)."""
        spec = self.design.thermal
        out = {}
        for gap in self.gaps:
            w = gap.area_m2 / gap.area_m2.sum()
            t1 = spec.ambient_c + float((theta[gap.below] * w).sum())
            t2 = spec.ambient_c + float((theta[gap.above] * w).sum())
            out[gap.slot] = radiation_h_w_per_m2_k(
                t1, t2, spec.surface_emissivity, spec.housing_emissivity
            )
        return out

    def design_powers(self) -> tuple[dict[str, float], dict[str, float]]:
        """The steady powers: every die's ``power_w`` and every source's and body's."""
        design, spec = self.design, self.design.thermal
        return (
            {p.die_id: design.die(p.die_id).power_w for p in self.layout.placements},
            {s.name: s.power_w for s in (*spec.sources, *spec.bodies)},
        )


def _gaps(system: System) -> tuple[_Gap, ...]:
    grid = system.grid
    out = []
    dx, dy = np.diff(grid.x_edges_um) * UM, np.diff(grid.y_edges_um) * UM
    dz = np.diff(grid.z_edges_um) * UM
    for s, block in enumerate(grid.slots):
        if not block.gap:
            continue
        is_gap = grid.slot == s
        cols = np.argwhere(is_gap.any(axis=2))
        if len(cols) == 0:
            continue
        column = is_gap[cols[:, 0], cols[:, 1], :]
        k_lo = column.argmax(axis=1) - 1
        k_hi = column.shape[1] - column[:, ::-1].argmax(axis=1)
        ok = (k_lo >= 0) & (k_hi < grid.shape[2])
        cols, k_lo, k_hi = cols[ok], k_lo[ok], k_hi[ok]
        below = system.index[cols[:, 0], cols[:, 1], k_lo]
        above = system.index[cols[:, 0], cols[:, 1], k_hi]
        ok = (below >= 0) & (above >= 0)
        cols, k_lo, k_hi, below, above = cols[ok], k_lo[ok], k_hi[ok], below[ok], above[ok]
        if len(cols) == 0:
            continue
        kz_b = system.k_z[grid.slot[cols[:, 0], cols[:, 1], k_lo]]
        kz_a = system.k_z[grid.slot[cols[:, 0], cols[:, 1], k_hi]]
        out.append(
            _Gap(
                s,
                below,
                above,
                dx[cols[:, 0]] * dy[cols[:, 1]],
                dz[k_lo] / (2 * kz_b),
                dz[k_hi] / (2 * kz_a),
            )
        )
    return tuple(out)


def build_model(
    design: Design, layout: Layout, options: GridOptions | None = None, *, power_in: str = "volume"
) -> FVModel:
    """The finite-volume model of ``layout`` (geometry, grid, sources, probes)."""
    if power_in not in ("volume", "top"):
        raise ValueError(f"power_in must be 'volume' or 'top', not {power_in!r}")
    options = options or GridOptions()
    spec = design.thermal
    pkg = layout.package
    rect = (pkg.x_um, pkg.y_um, pkg.x_max_um, pkg.y_max_um)
    conduction = assemble_blocks(design, layout, build_blocks(design, layout), rect, options)
    grid = conduction.grid
    gaps = _gaps(conduction)
    h0 = radiation_h_w_per_m2_k(
        spec.ambient_c, spec.ambient_c, spec.surface_emissivity, spec.housing_emissivity
    )
    system0 = conduction
    top_fixed = None if spec.top_fixed_c is None else spec.top_fixed_c - spec.ambient_c
    top = face_probe(system0, layout.thickness_um, spec.h_top_w_per_m2_k, top_fixed, rect)
    skin = None
    if spec.has_housing:
        z_skin = layout.thickness_um + spec.housing_gap_um + spec.housing_thickness_um
        skin = face_probe(system0, z_skin, spec.h_top_w_per_m2_k, top_fixed)
    model = FVModel(
        design,
        layout,
        grid,
        build_sources(system0, design, layout, power_in),
        gaps,
        die_probe(system0),
        top,
        skin,
        conduction,
        conduction,
        options,
    )
    return replace(model, system0=model.system({g.slot: h0 for g in gaps}))


def assemble_blocks(
    design: Design,
    layout: Layout,
    blocks: tuple[Block, ...],
    rect_um: tuple[int, int, int, int],
    options: GridOptions,
) -> System:
    """The conduction system (no radiation) of ``blocks`` on the grid of ``options``, at
    its finest over ``rect_um``: the whole model's, or a window's
    (:mod:`layoutopt.thermal.zoom`)."""
    grid = build_grid(
        blocks,
        tuple(p.die_id for p in layout.placements),
        rect_um,
        (0.0, float(layout.thickness_um)),
        **grid_steps(design, layout, options),
    )
    k_xy, k_z = slot_conductivities(grid)
    return assemble(grid, design.thermal, k_xy, k_z)


def grid_steps(design: Design, layout: Layout, options: GridOptions) -> dict[str, object]:
    """The keywords of :func:`layoutopt.thermal.grid.build_grid` for ``options`` on this
    layout: its steps, and the lines at the die edges and the sources' corners."""
    extra_x, extra_y = _source_breaks(design)
    edge_x, edge_y = _edge_lines(layout, options.edge_lines_um, options.edge_dies)
    extra_x = extra_x + edge_x + tuple(options.extra_x_um)
    extra_y = extra_y + edge_y + tuple(options.extra_y_um)
    return {
        "lateral_step_um": options.lateral_step_um,
        "vertical_step_um": options.vertical_step_um,
        "board_step_um": options.board_step_um,
        "growth": options.growth,
        "outer_layer_cells": options.outer_layer_cells,
        "outer_face_cell_um": options.outer_face_cell_um,
        "extra_x_um": extra_x,
        "extra_y_um": extra_y,
    }


def grid_shape(
    design: Design,
    layout: Layout,
    *,
    lateral_step_um: float = 100.0,
    vertical_step_um: float = 100.0,
    options: GridOptions | None = None,
) -> tuple[int, int, int]:
    """Cells in x, y and z of the grid :func:`solve_fv3d` would build (no 3D array is
    made), so a caller can refuse a step that would not fit in memory, or estimate the
    time a check takes. ``options`` (all of them) replaces the two steps."""
    options = options or GridOptions(lateral_step_um, vertical_step_um)
    pkg = layout.package
    xe, ye, ze = grid_edges(
        build_blocks(design, layout),
        (pkg.x_um, pkg.y_um, pkg.x_max_um, pkg.y_max_um),
        (0.0, float(layout.thickness_um)),
        **grid_steps(design, layout, options),  # type: ignore[arg-type]
    )
    return len(xe) - 1, len(ye) - 1, len(ze) - 1


def _edge_lines(
    layout: Layout, distances_um: tuple[float, ...], die_ids: tuple[str, ...] | None
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Lines ``distances_um`` inside and outside the edges of the dies ``die_ids`` (None:
    every die), in x and in y; lines outside the model are dropped by the grid."""
    xs: list[float] = []
    ys: list[float] = []
    for p in layout.placements:
        if die_ids is not None and p.die_id not in die_ids:
            continue
        for d in distances_um:
            for edge in (p.x_um, p.x_um + p.width_um):
                xs += [edge - d, edge + d]
            for edge in (p.y_um, p.y_um + p.length_um):
                ys += [edge - d, edge + d]
    return tuple(xs), tuple(ys)


def _source_breaks(design: Design) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Corners of the surface sources' regions: grid lines, so rectangles fill whole cells."""
    xs: list[float] = []
    ys: list[float] = []
    for s in design.thermal.sources:
        if s.region is not None:
            for x, y in s.region.exterior.coords:
                xs.append(float(x))
                ys.append(float(y))
    return tuple(xs), tuple(ys)


def solve_steady(
    model: FVModel,
    die_w: dict[str, float],
    source_w: dict[str, float],
    *,
    direct_max_cells: int = 2000,
    rtol: float = 1e-6,
    x0: np.ndarray | None = None,
) -> tuple[np.ndarray, System, LinearSolver]:
    """The steady rise over ambient (active cells) for these powers, with the gap
    radiation iterated to its own temperatures. Returns the rise, the final system and the
    solver (its preconditioner can serve further solves)."""
    power = model.sources.vector(die_w, source_w)
    system = model.system0
    solver = LinearSolver(system.matrix, system.ijk, direct_max_cells=direct_max_cells, rtol=rtol)
    theta = solver.solve(_rhs(system, power), x0)
    if not model.gaps:
        return theta, system, solver
    h = model.radiation(theta)
    for _ in range(_RADIATION_MAX_ROUNDS):
        system = model.system(h)
        solver = solver.with_matrix(system.matrix)
        theta = solver.solve(_rhs(system, power), theta)
        h_new = model.radiation(theta)
        change = max(abs(h_new[s] / h[s] - 1.0) for s in h)
        h = h_new
        if change < _RADIATION_RTOL:
            break
    return theta, system, solver


def _rhs(system: System, power: np.ndarray) -> np.ndarray:
    return power + system.boundary_w_per_k * system.boundary_rise_k


@dataclass(frozen=True, eq=False)
class ThermalField:
    """A solved temperature field on a non-uniform grid.

    Arrays are indexed ``[ix, iy, iz]`` (x west to east, y south to north, z up). Cells
    outside the model (void) have temperature NaN and material id -1.
    """

    model: FVModel
    system: System
    theta_k: np.ndarray  # rise over ambient per active cell
    total_power_w: float
    solve_time_s: float = 0.0
    method: str = ""

    @property
    def grid(self) -> Grid:
        return self.model.grid

    @property
    def x_edges_um(self) -> np.ndarray:
        return self.grid.x_edges_um

    @property
    def y_edges_um(self) -> np.ndarray:
        return self.grid.y_edges_um

    @property
    def z_edges_um(self) -> np.ndarray:
        return self.grid.z_edges_um

    @property
    def ambient_c(self) -> float:
        return self.model.design.thermal.ambient_c

    @property
    def temperature_c(self) -> np.ndarray:
        return self.system.to_grid(self.theta_k + self.ambient_c)

    @property
    def material_id(self) -> np.ndarray:
        return self.grid.slot

    @property
    def material_names(self) -> tuple[str, ...]:
        return tuple(b.material.name if not b.gap else b.name for b in self.grid.slots)

    @property
    def die_ids(self) -> tuple[str, ...]:
        return self.grid.die_ids

    @property
    def die_index(self) -> np.ndarray:
        """Index into ``die_ids`` of each cell's die body, -1 outside die bodies."""
        return self.grid.die_index

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.grid.shape

    @property
    def cells(self) -> int:
        return self.grid.cells

    @property
    def package_top_um(self) -> int:
        return self.model.layout.thickness_um

    @property
    def skin_top_um(self) -> float | None:
        return None if self.model.skin is None else self.model.skin.z_um

    def die_stats(self) -> tuple[DieTemperature, ...]:
        """Max and volume-weighted mean temperature of each die body."""
        probe, amb = self.model.dies, self.ambient_c
        design = self.model.design
        mx, mean = probe.max_k(self.theta_k), probe.mean_k(self.theta_k)
        return tuple(
            DieTemperature(d, amb + float(a), amb + float(b), design.die(d).max_junction_c)
            for d, a, b in zip(probe.die_ids, mx, mean, strict=True)
        )

    def hottest(self) -> tuple[float, tuple[float, float, float], str]:
        """(temperature °C, cell centre (x, y, z) µm, die id or "") of the hottest cell."""
        i = int(np.argmax(self.theta_k))
        ix, iy, iz = self.system.ijk[i]
        xyz = tuple(float(self.grid.centres_um(a)[v]) for a, v in enumerate((ix, iy, iz)))
        d = int(self.grid.die_index[ix, iy, iz])
        return (
            self.ambient_c + float(self.theta_k[i]),
            xyz,  # type: ignore[return-value]
            self.grid.die_ids[d] if d >= 0 else "",
        )

    def heat_out_by_face(self) -> tuple[FaceHeat, ...]:
        """Heat leaving through the top (every upward face), the bottom, and the sides (W)."""
        up, down = self.system.boundary_heat_w(self.theta_k)
        return (FaceHeat("top", up), FaceHeat("bottom", down), FaceHeat("sides", 0.0))

    def _layer_index(self, edges: np.ndarray, value_um: float, name: str) -> int:
        if not edges[0] <= value_um <= edges[-1]:
            raise ValueError(f"{name}={value_um} µm is outside the model [{edges[0]}, {edges[-1]}]")
        return int(min(np.searchsorted(edges, value_um, side="right") - 1, len(edges) - 2))

    def top_view(self, layer_z_um: float) -> np.ndarray:
        """Temperatures (°C, NaN in void) of the cell layer containing ``layer_z_um``, [ix, iy]."""
        return self.temperature_c[:, :, self._layer_index(self.z_edges_um, layer_z_um, "z")]

    def section_xz(self, y_um: float) -> np.ndarray:
        """Temperatures (°C, NaN in void) of the cell row containing ``y_um``, [ix, iz]."""
        return self.temperature_c[:, self._layer_index(self.y_edges_um, y_um, "y"), :]

    def face_temperature_c(self, z_um: float) -> np.ndarray:
        """Temperatures (°C) on the horizontal grid plane ``z_um``, [ix, iy] (NaN where no solid)."""
        spec = self.model.design.thermal
        fixed = None if spec.top_fixed_c is None else spec.top_fixed_c - spec.ambient_c
        probe = face_probe(self.system, z_um, spec.h_top_w_per_m2_k, fixed)
        out = np.full(self.shape[:2], np.nan)
        out[probe.columns[:, 0], probe.columns[:, 1]] = self.ambient_c + probe.values_k(
            self.theta_k
        )
        return out

    def top_c(self) -> float:
        """Hottest point of the package top face."""
        return self.ambient_c + self.model.top.max_k(self.theta_k)

    def skin_c(self) -> float | None:
        """Hottest point of the housing's outer face (None without a housing)."""
        skin = self.model.skin
        return None if skin is None else self.ambient_c + skin.max_k(self.theta_k)


def solve_fv3d(
    design: Design,
    layout: Layout,
    *,
    lateral_step_um: float = 100.0,
    vertical_step_um: float = 100.0,
    board_step_um: float = 1000.0,
    growth: float = 1.3,
    edge_lines_um: tuple[float, ...] = (),
    edge_dies: tuple[str, ...] | None = None,
    grid: GridOptions | None = None,
    power_in: str = "volume",
    direct_max_cells: int = 2_000,
    rtol: float = 1e-6,
    die_power_w: dict[str, float] | None = None,
    source_power_w: dict[str, float] | None = None,
) -> ThermalField:
    """Solve the steady temperature field of ``layout``.

    Parameters
    ----------
    lateral_step_um, vertical_step_um, board_step_um, growth, edge_lines_um, edge_dies
        The grid (:class:`GridOptions`), field by field.
    grid
        The grid as one value; when given, it replaces the fields above.
    power_in
        ``"volume"``: die power spread through the die body; ``"top"``: in its top cell layer.
    direct_max_cells
        Above this many cells, preconditioned conjugate gradients replace the direct solve.
    rtol
        Relative residual of the iterative solve.
    die_power_w, source_power_w
        Powers to use instead of the design's (e.g. one phase of a workload); dies and
        sources not named keep their design power.
    """
    t0 = time.perf_counter()
    options = grid or GridOptions(
        lateral_step_um,
        vertical_step_um,
        board_step_um,
        growth,
        edge_lines_um=edge_lines_um,
        edge_dies=edge_dies,
    )
    model = build_model(design, layout, options, power_in=power_in)
    field = solve_model(
        model,
        die_power_w,
        source_power_w,
        direct_max_cells=direct_max_cells,
        rtol=rtol,
    )
    return replace(field, solve_time_s=time.perf_counter() - t0)


def solve_model(
    model: FVModel,
    die_power_w: dict[str, float] | None = None,
    source_power_w: dict[str, float] | None = None,
    *,
    direct_max_cells: int = 2_000,
    rtol: float = 1e-6,
    x0: np.ndarray | None = None,
) -> ThermalField:
    """The steady field of a built ``model`` (:func:`solve_steady`), at the design's powers
    but for the dies and sources named in ``die_power_w`` / ``source_power_w``, its
    iterations started from the rise ``x0`` when given."""
    t0 = time.perf_counter()
    die_w, source_w = model.design_powers()
    die_w.update(die_power_w or {})
    source_w.update(source_power_w or {})
    theta, system, solver = solve_steady(
        model, die_w, source_w, direct_max_cells=direct_max_cells, rtol=rtol, x0=x0
    )
    return ThermalField(
        model,
        system,
        theta,
        total_power_w=float(sum(die_w.values()) + sum(source_w.values())),
        solve_time_s=time.perf_counter() - t0,
        method=solver.method,
    )


def fv3d_report(
    design: Design, layout: Layout, *, around: bool = False, **options: object
) -> ThermalReport:
    """Run :func:`solve_fv3d` and summarise it as a :class:`ThermalReport` (model "fv3d").

    With ``around`` and heat sources around the package (``thermal.sources``,
    ``thermal.bodies``), the report also holds the temperatures without them
    (:class:`~layoutopt.thermal.report.AroundEffect`: one more solve on the same grid).
    """
    field = solve_fv3d(design, layout, **options)  # type: ignore[arg-type]
    report = field_report(design, field)
    if not (around and design.thermal.heat_source_names):
        return report
    return replace(report, around=around_effect(field, options.get("die_power_w")))  # type: ignore[arg-type]


def around_effect(field: ThermalField, die_power_w: dict[str, float] | None = None) -> AroundEffect:
    """The package's temperatures on ``field``'s model with every heat source around the
    package at 0 W (the dies at their design powers, or ``die_power_w``)."""
    model, design = field.model, field.model.design
    die_w, source_w = model.design_powers()
    die_w.update(die_power_w or {})
    off = {name: 0.0 for name in source_w}
    theta, system, solver = solve_steady(model, die_w, off, x0=field.theta_k)
    alone = ThermalField(model, system, theta, float(sum(die_w.values())), method=solver.method)
    report = field_report(design, alone)
    return AroundEffect(
        sources=design.thermal.heat_source_names,
        power_w=field.total_power_w - alone.total_power_w,
        peak_junction_c=report.peak_junction_c,
        top_surface_c=report.top_surface_c,
        skin_c=report.skin_c,
        dies=report.dies,
    )


def field_report(design: Design, field: ThermalField) -> ThermalReport:
    """The :class:`ThermalReport` of a solved field."""
    spec = design.thermal
    dies = field.die_stats()
    hottest_c, xyz, hottest_die = field.hottest()
    if dies:
        top_die = max(dies, key=lambda d: d.max_c)
        hottest_die = top_die.die_id if not hottest_die else hottest_die
    if len(field.model.top.below) == 0:
        raise DesignError("the package top face has no solid cells", field="layout.thickness_um")
    return ThermalReport(
        model="fv3d",
        ambient_c=spec.ambient_c,
        dies=dies,
        top_surface_c=field.top_c(),
        skin_c=field.skin_c(),
        max_top_c=spec.max_top_c,
        max_skin_c=spec.max_skin_c,
        heat_out=field.heat_out_by_face(),
        total_power_w=field.total_power_w,
        hottest_die_id=hottest_die,
        hottest_c=hottest_c,
        hottest_xyz_um=xyz,
        cells=field.cells,
        solve_time_s=field.solve_time_s,
    )
