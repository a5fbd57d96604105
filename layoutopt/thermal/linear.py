"""Linear solves of the finite-volume system, steady and per time step.

The matrices are symmetric positive definite. Up to ``direct_max_cells`` unknowns they are
factorised once (SuperLU) and every solve reuses the factors; above, conjugate gradients
are preconditioned by one V-cycle of a z-line multigrid (:class:`ZLineMultigrid`), built
once per matrix and reused for every right-hand side (every time step of one step size).
No AMG package is needed (pyamg is not installed).

Why this preconditioner: in a package some layers conduct far better sideways than
vertically (silicon, substrate and board planes) and others far better vertically (thin
joints, mold over thin cells). Exact z-line relaxation removes every error the vertical
coupling makes stiff; coarsening only in x and y removes the errors that are smooth
sideways, which are what lateral spreading leaves.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.linalg import lapack

__all__ = ["LinearSolver", "ZLineMultigrid", "pcg"]


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


class ZLineMultigrid:
    """A symmetric V-cycle: z-line relaxation with lateral (x, y) semi-coarsening.

    Coarse operators are Galerkin products with piecewise-constant prolongation over 2 x 2
    cell aggregates (each z-layer kept); the coarsest level is solved directly.
    """

    def __init__(
        self, matrix: sp.csr_matrix, ijk: np.ndarray, omega: float = 0.8, coarsest_cells: int = 4000
    ) -> None:
        self.omega = omega
        self.levels: list[
            tuple[sp.csr_matrix, object, sp.csr_matrix | None, sp.csr_matrix | None]
        ] = []
        a = matrix
        while True:
            if a.shape[0] <= coarsest_cells or (ijk[:, 0].max() < 2 and ijk[:, 1].max() < 2):
                self.levels.append((a, spla.splu(a.tocsc()), None, None))
                break
            coarse_ijk = np.column_stack([ijk[:, 0] // 2, ijk[:, 1] // 2, ijk[:, 2]])
            nz = int(ijk[:, 2].max()) + 1
            ny = int(coarse_ijk[:, 1].max()) + 1
            key = (coarse_ijk[:, 0] * ny + coarse_ijk[:, 1]) * nz + coarse_ijk[:, 2]
            unique, agg = np.unique(key, return_inverse=True)
            n = a.shape[0]
            prolong = sp.csr_matrix((np.ones(n), (np.arange(n), agg)), shape=(n, len(unique)))
            self.levels.append((a, _ZLines(a, ijk), prolong, prolong.T.tocsr()))
            a = (prolong.T @ a @ prolong).tocsr()
            ijk = np.column_stack([unique // nz // ny, unique // nz % ny, unique % nz])

    def solve(self, rhs: np.ndarray, level: int = 0) -> np.ndarray:
        a, lu, prolong, restrict = self.levels[level]
        if prolong is None:
            return lu.solve(rhs)  # type: ignore[attr-defined,no-any-return]
        x = self.omega * lu.solve(rhs)  # type: ignore[attr-defined]
        x += prolong @ self.solve(restrict @ (rhs - a @ x), level + 1)
        x += self.omega * lu.solve(rhs - a @ x)  # type: ignore[attr-defined]
        return x  # type: ignore[no-any-return]


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    # Not BLAS: a threaded BLAS dot spins badly on a busy 2-core machine (measured 16 ms
    # for 87k entries under load, against 0.1 ms for this).
    return float(np.add.reduce(a * b))


def pcg(
    matrix: sp.csr_matrix,
    rhs: np.ndarray,
    precondition: Callable[[np.ndarray], np.ndarray],
    stop_norm: float,
    x0: np.ndarray | None = None,
    maxiter: int = 500,
    step_tol: float | None = None,
) -> tuple[np.ndarray, int]:
    """Preconditioned conjugate gradients (textbook) until ``||r|| <= stop_norm``, or, with
    ``step_tol``, until the preconditioned residual (an estimate of the error, since the
    preconditioner approximates the inverse) is below ``step_tol`` everywhere."""
    x = np.zeros_like(rhs) if x0 is None else x0.copy()
    r = rhs - matrix @ x if x0 is not None else rhs.copy()
    z = precondition(r)
    if np.sqrt(_dot(r, r)) <= stop_norm or (step_tol is not None and np.abs(z).max() <= step_tol):
        return x, 0
    p = z.copy()
    rz = _dot(r, z)
    for it in range(1, maxiter + 1):
        q = matrix @ p
        alpha = rz / _dot(p, q)
        x += alpha * p
        r -= alpha * q
        if np.sqrt(_dot(r, r)) <= stop_norm:
            return x, it
        z = precondition(r)
        if step_tol is not None and np.abs(z).max() <= step_tol:
            return x, it
        rz_new = _dot(r, z)
        p = z + (rz_new / rz) * p
        rz = rz_new
    raise RuntimeError(f"thermal CG did not converge in {maxiter} iterations; coarsen the grid")


class LinearSolver:
    """Solves ``matrix x = b`` for many right-hand sides: factorised or preconditioned once.

    ``rtol`` is relative to ``||b||``. 1e-6 is ample for a steady solve: on the 12 x 12 mm
    ePOP at 100 um it moves the peak by 3e-7 K from a 1e-10 solve, at half the time
    (benchmarks/bench_thermal.py).
    """

    def __init__(
        self,
        matrix: sp.csr_matrix,
        ijk: np.ndarray,
        *,
        direct_max_cells: int = 2000,
        rtol: float = 1e-6,
    ) -> None:
        self.matrix = matrix
        self.rtol = rtol
        self.iterations = 0
        self.solves = 0
        if matrix.shape[0] <= direct_max_cells:
            self._lu = spla.splu(matrix.tocsc())
            self._mg: ZLineMultigrid | None = None
        else:
            self._lu = None
            self._mg = ZLineMultigrid(matrix, ijk)

    def with_matrix(self, matrix: sp.csr_matrix) -> LinearSolver:
        """A solver for a nearby matrix of the same pattern (e.g. another gap radiation):
        factorised anew when direct, else keeping this preconditioner (still a close
        approximation of the new matrix, so conjugate gradients converge as fast)."""
        out = object.__new__(LinearSolver)
        out.matrix, out.rtol = matrix, self.rtol
        out.iterations, out.solves = self.iterations, self.solves
        out._lu = None if self._lu is None else spla.splu(matrix.tocsc())
        out._mg = self._mg
        return out

    def solve(
        self, rhs: np.ndarray, x0: np.ndarray | None = None, step_tol: float | None = None
    ) -> np.ndarray:
        """``matrix^-1 rhs`` from the guess ``x0``; ``step_tol`` (in the unknown's unit) ends
        the iteration once the estimated error is below it (see :func:`pcg`)."""
        self.solves += 1
        if self._lu is not None:
            return self._lu.solve(rhs)  # type: ignore[no-any-return]
        assert self._mg is not None
        stop = self.rtol * np.sqrt(_dot(rhs, rhs))
        x, it = pcg(self.matrix, rhs, self._mg.solve, stop, x0, step_tol=step_tol)
        self.iterations += it
        return x

    @property
    def method(self) -> str:
        if self._lu is not None:
            return "direct"
        assert self._mg is not None
        per = self.iterations / max(self.solves, 1)
        return (
            f"pcg z-line multigrid ({per:.3g} iterations per solve, {len(self._mg.levels)} levels)"
        )
