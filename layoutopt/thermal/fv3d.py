"""Steady 3D finite-volume conduction model of a package on its board.

Method
------
- Geometry comes from :func:`layoutopt.thermal.stackup.build_blocks` (board, balls, substrate
  or RDL, mold, joints, dies, housing wall). The grid is *non-uniform* and conforming: every
  block edge (die edges, package edges, board edges) is a grid line in x and y, and every
  layer boundary is a grid plane in z; intervals longer than the maximum step are split into
  equal parts. Each cell therefore holds exactly one material.
- Cells outside every block (above the board beyond the package) are *void*: they are not
  unknowns; a solid face next to void is adiabatic on the sides and convective upwards
  (``h_top``) or downwards (``h_bottom``), so the board top around the package cools too.
- Anisotropic conductivity: the conductance between two cells is the face area over the sum
  of the two half-cell resistances (the harmonic mean of k at the face).
- Boundaries: an exposed top face loses heat to ambient through ``1/h_top`` in series with
  the half cell; the bottom of the board likewise with ``h_bottom``; ``top_fixed_c`` /
  ``bottom_fixed_c`` replace the outermost top / bottom face by a fixed temperature (a
  cold plate); the sides are adiabatic.
- Sources: a die's power is spread over its body (``power_in="volume"``) or its top cell
  layer (``"top"``); in x and y it follows the die's ``power_map`` (relative densities, rows
  south to north, columns west to east at rotation 0, turned with the die), integrated
  exactly over the overlap of each cell with each map tile.
- Assembly is vectorised (COO to CSR, no Python loop over cells). The system for the rise
  over ambient is symmetric positive definite; it is solved directly (SuperLU) up to
  ``direct_max_cells`` cells, and above by conjugate gradients preconditioned with the exact
  inverse of the vertical (z-line) part of the matrix: heat crosses thin layers far more
  easily than it spreads sideways, and that preconditioner removes exactly this stiffness.
  No AMG package is needed (pyamg is not installed).

All geometry is in µm; it is converted to metres once, in :func:`_assemble`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.linalg import lapack

from layoutopt.errors import DesignError
from layoutopt.model import Design, Layout
from layoutopt.thermal.materials import check_thermal_inputs, conductivity
from layoutopt.thermal.report import DieTemperature, FaceHeat, ThermalReport
from layoutopt.thermal.stackup import Block, build_blocks

__all__ = ["ThermalField", "fv3d_report", "grid_shape", "solve_fv3d"]

_UM = 1e-6  # metres per micrometre: the one unit conversion of this module


@dataclass(frozen=True, eq=False)
class ThermalField:
    """A solved temperature field on a non-uniform grid.

    Arrays are indexed ``[ix, iy, iz]`` (x west to east, y south to north, z up). Cells
    outside the model (void) have temperature NaN and material id -1.
    """

    x_edges_um: np.ndarray
    y_edges_um: np.ndarray
    z_edges_um: np.ndarray
    temperature_c: np.ndarray
    material_id: np.ndarray
    material_names: tuple[str, ...]
    material_k_z_w_per_m_k: tuple[float, ...]
    die_index: np.ndarray  # index into die_ids, -1 outside die bodies
    die_ids: tuple[str, ...]
    die_limits_c: tuple[float, ...]
    ambient_c: float
    h_top_w_per_m2_k: float
    top_fixed_c: float | None
    total_power_w: float
    heat_out_w: tuple[FaceHeat, ...]
    package_rect_um: tuple[int, int, int, int]  # x0, y0, x1, y1
    package_top_um: int
    skin_top_um: int | None
    solve_time_s: float = 0.0
    method: str = ""

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.temperature_c.shape  # type: ignore[return-value]

    @property
    def cells(self) -> int:
        return int(np.count_nonzero(self.material_id >= 0))

    def _centres(self, edges: np.ndarray) -> np.ndarray:
        return 0.5 * (edges[:-1] + edges[1:])

    def die_stats(self) -> tuple[DieTemperature, ...]:
        """Max and volume-weighted mean temperature of each die body."""
        vol = (
            np.diff(self.x_edges_um)[:, None, None]
            * np.diff(self.y_edges_um)[None, :, None]
            * np.diff(self.z_edges_um)[None, None, :]
        )
        stats = []
        for i, (die_id, limit) in enumerate(zip(self.die_ids, self.die_limits_c, strict=True)):
            mask = self.die_index == i
            t = self.temperature_c[mask]
            w = vol[mask]
            stats.append(
                DieTemperature(die_id, float(t.max()), float((t * w).sum() / w.sum()), limit)
            )
        return tuple(stats)

    def hottest(self) -> tuple[float, tuple[float, float, float], str]:
        """(temperature °C, cell centre (x, y, z) µm, die id or "") of the hottest cell."""
        flat = int(np.nanargmax(self.temperature_c))
        i, j, k = np.unravel_index(flat, self.shape)
        xyz = (
            float(self._centres(self.x_edges_um)[i]),
            float(self._centres(self.y_edges_um)[j]),
            float(self._centres(self.z_edges_um)[k]),
        )
        d = int(self.die_index[i, j, k])
        return float(self.temperature_c[i, j, k]), xyz, self.die_ids[d] if d >= 0 else ""

    def heat_out_by_face(self) -> tuple[FaceHeat, ...]:
        """Heat leaving through the top (every upward face), the bottom, and the sides (W)."""
        return self.heat_out_w

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
        """Temperatures (°C) on the horizontal grid plane ``z_um``, [ix, iy] (NaN where no solid).

        Inside the model the face value interpolates the two cells by their half-cell
        conductances; on an exposed top face it follows from the convective boundary.
        """
        k = int(np.searchsorted(self.z_edges_um, z_um))
        if k >= len(self.z_edges_um) or not math.isclose(self.z_edges_um[k], z_um):
            raise ValueError(f"z={z_um} µm is not a grid plane")
        dz = np.diff(self.z_edges_um) * _UM
        kz = np.array((*self.material_k_z_w_per_m_k, 0.0))
        out = np.full(self.shape[:2], np.nan)
        if k == 0:
            return out
        below_t = self.temperature_c[:, :, k - 1]
        g_below = 2 * kz[self.material_id[:, :, k - 1]] / dz[k - 1]
        if k < self.shape[2]:
            above_t = self.temperature_c[:, :, k]
            g_above = 2 * kz[self.material_id[:, :, k]] / dz[k]
        else:
            above_t = np.full(self.shape[:2], np.nan)
            g_above = np.zeros(self.shape[:2])
        inner = (g_below > 0) & (g_above > 0)
        out[inner] = (g_below * below_t + g_above * np.nan_to_num(above_t))[inner] / (
            g_below + g_above
        )[inner]
        exposed = (g_below > 0) & (g_above == 0)
        if self.top_fixed_c is not None and k == self.shape[2]:
            out[exposed] = self.top_fixed_c
        else:
            h = self.h_top_w_per_m2_k
            rise = below_t - self.ambient_c
            out[exposed] = (self.ambient_c + rise * g_below / (g_below + h))[exposed]
        return out

    def max_face_c(self, z_um: float) -> float:
        """Hottest point of the horizontal face ``z_um`` over the package footprint."""
        x0, y0, x1, y1 = self.package_rect_um
        xc, yc = self._centres(self.x_edges_um), self._centres(self.y_edges_um)
        inside = ((xc > x0) & (xc < x1))[:, None] & ((yc > y0) & (yc < y1))[None, :]
        return float(np.nanmax(self.face_temperature_c(z_um)[inside]))


def _subdivide(breaks: np.ndarray, max_step_um: float) -> np.ndarray:
    """Grid edges through every break point, no interval longer than ``max_step_um``."""
    lengths = np.diff(breaks)
    parts = np.maximum(1, np.ceil(lengths / max_step_um - 1e-9)).astype(int)
    pieces = [
        np.linspace(a, b, n, endpoint=False)
        for a, b, n in zip(breaks[:-1], breaks[1:], parts, strict=True)
    ]
    return np.concatenate([*pieces, breaks[-1:]]).astype(float)


def _rotated_map(power_map: tuple[tuple[float, ...], ...] | None, rotation_deg: int) -> np.ndarray:
    """The relative power map turned with the die, [row south->north, column west->east].

    With row 0 at the south, a counter-clockwise turn of the die is ``np.rot90(m, -k)``.
    """
    if power_map is None:
        return np.ones((1, 1))
    return np.rot90(np.asarray(power_map, dtype=float), -(rotation_deg // 90))


def _overlap(edges: np.ndarray, lo: float, hi: float, tiles: int) -> np.ndarray:
    """Overlap (µm) of each grid interval with each of ``tiles`` equal tiles of [lo, hi]."""
    tile_edges = np.linspace(lo, hi, tiles + 1)
    a = np.maximum(edges[:-1, None], tile_edges[None, :-1])
    b = np.minimum(edges[1:, None], tile_edges[None, 1:])
    return np.clip(b - a, 0.0, None)


def _grid_edges(
    blocks: tuple[Block, ...], lateral_step_um: float, vertical_step_um: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    def edges(lo: str, hi: str, step: float) -> np.ndarray:
        breaks = np.unique([v for b in blocks for v in (getattr(b, lo), getattr(b, hi))])
        return _subdivide(breaks.astype(float), step)

    return (
        edges("x0_um", "x1_um", lateral_step_um),
        edges("y0_um", "y1_um", lateral_step_um),
        edges("z0_um", "z1_um", vertical_step_um),
    )


def grid_shape(
    design: Design,
    layout: Layout,
    *,
    lateral_step_um: float = 100.0,
    vertical_step_um: float = 100.0,
) -> tuple[int, int, int]:
    """Cells in x, y and z of the grid :func:`solve_fv3d` would build (no 3D array is
    made), so a caller can refuse a step that would not fit in memory."""
    xe, ye, ze = _grid_edges(build_blocks(design, layout), lateral_step_um, vertical_step_um)
    return len(xe) - 1, len(ye) - 1, len(ze) - 1


def solve_fv3d(
    design: Design,
    layout: Layout,
    *,
    lateral_step_um: float = 100.0,
    vertical_step_um: float = 100.0,
    power_in: str = "volume",
    direct_max_cells: int = 2_000,
    coarse_factor: int = 4,
    rtol: float = 1e-6,
) -> ThermalField:
    """Solve the steady temperature field of ``layout``.

    Parameters
    ----------
    lateral_step_um, vertical_step_um
        Largest cell size in x/y and in z (layers thinner than that keep one cell).
    power_in
        ``"volume"``: die power spread through the die body; ``"top"``: in its top cell layer.
    direct_max_cells
        Above this many cells, preconditioned conjugate gradients replace the direct solve.
    rtol
        Relative residual of the iterative solve. 1e-6 is ample: on the 12 x 12 mm ePOP at
        100 um it moves the peak by 3e-7 K from a 1e-10 solve, at half the time
        (benchmarks/bench_thermal.py).
    """
    if power_in not in ("volume", "top"):
        raise ValueError(f"power_in must be 'volume' or 'top', not {power_in!r}")
    if lateral_step_um <= 0 or vertical_step_um <= 0:
        raise ValueError("grid steps must be positive")
    check_thermal_inputs(design)
    spec = design.thermal
    blocks = build_blocks(design, layout)

    # --- grid and materials -------------------------------------------------------------
    xe, ye, ze = _grid_edges(blocks, lateral_step_um, vertical_step_um)
    shape = (len(xe) - 1, len(ye) - 1, len(ze) - 1)
    names: list[str] = []
    k_table: list[tuple[float, float]] = []
    mat = np.full(shape, -1, dtype=np.int32)
    die_ids = tuple(p.die_id for p in layout.placements)
    die_index = np.full(shape, -1, dtype=np.int32)

    def span(edges: np.ndarray, lo: int, hi: int) -> slice:
        return slice(int(np.searchsorted(edges, lo)), int(np.searchsorted(edges, hi)))

    for b in blocks:
        if b.thickness_um <= 0 or b.area_um2 <= 0:
            continue
        if b.material not in names:
            k_table.append(conductivity(design, b.material, field=b.field))
            names.append(b.material)
        sx, sy, sz = (
            span(xe, b.x0_um, b.x1_um),
            span(ye, b.y0_um, b.y1_um),
            span(ze, b.z0_um, b.z1_um),
        )
        mat[sx, sy, sz] = names.index(b.material)
        die_index[sx, sy, sz] = -1
        if b.die_id is not None:
            die_index[sx, sy, sz] = die_ids.index(b.die_id)

    # --- sources --------------------------------------------------------------------------
    power = np.zeros(shape)
    for p in layout.placements:
        die = design.die(p.die_id)
        if die.power_w <= 0:
            continue
        dmap = _rotated_map(die.power_map, p.rotation_deg)
        ox = _overlap(xe, p.x_um, p.x_um + p.width_um, dmap.shape[1])
        oy = _overlap(ye, p.y_um, p.y_um + p.length_um, dmap.shape[0])
        tile_area = (p.width_um / dmap.shape[1]) * (p.length_um / dmap.shape[0])
        density = dmap / (dmap.sum() * tile_area)  # per µm², integrates to 1 over the die
        pxy = ox @ density.T @ oy.T * die.power_w  # (nx, ny) watts
        sz = span(ze, p.z_bottom_um, p.z_top_um)
        dz = np.diff(ze)[sz]
        wz = np.zeros_like(dz)
        if power_in == "volume":
            wz = dz / dz.sum()
        else:
            wz[-1] = 1.0
        power[:, :, sz] += pxy[:, :, None] * wz[None, None, :]

    field = _assemble_and_solve(
        xe,
        ye,
        ze,
        mat,
        np.array(k_table).reshape(-1, 2),
        power,
        spec,
        direct_max_cells,
        coarse_factor,
        rtol,
    )
    theta, heat_out, solve_s, method = field
    temperature = np.where(mat >= 0, theta + spec.ambient_c, np.nan)
    pkg = layout.package
    return ThermalField(
        x_edges_um=xe,
        y_edges_um=ye,
        z_edges_um=ze,
        temperature_c=temperature,
        material_id=mat,
        material_names=tuple(names),
        material_k_z_w_per_m_k=tuple(float(k[1]) for k in k_table),
        die_index=die_index,
        die_ids=die_ids,
        die_limits_c=tuple(design.die(d).max_junction_c for d in die_ids),
        ambient_c=spec.ambient_c,
        h_top_w_per_m2_k=spec.h_top_w_per_m2_k,
        top_fixed_c=spec.top_fixed_c,
        total_power_w=float(power.sum()),
        heat_out_w=heat_out,
        package_rect_um=(pkg.x_um, pkg.y_um, pkg.x_max_um, pkg.y_max_um),
        package_top_um=layout.thickness_um,
        skin_top_um=layout.thickness_um + spec.housing_thickness_um
        if spec.housing_thickness_um > 0
        else None,
        solve_time_s=solve_s,
        method=method,
    )


def _assemble_and_solve(
    xe, ye, ze, mat, k_table, power, spec, direct_max_cells, coarse_factor, rtol
):
    """Build the conductance matrix for the rise over ambient and solve it."""
    t0 = time.perf_counter()
    dx, dy, dz = np.diff(xe) * _UM, np.diff(ye) * _UM, np.diff(ze) * _UM
    active = mat >= 0
    n = int(active.sum())
    idx = np.full(mat.shape, -1, dtype=np.int64)
    idx[active] = np.arange(n)  # C order: z fastest, so each column is contiguous
    safe = np.where(active, mat, 0)
    # Half-cell resistivity 1/k; void is infinitely resistive, which zeroes its conductances.
    r_xy = np.where(active, 1.0 / k_table[safe, 0], np.inf)
    r_z = np.where(active, 1.0 / k_table[safe, 1], np.inf)

    rows, cols, vals = [], [], []
    zrows, zcols, zvals = [], [], []

    def couple(axis: int, r: np.ndarray, d: np.ndarray, area: np.ndarray) -> None:
        half = r * np.expand_dims(d, [a for a in range(3) if a != axis]) / 2
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[axis], hi[axis] = slice(None, -1), slice(1, None)
        g = area / (half[tuple(lo)] + half[tuple(hi)])
        a, b = idx[tuple(lo)], idx[tuple(hi)]
        keep = (g > 0) & (a >= 0) & (b >= 0)
        a, b, g = a[keep], b[keep], g[keep]
        target = (zrows, zcols, zvals) if axis == 2 else (rows, cols, vals)
        target[0].extend([a, b])
        target[1].extend([b, a])
        target[2].extend([-g, -g])
        # Diagonal part of the coupling.
        diag_rows.extend([a, b])
        diag_vals.extend([g, g])

    diag_rows: list[np.ndarray] = []
    diag_vals: list[np.ndarray] = []
    couple(0, r_xy, dx, (dy[:, None] * dz[None, :])[None, :, :])
    couple(1, r_xy, dy, (dx[:, None] * dz[None, :])[:, None, :])
    couple(2, r_z, dz, (dx[:, None] * dy[None, :])[:, :, None])

    # Boundary faces: exposed up (void above or the model top) and down.
    area_xy = (dx[:, None] * dy[None, :])[:, :, None]
    above_void = np.concatenate([~active[:, :, 1:], np.ones((*mat.shape[:2], 1), bool)], axis=2)
    below_void = np.concatenate([np.ones((*mat.shape[:2], 1), bool), ~active[:, :, :-1]], axis=2)
    half_z = r_z * dz[None, None, :] / 2  # m²K/W per unit area
    bc_g = np.zeros(mat.shape)
    bc_theta = np.zeros(mat.shape)  # boundary temperature rise over ambient
    face_of = {}
    for face, exposed, h, fixed, outer in (
        ("top", active & above_void, spec.h_top_w_per_m2_k, spec.top_fixed_c, mat.shape[2] - 1),
        ("bottom", active & below_void, spec.h_bottom_w_per_m2_k, spec.bottom_fixed_c, 0),
    ):
        g = np.where(exposed, area_xy / (np.where(exposed, half_z, 1.0) + 1.0 / h), 0.0)
        if fixed is not None:
            # The outermost face only (cold plate on the package top or under the board).
            plate = np.zeros(mat.shape, bool)
            plate[:, :, outer] = exposed[:, :, outer]
            g = np.where(plate, area_xy / np.where(plate, half_z, 1.0), g)
            bc_theta = np.where(plate, fixed - spec.ambient_c, bc_theta)
        bc_g += g
        face_of[face] = g
    bc_g_a = bc_g[active]
    diag = np.bincount(np.concatenate(diag_rows), np.concatenate(diag_vals), minlength=n) + bc_g_a
    rhs = power[active] + bc_g_a * bc_theta[active]

    all_rows = np.concatenate([*rows, *zrows, np.arange(n)])
    all_cols = np.concatenate([*cols, *zcols, np.arange(n)])
    all_vals = np.concatenate([*vals, *zvals, diag])
    matrix = sp.coo_matrix((all_vals, (all_rows, all_cols)), shape=(n, n)).tocsr()
    if n <= direct_max_cells:
        theta_a = spla.spsolve(matrix.tocsc(), rhs)
        method = "direct"
    else:
        theta_a, method = _pcg_multigrid(matrix, rhs, np.column_stack(np.nonzero(active)), rtol)
    theta = np.zeros(mat.shape)
    theta[active] = theta_a
    heat = []
    for face in ("top", "bottom"):
        g = face_of[face]
        heat.append(FaceHeat(face, float((g * (theta - bc_theta))[active & (g > 0)].sum())))
    heat.append(FaceHeat("sides", 0.0))  # adiabatic by construction
    return theta, tuple(heat), time.perf_counter() - t0, method


class _ZLines:
    """Exact solve with the z-line part of a matrix (unknowns ordered column by column).

    In that ordering the vertical couplings of a column sit on the first off-diagonal, so
    the z-line part is a symmetric positive definite tridiagonal matrix: factorised once
    with LAPACK ``dpttrf`` and applied with ``dpttrs`` (sequential, no thread contention).
    """

    def __init__(self, a: sp.csr_matrix, ijk: np.ndarray) -> None:
        same_column = (ijk[1:, 0] == ijk[:-1, 0]) & (ijk[1:, 1] == ijk[:-1, 1])
        off = np.where(same_column, a.diagonal(1), 0.0)
        self.d, self.e, info = lapack.dpttrf(a.diagonal().copy(), off)
        if info != 0:
            raise RuntimeError(f"z-line factorisation failed (info {info})")

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        x, _info = lapack.dpttrs(self.d, self.e, rhs)
        return x


class _ZLineMultigrid:
    """A symmetric V-cycle: z-line relaxation with lateral (x, y) semi-coarsening.

    Why this pair: in a package some layers conduct far better sideways than vertically
    (silicon, substrate and board planes) and others far better vertically (thin joints,
    mold over thin cells). Exact z-line relaxation removes every error the vertical
    coupling makes stiff; coarsening only in x and y (2 x 2 cell aggregates, each z-layer
    kept) removes the errors that are smooth sideways, which are what lateral spreading
    leaves. Coarse operators are Galerkin products with piecewise-constant prolongation;
    the coarsest level is solved directly. Used as a preconditioner for conjugate gradients.
    """

    def __init__(
        self, matrix: sp.csr_matrix, ijk: np.ndarray, omega: float = 0.8, coarsest_cells: int = 4000
    ) -> None:
        self.omega = omega
        self.levels: list[tuple[sp.csr_matrix, object, sp.csr_matrix | None]] = []
        a = matrix
        while True:
            if a.shape[0] <= coarsest_cells or (ijk[:, 0].max() < 2 and ijk[:, 1].max() < 2):
                self.levels.append((a, spla.splu(a.tocsc()), None))
                break
            coarse_ijk = np.column_stack([ijk[:, 0] // 2, ijk[:, 1] // 2, ijk[:, 2]])
            nz = int(ijk[:, 2].max()) + 1
            ny = int(coarse_ijk[:, 1].max()) + 1
            key = (coarse_ijk[:, 0] * ny + coarse_ijk[:, 1]) * nz + coarse_ijk[:, 2]
            unique, agg = np.unique(key, return_inverse=True)
            n = a.shape[0]
            prolong = sp.csr_matrix((np.ones(n), (np.arange(n), agg)), shape=(n, len(unique)))
            self.levels.append((a, _ZLines(a, ijk), prolong))
            a = (prolong.T @ a @ prolong).tocsr()
            ijk = np.column_stack([unique // nz // ny, unique // nz % ny, unique % nz])

    def solve(self, rhs: np.ndarray, level: int = 0) -> np.ndarray:
        a, lu, prolong = self.levels[level]
        if prolong is None:
            return lu.solve(rhs)
        x = self.omega * lu.solve(rhs)
        x += prolong @ self.solve(prolong.T @ (rhs - a @ x), level + 1)
        x += self.omega * lu.solve(rhs - a @ x)
        return x


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    # Not BLAS: a threaded BLAS dot spins badly on a busy 2-core machine (measured 16 ms
    # for 87k entries under load, against 0.1 ms for this).
    return float(np.add.reduce(a * b))


def _pcg(matrix: sp.csr_matrix, rhs: np.ndarray, precondition, rtol: float, maxiter: int = 500):
    """Preconditioned conjugate gradients (textbook) until ||r|| <= rtol ||b||."""
    x = np.zeros_like(rhs)
    r = rhs.copy()
    stop = rtol * np.sqrt(_dot(rhs, rhs))
    z = precondition(r)
    p = z.copy()
    rz = _dot(r, z)
    if np.sqrt(_dot(r, r)) <= stop:  # x = 0 already solves it (no power, no fixed faces)
        return x, 0
    for it in range(1, maxiter + 1):
        q = matrix @ p
        alpha = rz / _dot(p, q)
        x += alpha * p
        r -= alpha * q
        if np.sqrt(_dot(r, r)) <= stop:
            return x, it
        z = precondition(r)
        rz_new = _dot(r, z)
        p = z + (rz_new / rz) * p
        rz = rz_new
    raise RuntimeError(f"thermal CG did not converge in {maxiter} iterations; coarsen the grid")


def _pcg_multigrid(
    matrix: sp.csr_matrix, rhs: np.ndarray, ijk: np.ndarray, rtol: float
) -> tuple[np.ndarray, str]:
    """Conjugate gradients preconditioned by one :class:`_ZLineMultigrid` V-cycle."""
    mg = _ZLineMultigrid(matrix, ijk)
    x, iterations = _pcg(matrix, rhs, mg.solve, rtol)
    return x, f"pcg z-line multigrid ({iterations} iterations, {len(mg.levels)} levels)"


def fv3d_report(design: Design, layout: Layout, **options: object) -> ThermalReport:
    """Run :func:`solve_fv3d` and summarise it as a :class:`ThermalReport` (model "fv3d")."""
    field = solve_fv3d(design, layout, **options)  # type: ignore[arg-type]
    return field_report(design, field)


def field_report(design: Design, field: ThermalField) -> ThermalReport:
    """The :class:`ThermalReport` of a solved field."""
    spec = design.thermal
    dies = field.die_stats()
    hottest_c, xyz, hottest_die = field.hottest()
    if dies:
        top_die = max(dies, key=lambda d: d.max_c)
        hottest_die = top_die.die_id if not hottest_die else hottest_die
    top_c = field.max_face_c(field.package_top_um)
    skin_c = None if field.skin_top_um is None else field.max_face_c(field.skin_top_um)
    if not np.isfinite(top_c):
        raise DesignError("the package top face has no solid cells", field="layout.thickness_um")
    return ThermalReport(
        model="fv3d",
        ambient_c=spec.ambient_c,
        dies=dies,
        top_surface_c=top_c,
        skin_c=skin_c,
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
