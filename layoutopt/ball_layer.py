"""A layer of solder balls in a fill (a PoP's interface ring) as one effective material.

Between the two packages of a PoP stands a ring of interface balls in air (or an
underfill). Its conductivity follows from the balls' area fraction ``phi``:

* **through the plane**, balls and fill conduct in parallel:
  ``k_z = phi k_ball + (1 - phi) k_fill``;
* **in the plane**, the balls are parallel columns across the heat flow: Rayleigh's
  (Maxwell-Garnett) rule for cylinders in a matrix, as for micro-bumps
  (:mod:`layoutopt.bondline`)::

      k_xy = k_f ((1 + phi) k_b + (1 - phi) k_f) / ((1 - phi) k_b + (1 + phi) k_f)

A reflowed ball is a barrel between two lands; it is taken as a column of the land's
diameter, 0.8 of the ball's (domain_data.md §1.5 'NSMD land vs ball Ø (IPC-7351 style)'
0.25 → 0.20 mm, M), its narrowest section, so the layer conducts no better than it does.
The bulk solder conductivity is used: across a 0.2 mm ball the two interfaces that set a
16 µm micro-bump's resistance (bondline) are a small part. Estimates (E).

>>> k_xy, k_z = ball_layer_conductivity_w_per_m_k(250, 400, 58.0, 58.0, 0.026, 0.026)
>>> round(k_z, 1), round(k_xy, 3)
(11.4, 0.039)
"""

from __future__ import annotations

import math

__all__ = ["LAND_TO_BALL", "ball_area_fraction", "ball_layer_conductivity_w_per_m_k"]

# Land (pad) diameter over ball diameter: domain_data.md §1.5 NSMD row, 0.25 -> 0.20 mm (M).
LAND_TO_BALL = 0.8


def ball_area_fraction(ball_diameter_um: int, pitch_um: int) -> float:
    """The lands' share of the area of a square array at ``pitch_um`` (at most 1)."""
    land = LAND_TO_BALL * ball_diameter_um
    return min(1.0, math.pi * land**2 / (4 * pitch_um**2))


def ball_layer_conductivity_w_per_m_k(
    ball_diameter_um: int,
    pitch_um: int,
    ball_k_xy: float,
    ball_k_z: float,
    fill_k_xy: float,
    fill_k_z: float,
) -> tuple[float, float]:
    """(in-plane, through-plane) conductivity of balls at ``pitch_um`` in a fill, W/(m·K)."""
    phi = ball_area_fraction(ball_diameter_um, pitch_um)
    k_z = phi * ball_k_z + (1 - phi) * fill_k_z
    kb, kf = ball_k_xy, fill_k_xy
    k_xy = kf * ((1 + phi) * kb + (1 - phi) * kf) / ((1 - phi) * kb + (1 + phi) * kf)
    return k_xy, k_z
