"""Where the heat enters the grid: die bodies (with their power maps) and surface sources.

Each source is precomputed once as a *unit distribution* over the active cells (cell
indices and weights summing to 1); a power vector for any set of powers (a steady check, a
workload phase) is then one weighted sum. In x and y a die's power follows its
``power_map`` (relative densities, rows south to north, columns west to east at rotation
0, turned with the die), integrated exactly over the overlap of each cell with each map
tile; in z it is spread through the die body (``power_in="volume"``) or put in its top
cell layer (``"top"``). A surface source spreads uniformly over its region's exact overlap
with the cells of its face's outer cell layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from layoutopt.errors import DesignError
from layoutopt.model import Design, Layout
from layoutopt.thermal.around import board_top_um, body_rect_um, body_span_um
from layoutopt.thermal.assemble import System
from layoutopt.thermal_spec import HeatBody, SourceFace, SurfaceSource

__all__ = ["Sources", "build_sources", "die_power_share"]


@dataclass(frozen=True, eq=False)
class Sources:
    """Unit distributions of every die, surface source and body over the active cells."""

    n: int
    dies: dict[str, tuple[np.ndarray, np.ndarray]]
    surfaces: dict[str, tuple[np.ndarray, np.ndarray]]
    bodies: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def vector(self, die_w: dict[str, float], source_w: dict[str, float]) -> np.ndarray:
        """Watts per active cell for these die and source powers (ids missing: 0 W);
        ``source_w`` holds the surface sources' and the bodies' powers by name."""
        out = np.zeros(self.n)
        for table, powers in (
            (self.dies, die_w),
            (self.surfaces, source_w),
            (self.bodies, source_w),
        ):
            for name in sorted(powers):
                if powers[name] > 0 and name in table:
                    idx, weight = table[name]
                    out += np.bincount(idx, weight * powers[name], minlength=self.n)
        return out


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


def die_power_share(
    design: Design, layout: Layout, die_id: str, rect_um: tuple[float, float, float, float]
) -> float:
    """The share of die ``die_id``'s power inside ``rect_um`` (x0, y0, x1, y1), by its
    power map when it has one (a window of :mod:`layoutopt.thermal.zoom` keeps that part).

    >>> from layoutopt.thermal.samples import epop_sample
    >>> design, layout = epop_sample()
    >>> p = layout.placement("C0")  # its map: 1, 1 in the south row, 1, 3 in the north
    >>> west = (p.x_um, p.y_um, p.x_um + p.width_um / 2, p.y_um + p.length_um)
    >>> round(die_power_share(design, layout, "C0", west), 3)
    0.333
    """
    p = layout.placement(die_id)
    dmap = _rotated_map(design.die(die_id).power_map, p.rotation_deg)
    x0, y0, x1, y1 = rect_um
    ox = _overlap(np.array([x0, x1], float), p.x_um, p.x_um + p.width_um, dmap.shape[1])[0]
    oy = _overlap(np.array([y0, y1], float), p.y_um, p.y_um + p.length_um, dmap.shape[0])[0]
    tx, ty = p.width_um / dmap.shape[1], p.length_um / dmap.shape[0]
    return float((dmap * np.outer(oy, ox)).sum() / (dmap * ty * tx).sum())


def _sparse(system: System, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A grid-shaped weight array as (active index, weight), normalised to sum 1."""
    keep = (weights > 0) & (system.index >= 0)
    idx, w = system.index[keep], weights[keep]
    return idx, w / w.sum()


def _die_distribution(
    system: System, design: Design, layout: Layout, die_id: str, power_in: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """The die's unit distribution, computed over its own box of cells (its body is a
    block, so its cells lie inside its rect): over the whole grid it was 0.17 s a die,
    170 s at 1,000 dies."""
    grid = system.grid
    p = layout.placement(die_id)
    dmap = _rotated_map(design.die(die_id).power_map, p.rotation_deg)

    def span(edges: np.ndarray, lo: float, hi: float) -> slice:
        return slice(int(np.searchsorted(edges, lo)), int(np.searchsorted(edges, hi)))

    sx = span(grid.x_edges_um, p.x_um, p.x_um + p.width_um)
    sy = span(grid.y_edges_um, p.y_um, p.y_um + p.length_um)
    sz = span(grid.z_edges_um, p.z_bottom_um, p.z_top_um)
    ox = _overlap(
        grid.x_edges_um[sx.start : sx.stop + 1], p.x_um, p.x_um + p.width_um, dmap.shape[1]
    )
    oy = _overlap(
        grid.y_edges_um[sy.start : sy.stop + 1], p.y_um, p.y_um + p.length_um, dmap.shape[0]
    )
    pxy = ox @ (dmap / dmap.sum()).T @ oy.T  # (nx, ny) of the box, relative
    dz = np.diff(grid.z_edges_um)[sz]
    wz = dz / dz.sum() if power_in == "volume" else np.eye(len(dz))[-1]
    weights = pxy[:, :, None] * wz[None, None, :]
    weights[grid.die_index[sx, sy, sz] != grid.die_ids.index(die_id)] = 0.0
    keep = (weights > 0) & (system.index[sx, sy, sz] >= 0)
    if not keep.any():
        return None
    idx, w = system.index[sx, sy, sz][keep], weights[keep]
    return idx, w / w.sum()


def _face_layer(system: System, design: Design, layout: Layout, face: SourceFace) -> int:
    grid, spec = system.grid, design.thermal
    if face is SourceFace.BOARD_TOP:
        return grid.layer_below(board_top_um(design))
    if face is SourceFace.BOARD_BOTTOM:
        return 0
    return grid.layer_below(layout.thickness_um + spec.housing_gap_um + spec.housing_thickness_um)


def _surface_distribution(
    system: System, design: Design, layout: Layout, source: SurfaceSource
) -> tuple[np.ndarray, np.ndarray]:
    grid = system.grid
    k = _face_layer(system, design, layout, source.face)
    xe, ye = grid.x_edges_um, grid.y_edges_um
    cells = shapely.box(xe[:-1, None], ye[None, :-1], xe[1:, None], ye[None, 1:])  # (nx, ny) boxes
    solid = grid.active[:, :, k]
    if source.region is None:
        area = np.where(solid, shapely.area(cells), 0.0)
    else:
        area = np.where(solid, shapely.area(shapely.intersection(cells, source.region)), 0.0)
    if not np.any(area > 0):
        raise DesignError(
            f"source {source.name!r} does not touch its face ({source.face.value})",
            field=f"thermal.sources[{source.name}].region",
            fix="place the region over the board (the same frame as envelope.outline)",
        )
    weights = np.zeros(grid.shape)
    weights[:, :, k] = area
    return _sparse(system, weights)


def _body_distribution(
    system: System, design: Design, layout: Layout, body: HeatBody
) -> tuple[np.ndarray, np.ndarray]:
    """The body's heated layers, uniform per volume (their faces are grid lines)."""
    grid = system.grid
    x0, y0, x1, y1 = body_rect_um(body, layout.package)
    z = body_span_um(design, body)[0]
    inside = np.zeros(grid.shape[2], bool)
    zc = grid.centres_um(2)
    for layer in body.layers:
        if layer.heated:
            inside |= (zc > z) & (zc < z + layer.thickness_um)
        z += layer.thickness_um
    xc, yc = grid.centres_um(0), grid.centres_um(1)
    mask = (
        ((xc > x0) & (xc < x1))[:, None, None]
        & ((yc > y0) & (yc < y1))[None, :, None]
        & inside[None, None, :]
    )
    weights = np.where(mask, grid.volumes_um3(), 0.0)
    if not np.any(weights[system.index >= 0] > 0):
        raise DesignError(
            f"body {body.name!r} has no heated cell in the model",
            field=f"thermal.around[{body.name}].layers",
            fix="mark the layer that dissipates heated: true",
        )
    return _sparse(system, weights)


def build_sources(system: System, design: Design, layout: Layout, power_in: str) -> Sources:
    """Unit distributions of every placed die, surface source and body of ``design``."""
    dies = {}
    for p in layout.placements:
        dist = _die_distribution(system, design, layout, p.die_id, power_in)
        if dist is not None:
            dies[p.die_id] = dist
    surfaces = {
        s.name: _surface_distribution(system, design, layout, s) for s in design.thermal.sources
    }
    bodies = {
        b.name: _body_distribution(system, design, layout, b)
        for b in design.thermal.bodies
        if any(layer.heated for layer in b.layers)
    }
    return Sources(system.n, dies, surfaces, bodies)
