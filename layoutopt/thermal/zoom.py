"""A refined window around one die, bounded by a coarse solution (global-local analysis).

Where the loop's coarse grid reads a die's hottest point too close to its limit, the die
needs fine lines at its edges and at its neighbours' facing edges
(:mod:`layoutopt.thermal.loop`). On the whole model every such line runs across the
whole tensor grid; here the model is cut to a window (the die grown by
:data:`WINDOW_UM` on every side, full height: board, package, housing) and the window's
cut faces are held at the coarse field's temperatures (a Dirichlet condition: each
boundary cell couples to the cut face through its half cell). Inside, the same blocks,
materials and powers as the full model; a die cut by the window keeps the power of its
part inside.

Why it holds: the coarse grid's error is concentrated at the die corners that face a
hotter die (a corner singularity, silicon beside mold); a window edge lies
:data:`WINDOW_UM` from the die, where the coarse field is smooth, and by the maximum
principle an error on the cut faces reaches the inside no larger than it is there.
Measured against the converged reference (100 µm with lines at 5, 20 and 60 µm;
benchmarks/README.md, "Thermal: the loop's grid"): ePOP sample C0 +0.08 %, M1 +0.03 %;
CMC C0 +0.30 %, DRAM0 +0.08 %, DRAM2 +0.31 %, C3 +0.77 % (the coarse grid alone: -9 to
-11 % on the CMC's). Against the whole model on the same refined grid, with the ePOP
sample's controller moved to eight random places: within 0.07 % (C0 and M1;
tests/test_thermal_zoom.py holds three to 0.5 %). The cut faces' own error is not
bounded beyond these measurements.

It refuses (returns None for) what it does not cut cleanly: surface sources and bodies
around the package (their power would have to be split), air gaps in the window (a
housing's, a PoP's: their radiation is linearised over the whole face) and outlines the
window would cut in two; the loop then refines the whole model instead.
"""

from __future__ import annotations

import math
from dataclasses import replace
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from shapely.geometry import box

from layoutopt.model import Design, Layout
from layoutopt.thermal.assemble import UM, System
from layoutopt.thermal.fv3d import GridOptions, ThermalField, assemble_blocks, grid_steps
from layoutopt.thermal.grid import grid_edges
from layoutopt.thermal.linear import LinearSolver
from layoutopt.thermal.power import build_sources, die_power_share
from layoutopt.thermal.probes import die_probe, face_probe
from layoutopt.thermal.stackup import Block, build_blocks

if TYPE_CHECKING:  # imported on first use: 0.3 s that a solve with no near die never needs
    from scipy.interpolate import RegularGridInterpolator

__all__ = [
    "WINDOW_UM",
    "Reading",
    "rise_at",
    "rise_interpolator",
    "window_area_share",
    "window_cells",
    "window_max_c",
]

# How far the window reaches beyond the die: past the neighbours within the loop's 1 mm
# and the mold gap to them, where the coarse field has no corner singularity left.
WINDOW_UM = 2000


def rise_interpolator(field: ThermalField) -> RegularGridInterpolator:
    """``field``'s rise (K) as a function of points (µm, shape (n, 3)): trilinear between
    cell centres, each void cell read as its nearest solid one (air beside the package is
    not at the ambient), constant beyond the outer centres. Built once per field (the
    nearest-solid transform is most of its cost)."""
    from scipy import ndimage
    from scipy.interpolate import RegularGridInterpolator

    grid = field.grid
    rise = field.temperature_c - field.ambient_c
    void = np.isnan(rise)
    if void.any():
        nearest = ndimage.distance_transform_edt(void, return_distances=False, return_indices=True)
        rise = rise[tuple(nearest)]
    return RegularGridInterpolator(
        tuple(grid.centres_um(a) for a in range(3)), rise, bounds_error=False, fill_value=None
    )


def rise_at(field: ThermalField, points_um: np.ndarray) -> np.ndarray:
    """``field``'s rise (K) at these points (:func:`rise_interpolator`)."""
    return rise_interpolator(field)(points_um)  # type: ignore[no-any-return]


class _Uncut(Exception):
    """A block the window cannot cut into one box or polygon (an outline cut in two)."""


def _clip(block: Block, window: tuple[float, float, float, float]) -> Block | None:
    """``block`` inside the window (None: none of it is)."""
    x0, y0, x1, y1 = window
    bx0, by0 = max(block.x0_um, x0), max(block.y0_um, y0)
    bx1, by1 = min(block.x1_um, x1), min(block.y1_um, y1)
    if bx1 <= bx0 or by1 <= by0:
        return None
    region = block.region
    if region is not None:
        region = region.intersection(box(bx0, by0, bx1, by1))
        if region.is_empty or region.area <= 0:
            return None
        if region.geom_type != "Polygon":
            raise _Uncut(block.name)
    return replace(
        block, x0_um=int(bx0), y0_um=int(by0), x1_um=int(bx1), y1_um=int(by1), region=region
    )


def _window(layout: Layout, die_id: str, bounds) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    r = layout.placement(die_id).rect
    x0, y0, x1, y1 = bounds
    return (
        max(r.x_um - WINDOW_UM, int(x0)),
        max(r.y_um - WINDOW_UM, int(y0)),
        min(r.x_max_um + WINDOW_UM, int(x1)),
        min(r.y_max_um + WINDOW_UM, int(y1)),
    )


def _cut_faces(
    system: System, coarse: RegularGridInterpolator, window, bounds
) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """Conductance (W/K) of each cell to the cut faces of the window and the coarse rise
    there (conductance-weighted), for the window edges that lie inside the model."""
    grid = system.grid
    xe, ye, ze = grid.x_edges_um, grid.y_edges_um, grid.z_edges_um
    dx, dy, dz = (np.diff(e) * UM for e in (xe, ye, ze))
    g = np.zeros(system.n)
    q = np.zeros(system.n)
    active = system.index >= 0
    k_xy = system.k_xy[np.maximum(grid.slot, 0)]
    xc, yc, zc = (grid.centres_um(a) for a in range(3))
    sides = []
    if window[0] > bounds[0]:
        sides.append((0, 0, xe[0]))
    if window[2] < bounds[2]:
        sides.append((0, grid.shape[0] - 1, xe[-1]))
    if window[1] > bounds[1]:
        sides.append((1, 0, ye[0]))
    if window[3] < bounds[3]:
        sides.append((1, grid.shape[1] - 1, ye[-1]))
    for axis, i, at in sides:
        sl = [slice(None)] * 3
        sl[axis] = slice(i, i + 1)
        cells = active[tuple(sl)]
        idx = system.index[tuple(sl)][cells]
        if axis == 0:
            a, b = np.meshgrid(yc, zc, indexing="ij")
            area = np.outer(dy, dz)
            half = 0.5 * dx[i]
            pts = np.column_stack([np.full(a.size, at), a.ravel(), b.ravel()])
        else:
            a, b = np.meshgrid(xc, zc, indexing="ij")
            area = np.outer(dx, dz)
            half = 0.5 * dy[i]
            pts = np.column_stack([a.ravel(), np.full(a.size, at), b.ravel()])
        face_rise = coarse(pts).reshape(a.shape)
        cond = (k_xy[tuple(sl)].squeeze(axis) * area / half)[cells.squeeze(axis)]
        np.add.at(g, idx, cond)
        np.add.at(q, idx, cond * face_rise[cells.squeeze(axis)])
    return g, q


def _bounds(field: ThermalField) -> tuple[float, float, float, float]:
    g = field.grid
    return (g.x_edges_um[0], g.y_edges_um[0], g.x_edges_um[-1], g.y_edges_um[-1])


def window_area_share(layout: Layout, die_ids: tuple[str, ...], coarse: ThermalField) -> float:
    """The windows' areas around these dies over the model's (above 1, one refined solve of
    the whole model costs less than the windows)."""
    b = _bounds(coarse)
    total = 0.0
    for d in die_ids:
        x0, y0, x1, y1 = _window(layout, d, b)
        total += (x1 - x0) * (y1 - y0)
    return total / ((b[2] - b[0]) * (b[3] - b[1]))


def _cut(
    design: Design, layout: Layout, die_id: str, coarse: ThermalField
) -> tuple[tuple[int, int, int, int], tuple[Block, ...], tuple[int, int, int, int]] | None:
    """The window around ``die_id``, the blocks inside it and the package's part of it;
    None where a window does not apply (see the module docstring) or would cover over half
    the model."""
    spec = design.thermal
    if spec.sources or spec.bodies:
        return None
    bounds = _bounds(coarse)
    window = _window(layout, die_id, bounds)
    area = (window[2] - window[0]) * (window[3] - window[1])
    if area > 0.5 * (bounds[2] - bounds[0]) * (bounds[3] - bounds[1]):
        return None
    try:
        kept = tuple(
            c for c in (_clip(b, window) for b in build_blocks(design, layout)) if c is not None
        )
    except _Uncut:
        return None
    if any(b.gap for b in kept):
        return None  # air gaps radiate across, linearised over their whole face
    pkg = layout.package
    rect = (
        max(pkg.x_um, window[0]),
        max(pkg.y_um, window[1]),
        min(pkg.x_max_um, window[2]),
        min(pkg.y_max_um, window[3]),
    )
    return window, kept, rect


def window_cells(
    design: Design, layout: Layout, die_id: str, grid: GridOptions, coarse: ThermalField
) -> int | None:
    """The cells of the window :func:`window_max_c` would solve (its grid's size; no
    3D array is built), or None where it does not apply: what the window costs."""
    cut = _cut(design, layout, die_id, coarse)
    if cut is None:
        return None
    _, kept, rect = cut
    steps = grid_steps(design, layout, grid)
    edges = grid_edges(kept, rect, (0.0, float(layout.thickness_um)), **steps)  # type: ignore[arg-type]
    return math.prod(len(e) - 1 for e in edges)


def _solve_window(
    design: Design,
    layout: Layout,
    die_id: str,
    grid: GridOptions,
    coarse: ThermalField,
    rtol: float,
) -> tuple[System, np.ndarray, tuple[int, int, int, int]] | None:
    """The window around ``die_id`` solved on ``grid``, bounded by the ``coarse`` field:
    its system, the rise of its cells and the package's part of it (None: no window)."""
    cut = _cut(design, layout, die_id, coarse)
    if cut is None:
        return None
    window, kept, rect = cut
    system = assemble_blocks(design, layout, kept, rect, grid)
    fine = system.grid
    coarse_rise = rise_interpolator(coarse)
    g_cut, q_cut = _cut_faces(system, coarse_rise, window, _bounds(coarse))
    matrix = (system.matrix + sp.diags(g_cut)).tocsr()
    sources = build_sources(system, design, layout, "volume")
    die_w = {
        p.die_id: design.die(p.die_id).power_w * die_power_share(design, layout, p.die_id, window)
        for p in layout.placements
    }
    rhs = sources.vector(die_w, {}) + system.boundary_w_per_k * system.boundary_rise_k + q_cut
    x0 = coarse_rise(np.column_stack([fine.centres_um(a)[system.ijk[:, a]] for a in range(3)]))
    theta = LinearSolver(matrix, system.ijk, rtol=rtol).solve(rhs, x0)
    return system, theta, rect


class Reading(Enum):
    """What a window reads: its die's hottest point, or the package top's inside it."""

    DIE = "die"
    TOP = "top"


def window_max_c(
    design: Design,
    layout: Layout,
    die_id: str,
    grid: GridOptions,
    coarse: ThermalField,
    *,
    reading: Reading = Reading.DIE,
    rtol: float = 1e-4,
) -> tuple[float, int] | None:
    """The hottest point (°C) of die ``die_id`` (or of the package top inside the window,
    ``Reading.TOP``) on ``grid`` solved in a window around the die, bounded by the
    ``coarse`` field, and the window's cells; None where the window does not apply (see
    the module docstring) or would cover over half the model, and for the top under a
    housing (its skin is not read here)."""
    spec = design.thermal
    if reading is Reading.TOP and spec.has_housing:
        return None
    solved = _solve_window(design, layout, die_id, grid, coarse, rtol)
    if solved is None:
        return None
    system, theta, rect = solved
    if reading is Reading.DIE:
        probe = die_probe(system)
        hottest = float(theta[probe.cells[probe.die_ids.index(die_id)]].max())
    else:
        fixed = None if spec.top_fixed_c is None else spec.top_fixed_c - spec.ambient_c
        top = face_probe(system, layout.thickness_um, spec.h_top_w_per_m2_k, fixed, rect)
        hottest = top.max_k(theta) if len(top.below) else math.nan
    return (spec.ambient_c + hottest, system.n) if math.isfinite(hottest) else None
