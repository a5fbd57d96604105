"""Closed forms (and one small solve) for heat spreading in plates, used by the compact model.

- :func:`disc_spreading_k_per_w`: a small source on a finite plate (Lee, Song, Au & Moran
  1995), the constriction the compact network's isothermal nodes leave out;
- :func:`board_fin_conductance_w_per_k`: the board beyond the package as a fin of its real
  outline (a temple strip, an L), a coarse 2D sheet solve;
- :func:`annular_fin_conductance_w_per_k`: the same for an annulus, in closed form (Bessel
  functions), the check of the sheet solve;
- :func:`disk_mean_to_rim_k_per_w` and :func:`annulus_spreading_k_per_w`: sideways drops in
  a heated disc and in an annulus fed at its rim.

Every function is checked against its closed form or limit in
``tests/test_thermal_spreading.py``. SI units throughout (m, W, K) except where a name
says µm.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.linalg import spsolve
from shapely.geometry import Polygon

from layoutopt.thermal.assemble import UM

__all__ = [
    "annular_fin_conductance_w_per_k",
    "annulus_spreading_k_per_w",
    "board_fin_conductance_w_per_k",
    "disc_spreading_k_per_w",
    "disk_mean_to_rim_k_per_w",
]

_FIN_CELLS_PER_LENGTH = 8  # cells per fin length at the package's edges


def annular_fin_conductance_w_per_k(
    r_in_m: float, r_out_m: float, sheet_w_per_k: float, h_w_per_m2_k: float
) -> float:
    """Heat flow per kelvin of base rise into an annular fin with an adiabatic rim (W/K).

    The fin equation ``K (θ'' + θ'/r) = H θ`` for a plate of sheet conductance
    ``K = k_xy t`` losing ``H`` (W/m2/K, both faces together) has the solution
    ``θ = A I0(m r) + B K0(m r)``, ``m = sqrt(H / K)``; with ``θ'(r_out) = 0``:

    ``G = 2 π r_in K m [K1(m r_in) I1(m r_out) - I1(m r_in) K1(m r_out)]
    / [K0(m r_in) I1(m r_out) + I0(m r_in) K1(m r_out)]``

    (Kraus, Aziz & Welty, *Extended Surface Heat Transfer*, Wiley 2001, §3.3; the efficiency
    form is Incropera & DeWitt, *Fundamentals of Heat and Mass Transfer*, Table 3.5).
    Exponentially scaled Bessel functions keep it finite for long fins.

    A 10 mm fin on a 1 m base is nearly straight: its efficiency is that of a straight fin,
    ``tanh(m L) / (m L)`` with ``m L = 0.4``:

    >>> g = annular_fin_conductance_w_per_k(1.0, 1.01, 0.015, 24.0)
    >>> round(g / (24.0 * math.pi * (1.01**2 - 1.0)), 3), round(math.tanh(0.4) / 0.4, 3)
    (0.95, 0.95)
    >>> annular_fin_conductance_w_per_k(0.005, 0.005, 0.015, 24.0)
    0.0
    """
    if r_out_m <= r_in_m:
        return 0.0
    # Here, not at the top: scipy.special costs 0.1-0.5 s to import, and the solve path
    # imports this module (design loading) without calling the compact model's fins.
    from scipy.special import i0e, i1e, k0e, k1e

    m = math.sqrt(h_w_per_m2_k / sheet_w_per_k)
    a, b = m * r_in_m, m * r_out_m
    s = math.exp(2.0 * (a - b))  # the scaled functions carry exp(±x); this is what is left
    num = k1e(a) * i1e(b) - i1e(a) * k1e(b) * s
    den = k0e(a) * i1e(b) + i0e(a) * k1e(b) * s
    return float(2.0 * math.pi * r_in_m * sheet_w_per_k * m * num / den)


def disk_mean_to_rim_k_per_w(sheet_w_per_k: float) -> float:
    """Mean-minus-rim temperature per watt of a disc heated uniformly, drained at its rim.

    Radial conduction ``Q(r) = Q r² / R²`` in a plate of sheet conductance ``K`` gives
    ``θ(r) - θ(R) = Q (R² - r²) / (4 π K R²)``, whose area mean is ``Q / (8 π K)``,
    independent of the radius.

    >>> round(disk_mean_to_rim_k_per_w(1 / (8 * math.pi)), 12)
    1.0
    """
    return 1.0 / (8.0 * math.pi * sheet_w_per_k)


def annulus_spreading_k_per_w(r_in_m: float, r_out_m: float, sheet_w_per_k: float) -> float:
    """Inner-rim-minus-mean temperature per watt of an annulus fed at its inner rim.

    The heat leaves the annulus uniformly over its area (the convective loss of a face
    whose Biot number is small) and not through the outer rim. Radial conduction then
    gives, with ``u = r_out² / (r_out² - r_in²)``:

    ``(θ(r_in) - θ_mean) 2 π K = u² ln(r_out / r_in) - u / 2 - 1 / 4``,

    which tends to ``ln(r_out / r_in) - 3/4`` for a point source (the classic result for a
    disc with a uniform sink) and to 0 as the annulus closes.

    >>> r = annulus_spreading_k_per_w(1e-6, 1.0, 1 / (2 * math.pi))
    >>> round(r - (math.log(1e6) - 0.75), 6)
    0.0
    >>> annulus_spreading_k_per_w(1.0, 1.0, 1.0)
    0.0
    """
    if r_out_m <= r_in_m:
        return 0.0
    u = r_out_m**2 / (r_out_m**2 - r_in_m**2)
    value = u * u * math.log(r_out_m / r_in_m) - 0.5 * u - 0.25
    return max(value, 0.0) / (2.0 * math.pi * sheet_w_per_k)


def disc_spreading_k_per_w(
    source_radius_m: float,
    plate_radius_m: float,
    thickness_m: float,
    k_w_per_m_k: float,
    h_w_per_m2_k: float,
) -> float:
    """Spreading resistance (K/W) of a uniform-flux disc source centred on a disc plate.

    The source (radius ``a``) heats the top of a plate (radius ``b``, thickness ``t``,
    isotropic ``k``) whose rim is adiabatic and whose bottom loses ``h`` to a sink. The
    spreading resistance is the source's mean rise minus the rise of a uniformly heated
    plate, i.e. minus the plate's mean (every non-uniform mode averages to zero over the
    plate). Closed form of Lee, Song, Au & Moran (1995), "Constriction/spreading
    resistance model for electronics packaging", ASME/JSME Thermal Engineering Conf. 4,
    199-206 (also Yovanovich, IEEE Trans. CPT 28(2), 2005, eq. 36):

    ``ε = a/b, τ = t/b, Bi = h b / k, λ = π + 1 / (ε √π),
    Φ = (tanh(λτ) + λ/Bi) / (1 + (λ/Bi) tanh(λτ)),
    R = (1 - ε)^1.5 Φ / (2 √π k a)``.

    It is within ~10 % of the exact Bessel series for ``ε <= 0.5`` and tends to the
    half-space value ``1 / (2 √π k a)`` (exact: ``8 / (3 π² k a)``, 6 % lower) for a
    small source on a thick plate (tests/test_thermal_spreading.py). ``h = 0`` (an
    adiabatic bottom) is its limit ``Φ = 1 / tanh(λτ)``.

    >>> r = disc_spreading_k_per_w(1e-3, 1.0, 1.0, 1.0, 1.0)  # small source, thick plate
    >>> round(r * 2 * math.sqrt(math.pi) * 1.0 * 1e-3, 3)
    0.999
    >>> disc_spreading_k_per_w(1.0, 1.0, 0.1, 1.0, 10.0)  # source covers the plate
    0.0
    """
    eps = min(source_radius_m / plate_radius_m, 1.0)
    if eps >= 1.0 or thickness_m <= 0:
        return 0.0
    lam = math.pi + 1.0 / (eps * math.sqrt(math.pi))
    th = math.tanh(lam * thickness_m / plate_radius_m)
    if h_w_per_m2_k > 0:
        ratio = lam * k_w_per_m_k / (h_w_per_m2_k * plate_radius_m)  # λ / Bi
        phi = (th + ratio) / (1.0 + ratio * th)
    else:
        phi = 1.0 / th
    return (1.0 - eps) ** 1.5 * phi / (2.0 * math.sqrt(math.pi) * k_w_per_m_k * source_radius_m)


def _graded_um(length: float, first: float, growth: float, largest: float) -> np.ndarray:
    """Cell sizes that fill ``length``: ``first``, growing by ``growth`` up to ``largest``,
    scaled to fit."""
    sizes: list[float] = []
    size = first
    while sum(sizes) < length:
        sizes.append(size)
        size = min(size * growth, largest)
    return np.array(sizes) * (length / sum(sizes))


def _cell_edges_um(lo: float, hi: float, cuts: tuple[float, float], first_um: float) -> np.ndarray:
    """Cell edges from ``lo`` to ``hi``, fine next to the package's edges ``cuts`` (the
    fin's steep part) and growing away from them (by 1.3, up to 4 times the first)."""
    c0, c1 = (min(max(c, lo), hi) for c in cuts)
    growth, largest = 1.3, 4 * first_um
    parts = []
    if c0 > lo:  # beyond the package's low edge: fine at the edge
        parts.append(c0 - np.cumsum(_graded_um(c0 - lo, first_um, growth, largest))[::-1])
    if c1 > c0:  # along the package: fine at both ends
        half = np.cumsum(_graded_um(0.5 * (c1 - c0), first_um, growth, largest))
        parts.append(np.concatenate([[c0], c0 + half[:-1], [0.5 * (c0 + c1)], c1 - half[::-1][1:]]))
    parts.append(
        np.concatenate([[c1], c1 + np.cumsum(_graded_um(hi - c1, first_um, growth, largest))])
        if hi > c1
        else np.array([c1])
    )
    return np.unique(np.round(np.concatenate(parts), 6))


def board_fin_conductance_w_per_k(
    board_um: Polygon,
    package_um: tuple[float, float, float, float],
    sheet_w_per_k: float,
    h_w_per_m2_k: float,
) -> float:
    """Heat flow per kelvin from the package's footprint into the board around it (W/K).

    The board beyond the package is a fin of any outline: a plate of sheet conductance
    ``K = k_xy t`` losing ``h`` (W/m²K, both faces together) and adiabatic at its outline,
    held 1 K above the ambient along the package's edge (an adiabatic board, ``h = 0``,
    takes no steady heat: 0). It is solved on a grid of rectangular cells aligned with the
    package's edges, 1/8 of the fin length ``1 / m = sqrt(K / h)`` there and growing by
    1.3 away from them up to half of it, over the board within 5 fin lengths of the
    package (beyond, it carries no heat); a cell belongs to the board when its centre
    does. Against the straight fin of a strip, ``2 K w m tanh(m L)``, it is within 1 %
    (tests/test_thermal_spreading.py); on a square package in a large board within 2 % of
    the same solve converged (its finer grids), slightly low. The annulus of the same area
    overrates the glasses' 10 mm temple strip by 11 %.

    >>> from shapely.geometry import box
    >>> g = board_fin_conductance_w_per_k(box(0, 0, 40000, 10000), (0, 0, 10000, 10000),
    ...                                   0.02, 24.0)
    >>> m = math.sqrt(24.0 / 0.02)
    >>> round(g / (0.02 * 0.01 * m * math.tanh(m * 0.03)), 2)
    0.99
    """
    x0, y0, x1, y1 = board_um.bounds
    px0, py0, px1, py1 = package_um
    if h_w_per_m2_k <= 0:
        return 0.0
    fin_um = math.sqrt(sheet_w_per_k / h_w_per_m2_k) / UM
    # Beyond ~5 fin lengths the board carries no heat: the domain ends there.
    reach = 5.0 * fin_um
    x0, y0 = max(x0, px0 - reach), max(y0, py0 - reach)
    x1, y1 = min(x1, px1 + reach), min(y1, py1 + reach)
    step = fin_um / _FIN_CELLS_PER_LENGTH
    xe = _cell_edges_um(x0, x1, (px0, px1), step)
    ye = _cell_edges_um(y0, y1, (py0, py1), step)
    xc, yc = 0.5 * (xe[1:] + xe[:-1]), 0.5 * (ye[1:] + ye[:-1])
    gx, gy = np.meshgrid(xc, yc, indexing="ij")
    on_board = shapely.contains_xy(board_um, gx, gy)
    base = (gx > px0) & (gx < px1) & (gy > py0) & (gy < py1)
    fin = on_board & ~base
    if not fin.any():
        return 0.0
    dx, dy = np.diff(xe) * UM, np.diff(ye) * UM
    index = np.full(fin.shape, -1)
    index[fin] = np.arange(int(fin.sum()))
    area = np.outer(dx, dy)
    diag = h_w_per_m2_k * area[fin]
    rhs = np.zeros(len(diag))
    rows, cols, vals = [], [], []
    cell_dx, cell_dy = np.meshgrid(dx, dy, indexing="ij")
    for half, width, lo, hi in (
        (0.5 * cell_dx, cell_dy, np.s_[:-1, :], np.s_[1:, :]),  # neighbours in x
        (0.5 * cell_dy, cell_dx, np.s_[:, :-1], np.s_[:, 1:]),  # neighbours in y
    ):
        ia, ib = index[lo], index[hi]
        # Centre to centre across fin cells; centre to the package edge from a fin cell.
        g_ff = sheet_w_per_k * width[lo] / (half[lo] + half[hi])
        both = (ia >= 0) & (ib >= 0)
        rows += [ia[both], ib[both]]
        cols += [ib[both], ia[both]]
        vals += [-g_ff[both], -g_ff[both]]
        np.add.at(diag, ia[both], g_ff[both])
        np.add.at(diag, ib[both], g_ff[both])
        for cell, half_cell, other in ((ia, half[lo], base[hi]), (ib, half[hi], base[lo])):
            edge = (cell >= 0) & other
            g_edge = sheet_w_per_k * width[lo][edge] / half_cell[edge]
            np.add.at(diag, cell[edge], g_edge)
            np.add.at(rhs, cell[edge], g_edge)  # the package edge is held 1 K up
    n = len(diag)
    ids = np.arange(n)
    matrix = sp.csr_matrix(
        (
            np.concatenate([diag, *vals]),
            (np.concatenate([ids, *rows]), np.concatenate([ids, *cols])),
        ),
        shape=(n, n),
    )
    theta = spsolve(matrix, rhs)
    return float(np.sum(h_w_per_m2_k * area[fin] * theta))
