"""A laminated-plate finite-element model of the package's warpage (scikit-fem).

The closed form of :mod:`layoutopt.mechanics.warpage` gives the package one curvature. Here
the package is a free plate in plan, each grid cell with the laminate stiffness of its own
column: membrane (``A``), coupling (``B``) and bending (``D``) of classical lamination
theory (NASA RP-1351, domain_data.md §8.6, M) and the thermal force and moment of its
layers. Membrane displacements are linear triangles (constant strain), the deflection is
the Morley element (constant curvature), so both carry the same order and the coupling is
consistent. Rigid-body motions are removed by fixing three points; the warpage is the
peak-to-valley of the deflection against its least-squares plane (JEITA ED-7306, §8.5).

Temperatures are taken as in the closed form: between two Tgs every property is constant
and the response is linear in the temperature change, so one solve per property range,
scaled and summed from the stress-free temperature, gives the whole curve.

A uniform laminate (one column) gives exactly the closed form's uniform curvature (the
tests check it); where a stiff die column sits in a compliant mold rim the curvature
varies over the plan, and this model sees it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from layoutopt.mechanics.columns import ColumnGrid, column_grid, mechanical_properties
from layoutopt.model import Design, Layout, MechanicalProperties

__all__ = ["PlateSolution", "plate_warpage_um"]

_MM = 1e-3  # mm per µm: the model works in mm and GPa


@dataclass(frozen=True, eq=False)
class PlateSolution:
    """Vertex deflections (µm, relative to the least-squares plane) at each temperature."""

    temperatures_c: tuple[float, ...]
    x_mm: np.ndarray
    y_mm: np.ndarray
    deflection_um: np.ndarray  # [temperature, vertex]
    warpage_um: tuple[float, ...]  # signed peak-to-valley (+: corners above the centre)


def _mesh_lines(edges_um: np.ndarray, step_um: float) -> np.ndarray:
    lines = [float(edges_um[0])]
    for a, b in itertools.pairwise(edges_um):
        n = max(1, math.ceil((b - a) / step_um))
        lines.extend(np.linspace(a, b, n + 1)[1:].tolist())
    return np.array(lines) * _MM


def _laminate(plies: list[tuple[float, float, MechanicalProperties]], t_c: float) -> np.ndarray:
    """(a11, a12, b11, b12, d11, d12, n, m) per kelvin of one column at ``t_c`` (GPa, mm)."""
    out = np.zeros(8)
    for z0, z1, p in plies:
        e, nu = p.modulus_gpa_at(t_c), p.poisson_ratio
        q11 = e / (1.0 - nu * nu)
        q = np.array([q11, nu * q11])
        alpha = p.cte_ppm_per_k_at(t_c) * 1e-6
        out[0:2] += q * (z1 - z0)
        out[2:4] += q * (z1**2 - z0**2) / 2.0
        out[4:6] += q * (z1**3 - z0**3) / 3.0
        out[6] += e / (1.0 - nu) * alpha * (z1 - z0)
        out[7] += e / (1.0 - nu) * alpha * (z1**2 - z0**2) / 2.0
    return out


class _Plate:
    """The mesh, bases and element-to-column map of one package (built once)."""

    def __init__(self, design: Design, grid: ColumnGrid, step_um: float) -> None:
        from skfem import Basis, ElementTriMorley, ElementTriP1, ElementVector, MeshTri

        xs, ys = _mesh_lines(grid.x_edges_um, step_um), _mesh_lines(grid.y_edges_um, step_um)
        self.mesh = MeshTri.init_tensor(xs, ys)
        self.bu = Basis(self.mesh, ElementVector(ElementTriP1()), intorder=2)
        self.bw = Basis(self.mesh, ElementTriMorley(), intorder=2)
        centre = self.mesh.p[:, self.mesh.t].mean(axis=1) / _MM  # µm
        i = np.searchsorted(grid.x_edges_um, centre[0]) - 1
        j = np.searchsorted(grid.y_edges_um, centre[1]) - 1
        self.column = grid.index[i, j]
        if (self.column < 0).any():
            raise ValueError("the package body has a hole: a cell without any layer")
        z_mid = 0.5 * min(p.z0_um for c in grid.columns for p in c.plies)
        self.plies = [
            [
                (
                    (p.z0_um - z_mid) * _MM,
                    (p.z1_um - z_mid) * _MM,
                    mechanical_properties(design, p.material, p.field),
                )
                for p in c.plies
            ]
            for c in grid.columns
        ]
        self.props = [p for c in self.plies for _, _, p in c]

    def unit_response(self, t_c: float) -> np.ndarray:
        """Vertex deflections (mm) for a 1 K change with the properties at ``t_c``."""
        from skfem import BilinearForm, LinearForm, asm, condense, solve
        from skfem.helpers import dd, ddot, eye, sym_grad, trace

        coeffs = np.array([_laminate(c, t_c) for c in self.plies])[self.column]  # [elem, 8]
        nqp = self.bu.X.shape[1]
        k = {
            name: np.repeat(coeffs[:, n, None], nqp, axis=1)
            for n, name in enumerate(("a11", "a12", "b11", "b12", "d11", "d12", "n", "m"))
        }

        def law(strain, c11, c12):  # isotropic laminate: lambda = c12, 2 mu = c11 - c12
            return (c11 - c12) * strain + eye(c12 * trace(strain), 2)

        @BilinearForm
        def kuu(u, v, w):
            return ddot(law(sym_grad(u), w.a11, w.a12), sym_grad(v))

        @BilinearForm
        def kuw(u, v, w):  # trial: deflection (curvature -dd), test: membrane
            return ddot(law(-dd(u), w.b11, w.b12), sym_grad(v))

        @BilinearForm
        def kww(u, v, w):
            return ddot(law(-dd(u), w.d11, w.d12), -dd(v))

        @LinearForm
        def fu(v, w):
            return w.n * trace(sym_grad(v))

        @LinearForm
        def fw(v, w):
            return w.m * trace(-dd(v))

        kuw_m = asm(kuw, self.bw, self.bu, **k)
        stiffness = sp.bmat(
            [[asm(kuu, self.bu, **k), kuw_m], [kuw_m.T, asm(kww, self.bw, **k)]]
        ).tocsr()
        load = np.concatenate([asm(fu, self.bu, **k), asm(fw, self.bw, **k)])
        x = solve(*condense(stiffness, load, D=self._fixed()))
        return x[self.bu.N :][self.bw.nodal_dofs[0]]

    def _fixed(self) -> np.ndarray:
        """Three points that remove the six rigid-body motions (lower-left, lower-right,
        upper-left corners: deflection; lower-left both in-plane, lower-right one)."""
        p = self.mesh.p
        corners = [
            int(np.argmin((p[0] - x) ** 2 + (p[1] - y) ** 2))
            for x, y in (
                (p[0].min(), p[1].min()),
                (p[0].max(), p[1].min()),
                (p[0].min(), p[1].max()),
            )
        ]
        ux, uy = self.bu.nodal_dofs
        w = self.bw.nodal_dofs[0] + self.bu.N
        return np.array([ux[corners[0]], uy[corners[0]], uy[corners[1]], *w[corners]])


def _ranges(props: list[MechanicalProperties], lo: float, hi: float) -> list[tuple[float, float]]:
    cuts = sorted({lo, hi} | {p.tg_c for p in props if p.tg_c is not None and lo < p.tg_c < hi})
    return list(itertools.pairwise(cuts))


def _signed_p2v(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """Residual against the least-squares plane, and the peak-to-valley signed + when the
    corners lie above the centre."""
    fit = np.c_[np.ones_like(x), x, y]
    r = w - fit @ np.linalg.lstsq(fit, w, rcond=None)[0]
    corners = [
        int(np.argmin((x - cx) ** 2 + (y - cy) ** 2))
        for cx in (x.min(), x.max())
        for cy in (y.min(), y.max())
    ]
    centre = int(np.argmin((x - x.mean()) ** 2 + (y - y.mean()) ** 2))
    sign = 1.0 if r[corners].mean() >= r[centre] else -1.0
    return r, sign * float(r.max() - r.min())


def plate_warpage_um(
    design: Design,
    layout: Layout,
    temperatures_c: tuple[float, ...],
    *,
    stress_free_c: float,
    divisions: int = 24,
) -> PlateSolution:
    """Warpage (µm) of ``layout`` at each temperature, on the plate finite-element model.

    ``divisions`` sets the element size: the package's longer side over ``divisions``
    (every column edge is a mesh line besides).
    """
    grid = column_grid(design, layout)
    pkg = layout.package
    plate = _Plate(design, grid, max(pkg.width_um, pkg.length_um) / divisions)
    lo = min(stress_free_c, *temperatures_c)
    hi = max(stress_free_c, *temperatures_c)
    ranges = _ranges(plate.props, lo, hi)
    unit = [plate.unit_response(0.5 * (a + b)) for a, b in ranges]
    x, y = plate.mesh.p
    rows, signed = [], []
    for t in temperatures_c:
        w = np.zeros_like(x)
        for (a, b), response in zip(ranges, unit, strict=True):
            # The part of this range between the stress-free temperature and t, signed.
            if t >= stress_free_c:
                dt = max(0.0, min(b, t) - max(a, stress_free_c))
            else:
                dt = -max(0.0, min(b, stress_free_c) - max(a, t))
            w += dt * response
        r, value = _signed_p2v(x, y, w / _MM)
        rows.append(r)
        signed.append(value)
    return PlateSolution(tuple(temperatures_c), x, y, np.array(rows), tuple(signed))
