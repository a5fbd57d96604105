"""What is read off a temperature field: die maxima and means, face temperatures.

Precomputed once per grid as index arrays, so reading them at every time step costs a few
vector operations. Values are rises over ambient (K) on the active-cell vector ``theta``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from layoutopt.thermal.assemble import UM, System

__all__ = ["DieProbe", "FaceProbe", "die_probe", "face_probe"]


@dataclass(frozen=True, eq=False)
class DieProbe:
    """Cells of each die body and their volumes."""

    die_ids: tuple[str, ...]
    cells: tuple[np.ndarray, ...]
    volumes: tuple[np.ndarray, ...]

    def max_k(self, theta: np.ndarray) -> np.ndarray:
        return np.array([theta[c].max() for c in self.cells])

    def mean_k(self, theta: np.ndarray) -> np.ndarray:
        return np.array(
            [(theta[c] * v).sum() / v.sum() for c, v in zip(self.cells, self.volumes, strict=True)]
        )


def die_probe(system: System) -> DieProbe:
    """Each die's cells (active indices, in grid order) and volumes, from one sort of the
    die cells (one mask per die over the whole grid was 27 s at 1,000 dies)."""
    grid = system.grid
    flat = grid.die_index.reshape(-1)
    where = np.flatnonzero(flat >= 0)
    where = where[np.argsort(flat[where], kind="stable")]  # by die, grid order within
    present, starts = np.unique(flat[where], return_index=True)
    index = system.index.reshape(-1)[where]
    vol = grid.volumes_um3().reshape(-1)[where]
    bounds = [*starts[1:].tolist(), where.size][: len(starts)]  # no die cells: none
    spans = [slice(int(a), b) for a, b in zip(starts, bounds, strict=True)]
    return DieProbe(
        tuple(grid.die_ids[int(i)] for i in present),
        tuple(index[s] for s in spans),
        tuple(vol[s] for s in spans),
    )


@dataclass(frozen=True, eq=False)
class FaceProbe:
    """The horizontal grid plane ``z_um`` over a set of columns.

    Inside the model a face value interpolates the two cells by their half-cell
    conductances; on an exposed face it follows from the convective boundary (or is the
    fixed temperature of a cold plate).
    """

    z_um: float
    columns: np.ndarray  # (m, 2) column indices (ix, iy)
    below: np.ndarray  # active index of the cell below the face
    above: np.ndarray  # active index above, -1 where exposed
    g_below: np.ndarray  # half-cell conductance per area, W/m²K
    g_above: np.ndarray
    h_w_per_m2_k: float
    fixed_rise_k: float | None  # the face is a fixed-temperature plate

    def values_k(self, theta: np.ndarray) -> np.ndarray:
        tb = theta[self.below]
        inner = self.above >= 0
        ta = np.where(inner, theta[np.maximum(self.above, 0)], 0.0)
        out = np.where(
            inner,
            (self.g_below * tb + self.g_above * ta) / (self.g_below + self.g_above),
            tb * self.g_below / (self.g_below + self.h_w_per_m2_k),
        )
        if self.fixed_rise_k is not None:
            out = np.where(inner, out, self.fixed_rise_k)
        return out

    def max_k(self, theta: np.ndarray) -> float:
        return float(self.values_k(theta).max())


def face_probe(
    system: System,
    z_um: float,
    h_w_per_m2_k: float,
    fixed_rise_k: float | None,
    rect_um: tuple[float, float, float, float] | None = None,
) -> FaceProbe:
    """The face at grid plane ``z_um`` over the columns whose centres lie in ``rect_um``
    (all columns when None) and that have a solid cell under the plane."""
    grid = system.grid
    kb = grid.layer_below(z_um)
    xc, yc = grid.centres_um(0), grid.centres_um(1)
    inside = np.ones(grid.shape[:2], bool)
    if rect_um is not None:
        x0, y0, x1, y1 = rect_um
        inside = ((xc > x0) & (xc < x1))[:, None] & ((yc > y0) & (yc < y1))[None, :]
    below_idx = system.index[:, :, kb]
    cols = np.argwhere(inside & (below_idx >= 0))
    dz = np.diff(grid.z_edges_um) * UM
    below = below_idx[cols[:, 0], cols[:, 1]]
    slot_b = grid.slot[cols[:, 0], cols[:, 1], kb]
    g_below = 2 * system.k_z[slot_b] / dz[kb]
    if kb + 1 < grid.shape[2]:
        above = system.index[cols[:, 0], cols[:, 1], kb + 1]
        slot_a = grid.slot[cols[:, 0], cols[:, 1], kb + 1]
        g_above = np.where(above >= 0, 2 * system.k_z[np.maximum(slot_a, 0)] / dz[kb + 1], 0.0)
    else:
        above = np.full(len(cols), -1)
        g_above = np.zeros(len(cols))
    plate = fixed_rise_k if kb + 1 == grid.shape[2] else None
    return FaceProbe(z_um, cols, below, above, g_below, g_above, h_w_per_m2_k, plate)
