"""The finite-volume equations of a grid: conductances, heat capacities and boundaries.

- The conductance between two cells is the face area over the sum of their half-cell
  resistances (the harmonic mean of k at the face), with anisotropic k (x/y and z).
- An exposed top face (void or the model top above it) loses heat to the ambient through
  ``1/h_top`` in series with the half cell; an exposed bottom face likewise with
  ``h_bottom``; h = 0 makes the face adiabatic. ``top_fixed_c`` / ``bottom_fixed_c`` hold
  the outermost top / bottom cell layer's exposed faces at a fixed temperature (a cold
  plate). Side faces are adiabatic.
- The unknown is the rise over ambient, ``G θ = P + g_bc θ_bc``; the matrix is symmetric
  positive definite as long as one face conducts to a boundary (checked on the input).
- Heat capacity of a cell: ρ·c of its material times its volume.

Assembly is vectorised (COO to CSR, no Python loop over cells). All lengths in µm are
converted to metres once, here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from layoutopt.thermal.grid import Grid
from layoutopt.thermal.materials import heat_capacity_j_per_m3_k
from layoutopt.thermal_spec import ThermalSpec

__all__ = ["System", "assemble", "capacities_j_per_k", "slot_conductivities", "with_couplings"]

UM = 1e-6  # metres per micrometre


@dataclass(frozen=True, eq=False)
class System:
    """``matrix @ θ = power + boundary_w_per_k * boundary_rise_k`` over the active cells.

    Active cells are numbered in C order of the grid (z fastest), so each column of cells is
    contiguous: the z-line preconditioner relies on it.
    """

    grid: Grid
    index: np.ndarray  # grid shape -> active index, -1 for void
    ijk: np.ndarray  # (n, 3) grid indices of the active cells
    matrix: sp.csr_matrix  # W/K, boundary conductances on the diagonal
    boundary_w_per_k: np.ndarray
    boundary_rise_k: np.ndarray
    up_w_per_k: np.ndarray  # the part of boundary_w_per_k through upward faces
    k_xy: np.ndarray  # per slot, W/m/K
    k_z: np.ndarray

    @property
    def n(self) -> int:
        return self.matrix.shape[0]

    def boundary_heat_w(self, theta: np.ndarray) -> tuple[float, float]:
        """(out through upward faces, out through downward faces) at the rise ``theta``."""
        flow = self.boundary_w_per_k * (theta - self.boundary_rise_k)
        up = np.divide(
            self.up_w_per_k,
            self.boundary_w_per_k,
            out=np.zeros(self.n),
            where=self.boundary_w_per_k > 0,
        )
        return float(np.sum(flow * up)), float(np.sum(flow * (1.0 - up)))

    def to_grid(self, theta: np.ndarray, fill: float = np.nan) -> np.ndarray:
        out = np.full(self.grid.shape, fill)
        out[self.grid.active] = theta
        return out


def slot_conductivities(grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """(k_xy, k_z) per slot (W/m/K)."""
    k_xy = np.array([b.material.k_xy_w_per_m_k for b in grid.slots])
    k_z = np.array([b.material.k_z_w_per_m_k for b in grid.slots])
    return k_xy, k_z


def with_couplings(system: System, a: np.ndarray, b: np.ndarray, g: np.ndarray) -> System:
    """``system`` with conductances ``g`` (W/K) added between active cells ``a`` and ``b``
    (e.g. radiation across a gap): symmetric, so the matrix stays positive definite."""
    n = system.n
    extra = sp.coo_matrix(
        (
            np.concatenate([-g, -g, g, g]),
            (np.concatenate([a, b, a, b]), np.concatenate([b, a, a, b])),
        ),
        shape=(n, n),
    ).tocsr()
    return replace(system, matrix=(system.matrix + extra).tocsr())


def capacities_j_per_k(system: System) -> np.ndarray:
    """Heat capacity of each active cell (J/K); a material without ρc is a DesignError."""
    grid = system.grid
    rho_c = np.array(
        [
            heat_capacity_j_per_m3_k(b.material, field=f"blocks[{b.name}].material")
            for b in grid.slots
        ]
    )
    volume_m3 = grid.volumes_um3()[grid.active] * UM**3
    return rho_c[grid.slot[grid.active]] * volume_m3


def _couplings(
    index: np.ndarray, r: np.ndarray, d: np.ndarray, area: np.ndarray, axis: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell a, cell b, conductance) of every face between two active cells along ``axis``."""
    half = r * np.expand_dims(d, [a for a in range(3) if a != axis]) / 2
    lo = [slice(None)] * 3
    hi = [slice(None)] * 3
    lo[axis], hi[axis] = slice(None, -1), slice(1, None)
    g = area / (half[tuple(lo)] + half[tuple(hi)])
    a, b = index[tuple(lo)], index[tuple(hi)]
    keep = (g > 0) & (a >= 0) & (b >= 0)
    return a[keep], b[keep], g[keep]


def assemble(grid: Grid, spec: ThermalSpec, k_xy: np.ndarray, k_z: np.ndarray) -> System:
    """The conductance matrix and boundary terms of ``grid`` under ``spec``."""
    dx, dy, dz = (np.diff(e) * UM for e in (grid.x_edges_um, grid.y_edges_um, grid.z_edges_um))
    active = grid.active
    n = int(active.sum())
    index = np.full(grid.shape, -1, dtype=np.int64)
    index[active] = np.arange(n)  # C order: z fastest, so each column is contiguous
    safe = np.where(active, grid.slot, 0)
    # Half-cell resistivity 1/k; void is infinitely resistive, which zeroes its conductances.
    r_xy = np.where(active, 1.0 / k_xy[safe], np.inf)
    r_z = np.where(active, 1.0 / k_z[safe], np.inf)
    faces = [
        _couplings(index, r_xy, dx, (dy[:, None] * dz[None, :])[None, :, :], 0),
        _couplings(index, r_xy, dy, (dx[:, None] * dz[None, :])[:, None, :], 1),
        _couplings(index, r_z, dz, (dx[:, None] * dy[None, :])[:, :, None], 2),
    ]
    bc_g, bc_theta, up_g = _boundaries(grid, spec, r_z, dz, dx, dy)
    rows = np.concatenate([x for a, b, _ in faces for x in (a, b)] + [np.arange(n)])
    cols = np.concatenate([x for a, b, _ in faces for x in (b, a)] + [np.arange(n)])
    diag = bc_g[active].copy()
    for a, b, g in faces:
        diag += np.bincount(a, g, minlength=n) + np.bincount(b, g, minlength=n)
    vals = np.concatenate([x for _, _, g in faces for x in (-g, -g)] + [diag])
    matrix = sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    return System(
        grid=grid,
        index=index,
        ijk=np.column_stack(np.nonzero(active)),
        matrix=matrix,
        boundary_w_per_k=bc_g[active],
        boundary_rise_k=bc_theta[active],
        up_w_per_k=up_g[active],
        k_xy=k_xy,
        k_z=k_z,
    )


def _boundaries(
    grid: Grid, spec: ThermalSpec, r_z: np.ndarray, dz: np.ndarray, dx: np.ndarray, dy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-cell boundary conductance, boundary rise over ambient, and its upward part."""
    active = grid.active
    shape = grid.shape
    area_xy = (dx[:, None] * dy[None, :])[:, :, None]
    above_void = np.concatenate([~active[:, :, 1:], np.ones((*shape[:2], 1), bool)], axis=2)
    below_void = np.concatenate([np.ones((*shape[:2], 1), bool), ~active[:, :, :-1]], axis=2)
    half_z = r_z * dz[None, None, :] / 2  # m²K/W per unit area
    bc_g = np.zeros(shape)
    bc_theta = np.zeros(shape)
    up_g = np.zeros(shape)
    for face, exposed, h, fixed, outer in (
        ("top", active & above_void, spec.h_top_w_per_m2_k, spec.top_fixed_c, shape[2] - 1),
        ("bottom", active & below_void, spec.h_bottom_w_per_m2_k, spec.bottom_fixed_c, 0),
    ):
        half = np.where(exposed, half_z, 1.0)
        g = np.where(exposed, area_xy * h / (1.0 + h * half), 0.0)
        if fixed is not None:
            # The outermost face only (cold plate on the package top or under the board).
            plate = np.zeros(shape, bool)
            plate[:, :, outer] = exposed[:, :, outer]
            g = np.where(plate, area_xy / half, g)
            bc_theta = np.where(plate, fixed - spec.ambient_c, bc_theta)
        bc_g += g
        if face == "top":
            up_g = g
    return bc_g, bc_theta, up_g
