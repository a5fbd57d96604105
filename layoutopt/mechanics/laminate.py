"""Thermal bending of layered plates: Timoshenko's bimetal, Hsueh's multilayer, and columns.

All three solve the same problem, a plate of perfectly bonded elastic layers whose free
thermal strains differ, under the Kirchhoff assumption (plane sections stay plane, so the
strain is linear through the thickness): ``eps(z) = eps0 + kappa * z`` with z up, and
in-plane force and moment vanish. ``kappa > 0`` means the top stretches more than the
bottom: the plate bows up in the middle (corners down).

- :func:`bimetal_curvature`: Timoshenko's closed form for two layers (J. Opt. Soc. Am. 11
  (1925) 233; domain_data.md §8.6 'Bimetal curvature (Timoshenko)', H).
- :func:`multilayer_curvature`: Hsueh's closed form for n layers through the uniform strain
  ``c`` and the bending axis ``t_b`` (Thin Solid Films 418 (2002) 182; §8.6 'Multilayer
  closed form', H), written for free strains ``e_i`` (the integral of the CTE over the
  temperature change, so a CTE that steps at Tg is exact) and signed as above.
- :func:`columns_curvature`: several columns of layers side by side (a die column and the
  mold around it), bonded so that the whole package shares one mid-plane strain and one
  curvature. It is Hsueh's problem with every layer's stiffness weighted by its column's
  area: the force and moment balances are summed over the columns (the in-plane
  "equal-strain" mixture of classical lamination theory, NASA RP-1351, §8.6, M).

Moduli here are the *biaxial* moduli ``E / (1 - nu)`` for a plate under equi-biaxial
thermal load; for a beam (Timoshenko's strip) pass the Young's moduli themselves. Units are
the caller's, as long as they are consistent (lengths in m give curvature in 1/m).

Examples
--------
Equal thickness and modulus (Timoshenko's special case ``kappa = 3 d_alpha dT / (2 h)``):

>>> bimetal_curvature(0.5, 0.5, 1.0, 1.0, free_strain_bottom=0.0, free_strain_top=3e-4)
0.00045
>>> multilayer_curvature([(0.5, 1.0, 0.0), (0.5, 1.0, 3e-4)])  # doctest: +ELLIPSIS
0.00045...
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "Ply",
    "bimetal_curvature",
    "columns_curvature",
    "grouped_curvatures",
    "multilayer_curvature",
    "sagitta",
]

#: One layer as (thickness, modulus, free thermal strain), listed bottom to top.
Ply = tuple[float, float, float]


def bimetal_curvature(
    t_bottom: float,
    t_top: float,
    e_bottom: float,
    e_top: float,
    *,
    free_strain_bottom: float,
    free_strain_top: float,
) -> float:
    """Timoshenko's bimetal curvature (1/length), signed: > 0 when the top expands more.

    ``kappa = 6 (e2 - e1) (1 + m)^2 / (h [3 (1 + m)^2 + (1 + m n) (m^2 + 1 / (m n))])`` with
    ``m = t1 / t2``, ``n = E1 / E2``, ``h = t1 + t2``; layer 1 at the bottom, and the free
    strains ``e = alpha * dT`` in place of Timoshenko's ``alpha * dT``.

    >>> k = bimetal_curvature(0.1, 0.2, 130.0, 18.0, free_strain_bottom=-150 * 2.6e-6,
    ...                       free_strain_top=-150 * 11e-6)  # Si on EMC cooled by 150 K, mm
    >>> round(abs(k), 5)  # 1/mm (domain_data.md §8.6 worked example: 6.18e-3 /mm)
    0.00618
    """
    m = t_bottom / t_top
    n = e_bottom / e_top
    h = t_bottom + t_top
    numerator = 6.0 * (free_strain_top - free_strain_bottom) * (1.0 + m) ** 2
    denominator = h * (3.0 * (1.0 + m) ** 2 + (1.0 + m * n) * (m * m + 1.0 / (m * n)))
    return numerator / denominator


def multilayer_curvature(plies: Sequence[Ply]) -> float:
    """Hsueh's multilayer curvature of ``plies`` (bottom first), signed as the module says.

    With ``h_i`` the top of layer i (``h_0 = 0``) and ``E_i`` its modulus:
    ``c = sum(E t e) / sum(E t)``, ``t_b = sum(E t (2 h_{i-1} + t)) / (2 sum(E t))`` and
    ``kappa = -3 sum(E t (c - e)(2 h_{i-1} + t)) /
    sum(E t [6 h_{i-1}^2 + 6 h_{i-1} t + 2 t^2 - 3 t_b (2 h_{i-1} + t)])``.
    (Hsueh writes the numerator without the minus sign for his z axis, pointing down.)
    """
    t, modulus, strain = (np.asarray(col, dtype=float) for col in zip(*plies, strict=True))
    h_below = np.concatenate(([0.0], np.cumsum(t)[:-1]))
    et = modulus * t
    c = float((et * strain).sum() / et.sum())
    lever = 2.0 * h_below + t
    t_b = float((et * lever).sum() / (2.0 * et.sum()))
    numerator = -3.0 * float((et * (c - strain) * lever).sum())
    denominator = float(
        (et * (6 * h_below**2 + 6 * h_below * t + 2 * t**2 - 3 * t_b * lever)).sum()
    )
    return numerator / denominator


def columns_curvature(
    z0: np.ndarray,
    z1: np.ndarray,
    modulus: np.ndarray,
    strain: np.ndarray,
    weight: np.ndarray,
) -> tuple[float, float]:
    """(mid-plane strain at z = 0, curvature) of columns bonded into one plate.

    Each array has one entry per layer of every column: its bottom and top ``z0``, ``z1``,
    its modulus, its free strain, and its column's area as ``weight``. The force and moment
    balances ``[A B; B D] [eps0; kappa] = [N; M]`` are summed over all layers; one column
    alone gives exactly :func:`multilayer_curvature`.
    """
    ew = modulus * weight
    a = float((ew * (z1 - z0)).sum())
    b = float((ew * (z1**2 - z0**2)).sum() / 2.0)
    d = float((ew * (z1**3 - z0**3)).sum() / 3.0)
    n = float((ew * strain * (z1 - z0)).sum())
    m = float((ew * strain * (z1**2 - z0**2)).sum() / 2.0)
    det = a * d - b * b
    return (d * n - b * m) / det, (a * m - b * n) / det


def grouped_curvatures(
    z0: np.ndarray,
    z1: np.ndarray,
    modulus: np.ndarray,
    strain: np.ndarray,
    weight: np.ndarray,
    group: np.ndarray,
    n: int,
) -> np.ndarray:
    """:func:`columns_curvature` of each of ``n`` groups of layers at once (``group``: the
    group index of each layer), NaN for a group with no stiff layer. One pass over the
    layers: the warpage report's per-column curvatures were one masked pass per column,
    O(columns x layers) (45 s of 133 s at 1,000 dies)."""

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=values, minlength=n)

    ew = modulus * weight
    a = total(ew * (z1 - z0))
    b = total(ew * (z1**2 - z0**2)) / 2.0
    d = total(ew * (z1**3 - z0**3)) / 3.0
    nn = total(ew * strain * (z1 - z0))
    m = total(ew * strain * (z1**2 - z0**2)) / 2.0
    det = a * d - b * b
    stiff = total(np.abs(modulus)) > 0
    out = np.full(n, np.nan)
    out[stiff] = (a[stiff] * m[stiff] - b[stiff] * nn[stiff]) / det[stiff]
    return out


def sagitta(curvature: float, chord: float) -> float:
    """Bow over ``chord`` of a plate with uniform ``curvature``: ``kappa L^2 / 8``
    (domain_data.md §8.6 'Bow over a chord L from uniform curvature'; use the diagonal for
    corner-to-corner warpage).

    >>> sagitta(6.177e-3, 12.42)  # 1/mm, mm: Si on EMC over an 8 x 9.5 mm diagonal
    0.119...
    """
    return curvature * chord * chord / 8.0
