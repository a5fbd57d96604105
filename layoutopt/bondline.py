"""The bond line of a micro-bumped die stack (HBM), from its structure.

Between two dies of a TSV stack lies a layer ``height`` thick of micro-bumps (signal bumps
over the TSV arrays, thermal dummy bumps elsewhere) in a fill: liquid mold underfill in
MR-MUF, a non-conductive film in TC-NCF. Its conductivity follows from the bumps' area
fraction ``phi`` (the sum over bump arrays of ``coverage * pi d^2 / (4 p^2)``):

* **through the plane**, bumps and fill conduct in parallel::

      k_z = phi * K_BUMP_Z + (1 - phi) * k_fill_z

  ``K_BUMP_Z`` is an *effective* bump conductivity that carries the solder, its
  intermetallics and the constriction into the pads. It is fitted to the one published
  measurement we have, Colgan et al. (domain_data.md §4.1 'Micro-bump + underfill unit
  thermal resistance', H): 8.0 / 15.5 / 19.0 °C·mm²/W at 50 / 71 / 100 µm pitch, for 25 µm
  bumps 16.1 µm high (§3.2 'Micro-bump (3D stacks)', H) in a capillary underfill of
  0.5 W/(m·K) (§4.1 'Standard capillary underfill' 0.4-0.6, E). The least-squares fit of the
  relative errors gives 7.5 W/(m·K); the model then reads 8.6 / 13.6 / 19.1 °C·mm²/W
  (+7.5 / -12 / +0.5 %). Bulk solder (~57 W/(m·K), §4.1 'SAC solder', E) would read 1.4 at
  50 µm: the interfaces, not the solder, set the resistance.
* **in the plane**, the bumps are parallel cylinders across the heat flow; Rayleigh's
  (Maxwell-Garnett) mixing rule for cylinders in a matrix::

      k_xy = k_f ((1 + phi) k_b + (1 - phi) k_f) / ((1 - phi) k_b + (1 + phi) k_f)

  with the bulk solder conductivity ``K_BUMP_XY`` (no interface lies across a lateral path).

The **height** of a mass-reflowed bond line (MR-MUF: the dies are placed, the stack is
reflowed once with no force on it, then the mold fills the gaps) is the reflowed
micro-bump's own height. Colgan et al.'s bumps are 16.1 µm high for 25 µm across (§3.2
'Micro-bump (3D stacks)', H): the bump keeps that aspect as its size scales with the pitch,
so :func:`reflow_height_um` is ``ceil(d * 16.1 / 25)`` for the largest bump ``d`` (rounded
up: a grid answer may only be too tall). A thermo-compression bond line (TC-NCF) is pressed
below the free bump height, so its height is the vendor's (7 µm, §3.2 'HBM3E 12-Hi
inter-die gap (Samsung advanced TC-NCF)', H), not this.

Limits: one uniform layer per bond line (the bump arrays are smeared over the die); the
fit rests on one test vehicle's bumps and underfill, so the HBM values are estimates (E).

>>> arrays = (BumpArray(25, 50, 1.0),)
>>> round(unit_resistance_k_mm2_per_w(16.1, arrays, 0.5), 1)
8.6
>>> reflow_height_um(arrays), reflow_height_um((BumpArray(13, 25, 0.5),))
(17, 9)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "K_BUMP_XY_W_PER_M_K",
    "K_BUMP_Z_W_PER_M_K",
    "REFLOW_ASPECT",
    "BumpArray",
    "bump_area_fraction",
    "conductivity_w_per_m_k",
    "reflow_height_um",
    "unit_resistance_k_mm2_per_w",
]

# Fitted to Colgan et al. (domain_data.md §4.1, H) with a 0.5 W/(m·K) underfill: see above.
K_BUMP_Z_W_PER_M_K = 7.5
# domain_data.md §4.1 'SAC solder' ~55-60 (E).
K_BUMP_XY_W_PER_M_K = 57.0
# Height over diameter of a reflowed micro-bump: 16.1 um high for 25 um across (Colgan et
# al., domain_data.md §3.2 'Micro-bump (3D stacks)', H).
REFLOW_ASPECT = 16.1 / 25.0


@dataclass(frozen=True)
class BumpArray:
    """A square array of micro-bumps of ``diameter_um`` at ``pitch_um``, covering the
    fraction ``coverage`` of the die's area (signal bumps over the TSVs, or dummy bumps)."""

    diameter_um: int
    pitch_um: int
    coverage: float

    def __post_init__(self) -> None:
        if not 0 < self.diameter_um <= self.pitch_um:
            raise ValueError(
                f"a bump of {self.diameter_um} um does not fit its pitch of {self.pitch_um} um"
            )
        if not 0.0 <= self.coverage <= 1.0:
            raise ValueError(f"coverage {self.coverage} is not a fraction in [0, 1]")

    @property
    def area_fraction(self) -> float:
        """The bumps' share of the die area this array covers."""
        return self.coverage * math.pi * self.diameter_um**2 / (4 * self.pitch_um**2)


def bump_area_fraction(arrays: tuple[BumpArray, ...]) -> float:
    """The bumps' share of the whole die area (arrays do not overlap; at most 1)."""
    if sum(a.coverage for a in arrays) > 1.0 + 1e-9:
        raise ValueError("bump arrays cover more than the whole die")
    return sum(a.area_fraction for a in arrays)


def conductivity_w_per_m_k(
    arrays: tuple[BumpArray, ...],
    fill_k_xy: float,
    fill_k_z: float,
    bump_k_z: float = K_BUMP_Z_W_PER_M_K,
) -> tuple[float, float]:
    """(in-plane, through-plane) conductivity of the bond line, W/(m·K); ``bump_k_z`` is
    the effective bump conductivity (the fit by default; a study may vary it)."""
    phi = bump_area_fraction(arrays)
    k_z = phi * bump_k_z + (1 - phi) * fill_k_z
    kb, kf = K_BUMP_XY_W_PER_M_K, fill_k_xy
    k_xy = kf * ((1 + phi) * kb + (1 - phi) * kf) / ((1 - phi) * kb + (1 + phi) * kf)
    return k_xy, k_z


def unit_resistance_k_mm2_per_w(
    height_um: float, arrays: tuple[BumpArray, ...], fill_k: float
) -> float:
    """Through-plane resistance of one bond line per unit area, K·mm²/W (as Colgan reports)."""
    _, k_z = conductivity_w_per_m_k(arrays, fill_k, fill_k)
    return height_um * 1e-6 / k_z * 1e6


def reflow_height_um(arrays: tuple[BumpArray, ...]) -> int:
    """Height of a mass-reflowed bond line (µm): its largest bump at Colgan's aspect,
    rounded up."""
    if not arrays:
        raise ValueError("a reflowed bond line needs its bump arrays")
    return math.ceil(max(a.diameter_um for a in arrays) * REFLOW_ASPECT - 1e-9)
