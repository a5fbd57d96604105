"""Compact thermal model: a small resistance network per layout, solved exactly.

Network (nodes and why)
-----------------------
- one node per die (its mean temperature); power enters there;
- one *board* node: the mean mid-plane temperature of the board under the package;
- one *spot* node per stack top on the package top face (the face over that die) and one
  *top* node for the rest of the face; with a housing wall, the same two kinds of node on
  the skin. The package top is far from isothermal (mold, k ~1 W/m/K, spreads little), and
  the reported top / skin temperature is the hottest of these nodes, as fv3d reports the
  hottest point of the face;
- ambient (or the fixed face temperatures ``top_fixed_c`` / ``bottom_fixed_c``).

Branches (series resistances; each layer ``t / (k A)``)
-------------------------------------------------------
- die to die within a stack: half of each die plus the upper die's joint, over the overlap,
  plus the *spreading* of the upper die's heat into the dies below when it is smaller than
  the die it sits on (:func:`_stack_spreading_k_per_w`);
- tier-0 die down to the board: half die, joint, substrate / RDL, balls, each conducting
  through an area that grows at 45° in *scaled* coordinates (an anisotropic layer is an
  isotropic one of thickness ``t sqrt(kxy/kz)``), i.e. a rectangle a x b grows by
  ``2 t sqrt(kxy/kz)`` per side pass, clipped to the package; the layer resistance is the
  integral of ``dz / (k_z A(z))``, taken with a 16-point Gauss rule (for the unclipped
  square it is the closed form ``t / (k a (a + 2t))``). Then, from that footprint on the
  board to the board node, the *spreading resistance* of a source on the board under the
  package (:func:`_board_spreading_k_per_w`): the board node is the mean under the whole
  package, and a small die at a corner sits well above that mean;
- top die of each stack up through the mold above it (same 45° spreading) to its spot; the
  spot loses ``h_top`` over the die footprint (or crosses the housing wall to its skin
  spot) and conducts sideways to the rest of the face through the mold layer
  (:func:`annulus_spreading_k_per_w`);
- package top to board through the mold beside the dies and the substrate and balls;
- board to ambient: from its bottom under the package (``h_bottom``), and out through the
  board beyond the package, a *fin*: the board heats it across the package edge and it
  loses heat from both faces (the top one through the air gap and the housing wall when
  there is one, :func:`_over_board_m2_k_per_w`). The fin conducts ``k_xy t`` sideways
  and has a fin length ``1 / m = sqrt(k_xy t / (h_top + h_bottom))`` of 5-25 mm on the
  shipped designs, comparable with the margin, so an isothermal board overrates it by up
  to 7x (phone main board, ``h_top`` 100 W/m2/K). Its conductance is a 2D sheet solve on
  the board's real outline (:func:`board_fin_conductance_w_per_k`: a 10 mm temple strip
  carries heat along its length only, 11 % less than the annulus of the same area), in series with the sideways drop from the mean under the package to its edge
  (:func:`disk_mean_to_rim_k_per_w`).

Spreading resistances are the closed form of Lee, Song, Au & Moran (1995) for a disc
source on a disc plate (:func:`disc_spreading_k_per_w`, equal-area discs, checked against
the exact Bessel series in ``tests/test_thermal_spreading.py``).

Measured against fv3d (``tests/test_thermal_compact_fidelity.py``: every shipped design,
the glasses package without its board source and gap, and the samples; fv3d at 400 µm;
rises above ambient of every die with >= 10 % of the power, the package top and the skin):
every compared rise within 15 %, the worst +14.3 % (the double-sided SiP's PMIC), +13.7 %
(the SiP's SoC), -10.5 % (skin over the ePOP sample's corner controller), +9.8 % (HBM
base die under a cold plate, whose 2 mm board margin is shorter than the board's scaled
thickness, so the thin-sheet fin underrates it). The small die at a package corner read
15-24 % low before the spreading terms and the housing path over the board. The
remaining errors go both ways, so the network is *not* a conservative screen: it is an
exploration model, and the solver's limits hold on fv3d. Dies heated mostly by their
neighbours (the memory beside an 8 W XPU: mean -25 %) are left out of that comparison:
dies of different stacks couple only through the shared board and face nodes (lateral
conduction in the substrate between stacks is neglected). It refuses surface heat
sources, bodies around the package and housing gaps (:func:`_check_modelled`).
A die's "max" is its node temperature (the compact model has no in-die gradient); compare
with the fv3d mean. The top and skin are the hottest face node, a spot's mean, so they
read a few per cent under fv3d's hottest point. The network is linear, so the solution
is the superposition of each die's contribution: :func:`junction_sensitivity` returns
that matrix dT_i/dP_j directly.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from layoutopt.errors import DesignError
from layoutopt.model import Design, Layout, Placement, Side
from layoutopt.thermal.assemble import UM
from layoutopt.thermal.materials import board_material, material, radiation_h_w_per_m2_k
from layoutopt.thermal.report import DieTemperature, FaceHeat, ThermalReport
from layoutopt.thermal.spreading import (
    annular_fin_conductance_w_per_k,
    annulus_spreading_k_per_w,
    board_fin_conductance_w_per_k,
    disc_spreading_k_per_w,
    disk_mean_to_rim_k_per_w,
)
from layoutopt.thermal.stackup import board_region

__all__ = [
    "Sensitivity",
    "annular_fin_conductance_w_per_k",
    "annulus_spreading_k_per_w",
    "compact_report",
    "disc_spreading_k_per_w",
    "disk_mean_to_rim_k_per_w",
    "junction_sensitivity",
]

_GAUSS_X, _GAUSS_W = np.polynomial.legendre.leggauss(16)
_FIXED_W_PER_K = 1e12  # a fixed face temperature: effectively infinite conductance


def _spread_resistance(
    t_m: float, kxy: float, kz: float, a_m: float, b_m: float, a_max_m: float, b_max_m: float
) -> tuple[float, float, float]:
    """Resistance (K/W) of a layer from an a x b source spreading at 45° (scaled), clipped.

    Returns the resistance and the rectangle reached at the far face.
    """
    if t_m <= 0:
        return 0.0, a_m, b_m
    grow = 2.0 * np.sqrt(kxy / kz)
    z = 0.5 * t_m * (_GAUSS_X + 1.0)
    area = np.minimum(a_m + grow * z, a_max_m) * np.minimum(b_m + grow * z, b_max_m)
    r = float(0.5 * t_m * np.sum(_GAUSS_W / (kz * area)))
    return r, min(a_m + grow * t_m, a_max_m), min(b_m + grow * t_m, b_max_m)


@dataclass(frozen=True)
class Sensitivity:
    """The linear thermal response of a layout.

    ``matrix_k_per_w[i, j]`` is the rise of die ``die_ids[i]`` per watt in die ``j``; the
    rise at zero power (fixed faces above ambient) is ``offset_k``. Die temperature:
    ``ambient_c + offset_k + matrix_k_per_w @ powers_w``. A solver can add the linear cut
    ``sum_j R[i, j] P_j <= limit_i - ambient - offset_i`` per die, or use the diagonal as a
    per-die thermal resistance.

    The package top (and skin) temperature is the hottest of several face nodes (the face
    over each stack top and the rest of the face), so it is piecewise linear in the powers:
    ``top_k_per_w`` / ``top_offset_k`` are the row of the face node that is hottest at the
    design's powers, and ``top_nodes_k_per_w`` (one row per face node) gives every piece:
    the top rise is ``max(top_nodes_offset_k + top_nodes_k_per_w @ powers_w)``. The same
    holds for the skin.
    """

    die_ids: tuple[str, ...]
    matrix_k_per_w: np.ndarray
    offset_k: np.ndarray
    top_k_per_w: np.ndarray  # package top rise per watt in each die (hottest face node)
    skin_k_per_w: np.ndarray | None
    top_offset_k: float = 0.0
    skin_offset_k: float = 0.0
    top_nodes_k_per_w: np.ndarray | None = None
    top_nodes_offset_k: np.ndarray | None = None
    skin_nodes_k_per_w: np.ndarray | None = None
    skin_nodes_offset_k: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class _Network:
    """The assembled network: ``matrix @ theta = powers + boundary_w`` (theta: rise, K)."""

    die_ids: tuple[str, ...]
    matrix: sp.csr_matrix  # conductances (W/K), boundary conductances on the diagonal
    boundary_w: np.ndarray  # boundary conductance times boundary rise
    out_w_per_k: np.ndarray  # conductance of each node to its boundary
    boundary_k: np.ndarray  # boundary rise over ambient of each node
    up_share: np.ndarray  # fraction of each node's boundary flow that leaves upwards
    top_nodes: tuple[int, ...]
    skin_nodes: tuple[int, ...]


def _check_modelled(design: Design) -> None:
    """Refuse what the network does not model, rather than answer far off: measured on the
    temple-board glasses (an SoC source beside the package, a housing over an air gap) it
    reads the rises 80 % low."""
    spec = design.thermal
    what, field = (
        ("surface heat sources (thermal.sources)", "thermal.sources")
        if spec.sources
        else ("heat-source bodies around the package (thermal.around)", "thermal.around")
        if spec.bodies
        else ("an air gap under the housing (thermal.housing_gap)", "thermal.housing_gap")
        if spec.housing_gap_um > 0
        else (None, "")
    )
    if what is not None:
        raise DesignError(
            f"the compact model does not model {what}",
            field=field,
            fix="use the 3D model (model='fv3d', the default), or leave them out",
        )


class _Builder:
    """The network while it is assembled: nodes, branches and boundary terms.

    Nodes: the dies (in placement order), the board, the top face's rest, one spot per
    stack top, and with a housing the skin's rest and one skin spot per stack top.
    """

    def __init__(self, design: Design, layout: Layout) -> None:
        self.design, self.layout = design, layout
        self.ids = tuple(p.die_id for p in layout.placements)
        self.stacks = layout.stacks()
        spot_dies = [s[-1].die_id for s in self.stacks.values() if s[-1].side is Side.TOP]
        self.housing = design.thermal.housing_thickness_um > 0
        n_die, n_spot = len(self.ids), len(spot_dies)
        self.board, self.top = n_die, n_die + 1
        self.spots = {d: n_die + 2 + i for i, d in enumerate(spot_dies)}
        self.skin = n_die + 2 + n_spot if self.housing else None
        self.skin_spots = (
            {d: n_die + 3 + n_spot + i for i, d in enumerate(spot_dies)} if self.housing else {}
        )
        n = n_die + 2 + n_spot + (1 + n_spot if self.housing else 0)
        # Branches as (i, j, conductance), summed when assembled: the network is sparse
        # (a few branches a die), and a dense matrix of 5,000 dies took 800 MB and a 27 s
        # solve (LAPACK), now a sparse LU in milliseconds.
        self.n = n
        self.branches: list[tuple[int, int, float]] = []
        self.index = {d: i for i, d in enumerate(self.ids)}
        self.g_out = np.zeros(n)  # conductance to the boundary (ambient or a fixed face)
        self.t_bc = np.zeros(n)  # boundary temperature rise over ambient
        self.g_up = np.zeros(n)  # the part of g_out that leaves through an upward face
        self._k: dict[str, tuple[float, float]] = {}
        pkg = layout.package
        self.pw, self.pl = pkg.width_um * UM, pkg.length_um * UM
        rules = design.rules
        self.base_layers = [
            (rules.ball_height_um, rules.ball_material, "rules.ball_material"),
            (rules.substrate_thickness_um, rules.substrate_material, "rules.substrate_material"),
        ] + [(rules.rdl_layer_thickness_um, rules.rdl_material, "rules.rdl_material")] * (
            rules.rdl_layers
        )
        board_mat = board_material(design)
        self.kb = (board_mat.k_xy_w_per_m_k, board_mat.k_z_w_per_m_k)
        self.kmold = self.k(rules.mold_material, "rules.mold_material")
        self.tb = design.thermal.board_thickness_um * UM
        self.mold_t = max(layout.thickness_um - rules.base_thickness_um, 0) * UM

    def k(self, name: str, field: str) -> tuple[float, float]:
        """(k_xy, k_z) of a design material (W/m/K)."""
        if name not in self._k:
            m = material(self.design, name, field=field)
            self._k[name] = (m.k_xy_w_per_m_k, m.k_z_w_per_m_k)
        return self._k[name]

    def link(self, i: int, j: int, r: float) -> None:
        self.branches.append((i, j, 1.0 / r))

    def to_boundary(self, i: int, conductance: float, up_share: float) -> None:
        self.g_out[i] += conductance
        self.g_up[i] += conductance * up_share

    @cached_property
    def board_losses(self) -> tuple[float, float, float]:
        """:func:`_board_losses`, solved once per network."""
        return _board_losses(self)

    def sheet_under_package(self) -> float:
        """In-plane sheet conductance (W/K) of the board and the base layers together: under
        the package they spread the heat as one plate (the balls couple them closely)."""
        return self.kb[0] * self.tb + sum(
            t * UM * self.k(nm, f)[0] for t, nm, f in self.base_layers
        )

    def spread(self, t_m: float, k: tuple[float, float], a: float, b: float):  # type: ignore[no-untyped-def]
        """:func:`_spread_resistance` through a layer, clipped to the package."""
        return _spread_resistance(t_m, k[0], k[1], a, b, self.pw, self.pl)

    def matrix(self) -> sp.csr_matrix:
        """The conductance matrix: each branch off the diagonal (negative) and on both of
        its ends' diagonals, the boundary conductances on the diagonal."""
        b = np.array(self.branches, dtype=float).reshape(-1, 3)
        i, j, g = b[:, 0].astype(np.intp), b[:, 1].astype(np.intp), b[:, 2]
        nodes = np.arange(self.n)
        rows = np.concatenate([i, j, i, j, nodes])
        cols = np.concatenate([j, i, i, j, nodes])
        values = np.concatenate([-g, -g, g, g, self.g_out])
        return sp.csr_matrix((values, (rows, cols)), shape=(self.n, self.n))

    def network(self) -> _Network:
        share = np.divide(
            self.g_up, self.g_out, out=np.zeros(len(self.g_out)), where=self.g_out > 0
        )
        return _Network(
            self.ids,
            self.matrix(),
            self.g_out * self.t_bc,
            self.g_out,
            self.t_bc,
            share,
            (self.top, *self.spots.values()),
            (self.skin, *self.skin_spots.values()) if self.skin is not None else (),
        )


def _tier0_to_board(net: _Builder, p: Placement, half: float, joint_t: float, kj) -> float:  # type: ignore[no-untyped-def]
    """A tier-0 die's half thickness, joint, base layers (or the substrate, for a die under
    it) and the board's upper half, each spreading at 45° in scaled coordinates."""
    rules = net.design.rules
    a, b = p.width_um * UM, p.length_um * UM
    r, a2, b2 = net.spread(joint_t, kj, a, b)
    r = half + r
    for t_um, name, field in reversed(net.base_layers) if p.side is Side.TOP else ():
        dr, a2, b2 = net.spread(t_um * UM, net.k(name, field), a2, b2)
        r += dr
    if p.side is not Side.TOP:  # bottom side: through its joint into the substrate
        k_sub = net.k(rules.substrate_material, "rules.substrate_material")
        dr, a2, b2 = net.spread(rules.substrate_thickness_um * UM, k_sub, a2, b2)
        r += dr
    return r + _board_spreading_k_per_w(net, a2 * b2)


def _board_spreading_k_per_w(net: _Builder, source_m2: float) -> float:
    """From the mean over a footprint on the board's top face to the board node (the mean
    of the board's mid-plane under the package): the spreading resistance of the footprint
    on the board under the package (:func:`disc_spreading_k_per_w`, equal-area discs),
    plus the uniform half board. The plate is the board with the base layers' in-plane
    sheet added, as one orthotropic layer made isotropic by scaling its thickness by
    ``sqrt(k_xy / k_z)``; its bottom loses what the board node loses (its bottom face and
    the margin's fin, spread over the package area, which slightly shortens the paths)."""
    spec = net.design.thermal
    a_pkg = net.pw * net.pl
    half = 0.5 * net.tb / (net.kb[1] * a_pkg)
    if spec.bottom_fixed_c is not None:
        h = _FIXED_W_PER_K / a_pkg
    else:
        g_bottom, g_fin, _ = net.board_losses
        h = (g_bottom + g_fin) / a_pkg
    k_xy = net.sheet_under_package() / net.tb
    k_iso = math.sqrt(k_xy * net.kb[1])
    r_sp = disc_spreading_k_per_w(
        math.sqrt(min(source_m2, a_pkg) / math.pi),
        math.sqrt(a_pkg / math.pi),
        net.tb * math.sqrt(k_xy / net.kb[1]),
        k_iso,
        h,
    )
    return half + r_sp


def _on_die_resistance(net: _Builder, p: Placement, below: Placement) -> float:
    """The joint between a die and the one below, over their overlap, plus the lower die's
    half thickness (the upper half is added by the caller)."""
    overlap = (
        max(0, min(p.rect.x_max_um, below.rect.x_max_um) - max(p.x_um, below.x_um))
        * max(0, min(p.rect.y_max_um, below.rect.y_max_um) - max(p.y_um, below.y_um))
        * UM**2
    )
    kbelow = net.k(net.design.die(below.die_id).material, "dies.material")
    half_below = (
        0.5 * below.thickness_um * UM / (kbelow[1] * below.width_um * below.length_um * UM**2)
    )
    # The joint's layers in series (a PoP's: air gap, top substrate, DAF).
    rules = net.design.rules
    r_joint = sum(
        layer.thickness_um * UM / net.k(layer.material, f"rules ({layer.name})")[1]
        for layer in rules.joint_layers(net.design.die(p.die_id), net.design.die(below.die_id))
    )
    return half_below + r_joint / max(overlap, 1e-12)


def _stack_spreading_k_per_w(net: _Builder, p: Placement, below: list[Placement]) -> float:
    """The spreading of a die's heat into the dies under it (:func:`disc_spreading_k_per_w`,
    equal-area discs): the source is its overlap with the die just below, the plate that
    die's footprint with the in-plane sheet of every die under it (thin silicon joined by
    films whose coupling length, ``sqrt(k t / h)`` ~0.5 mm, is short against the dies, so
    they spread as one plate), and the plate's bottom loses through the joint under the
    lowest die."""
    design, rules = net.design, net.design.rules
    lower = below[-1]
    overlap = max(0, min(p.rect.x_max_um, lower.rect.x_max_um) - max(p.x_um, lower.x_um)) * max(
        0, min(p.rect.y_max_um, lower.rect.y_max_um) - max(p.y_um, lower.y_um)
    )
    plate = lower.width_um * lower.length_um
    if overlap <= 0 or overlap >= plate:
        return 0.0
    sheet = thick = 0.0
    for q in below:
        k = net.k(design.die(q.die_id).material, f"dies[{q.die_id}].material")
        sheet += k[0] * q.thickness_um * UM
        thick += q.thickness_um * UM
    k_z = net.k(design.die(lower.die_id).material, f"dies[{lower.die_id}].material")[1]
    base = below[0]
    base_die = design.die(base.die_id)
    joint = rules.joint_layers(base_die, design.die(base.on_die) if base.on_die else None)
    r_joint = sum(
        layer.thickness_um * UM / net.k(layer.material, f"rules ({layer.name})")[1]
        for layer in joint
    )
    k_xy = sheet / thick
    return disc_spreading_k_per_w(
        math.sqrt(overlap / math.pi) * UM,
        math.sqrt(plate / math.pi) * UM,
        thick * math.sqrt(k_xy / k_z),
        math.sqrt(k_xy * k_z),
        1.0 / r_joint if r_joint > 0 else _FIXED_W_PER_K,
    )


def _stack_branches(net: _Builder) -> dict[str, tuple[float, float]]:
    """Die to die within each stack, tier 0 to the board, each stack top to its spot, and
    the package top to the board beside the dies. Returns each spot's size (m) on the face."""
    design, layout, rules = net.design, net.layout, net.design.rules
    covered = 0.0
    spot_rect: dict[str, tuple[float, float]] = {}
    for stack in net.stacks.values():
        # The die nearest the board: tier 0, or in a vertical-wire fan-out (flipped stack)
        # the last tier, over the RDL across the mold its shortest vertical wires cross.
        board_tier = len(stack) - 1 if rules.fan_out.flipped else 0
        for tier, p in enumerate(stack):
            die = design.die(p.die_id)
            i = net.index[p.die_id]
            ksi = net.k(die.material, f"dies[{p.die_id}].material")
            a, b = p.width_um * UM, p.length_um * UM
            half = 0.5 * p.thickness_um * UM / (ksi[1] * a * b)
            lower = design.die(p.on_die) if p.on_die else None
            joint_t = rules.joint_um(die, lower, film_over_wire=p.film_over_wire) * UM
            kj = net.k(rules.joint_material(die, lower), f"rules ({die.bond.value} joint)")
            if tier == board_tier:
                covered += a * b
                if rules.fan_out.flipped:
                    joint_t, kj = rules.vertical_wire_standoff_um * UM, net.kmold
                net.link(i, net.board, _tier0_to_board(net, p, half, joint_t, kj))
            if tier > 0:
                below = stack[tier - 1]
                r = (
                    half
                    + _on_die_resistance(net, p, below)
                    + _stack_spreading_k_per_w(net, p, stack[:tier])
                )
                net.link(i, net.index[below.die_id], r)
            if p.die_id in net.spots:
                t_above = (layout.thickness_um - p.z_top_um) * UM
                r, a2, b2 = net.spread(t_above, net.kmold, a, b)
                net.link(i, net.spots[p.die_id], half + r)
                spot_rect[p.die_id] = (a2, b2)
    # Package top <-> board: mold beside the dies, then the base layers over the package.
    a_pkg = net.pw * net.pl
    free = max(a_pkg - covered, 0.05 * a_pkg)
    r = net.mold_t / (net.kmold[1] * free)
    for t_um, name, field in net.base_layers:
        r += t_um * UM / (net.k(name, field)[1] * a_pkg)
    net.link(net.top, net.board, r + 0.5 * net.tb / (net.kb[1] * a_pkg))
    return spot_rect


def _face_branches(net: _Builder, spot_rect: dict[str, tuple[float, float]]) -> None:
    """The top face: each spot is the face over its die (the die grown through the mold
    above it, as the conduction path), the top node is the rest; sideways they exchange
    heat through the mold layer, and the skin spots (grown again through the wall) through
    the housing. Spots of neighbouring stacks may overlap once grown: their convective
    areas are scaled to share the face."""
    spec = net.design.thermal
    housing = net.skin is not None
    kh = net.k(spec.housing_material, "thermal.housing_material") if housing else (1.0, 1.0)
    th = spec.housing_thickness_um * UM
    a_pkg = net.pw * net.pl
    face_rect = dict(spot_rect)
    if housing:
        for die_id, (a2, b2) in spot_rect.items():
            r, a3, b3 = net.spread(th, kh, a2, b2)
            net.link(net.spots[die_id], net.skin_spots[die_id], r)
            face_rect[die_id] = (a3, b3)
    total = sum(a * b for a, b in face_rect.values())
    scale = min(1.0, a_pkg / total) if total > 0 else 1.0
    rest = max(a_pkg - total, 0.0)
    r_pkg = math.sqrt(a_pkg / math.pi)
    outer_face = []
    for die_id, spot in net.spots.items():
        levels = [(spot, net.top, net.kmold[0] * net.mold_t, spot_rect[die_id])]
        if housing:
            levels.append((net.skin_spots[die_id], net.skin, kh[0] * th, face_rect[die_id]))
        for node, rest_node, sheet, (a2, b2) in levels:
            r_side = annulus_spreading_k_per_w(math.sqrt(a2 * b2 / math.pi), r_pkg, sheet)
            net.link(node, rest_node, max(r_side, 1e-9))  # type: ignore[arg-type]
        a3, b3 = face_rect[die_id]
        outer_face.append((net.skin_spots[die_id] if housing else spot, scale * a3 * b3))
    if housing and rest > 0:
        net.link(net.top, net.skin, th / (kh[1] * rest))  # type: ignore[arg-type]
    outer_face.append((net.skin if housing else net.top, rest))
    for node, area in outer_face:
        if spec.top_fixed_c is not None:
            net.to_boundary(node, _FIXED_W_PER_K if area > 0 else 0.0, 1.0)  # type: ignore[arg-type]
            net.t_bc[node] = spec.top_fixed_c - spec.ambient_c
        else:
            net.to_boundary(node, spec.h_top_w_per_m2_k * area, 1.0)  # type: ignore[arg-type]


def _over_board_m2_k_per_w(net: _Builder) -> float:
    """Area resistance (m²K/W) between the board's top face beside the package and the
    outer air, besides ``1 / h_top``: with a housing, the air gap up to the wall (still air
    conducting in parallel with the radiation between the two faces, linearised at the
    ambient, which underrates it by ~1 % per kelvin of rise: the safe side) and the wall.
    Without one, nothing: the board's face is the outer face."""
    spec = net.design.thermal
    if net.skin is None:
        return 0.0
    gap_m = (net.layout.thickness_um + spec.housing_gap_um) * UM
    k_air = net.k("air", "thermal (the air under the housing)")[1]
    h_rad = radiation_h_w_per_m2_k(
        spec.ambient_c, spec.ambient_c, spec.surface_emissivity, spec.housing_emissivity
    )
    k_wall = net.k(spec.housing_material, "thermal.housing_material")[1]
    return 1.0 / (k_air / gap_m + h_rad) + spec.housing_thickness_um * UM / k_wall


def _board_losses(net: _Builder) -> tuple[float, float, float]:
    """The board's conductances to the outer air: its bottom face under the package and the
    margin as an annular fin (W/K), and the share of the fin's heat that leaves upwards. A
    face loses h in series with the half board thickness (board k_z is ~0.6 W/m/K)."""
    spec = net.design.thermal
    half_board = 0.5 * net.tb / net.kb[1]
    h_top_face = 1.0 / (1.0 / spec.h_top_w_per_m2_k + _over_board_m2_k_per_w(net) + half_board)
    h_bot_face = 1.0 / (1.0 / spec.h_bottom_w_per_m2_k + half_board)
    a_pkg = net.pw * net.pl
    h_fin = h_top_face + h_bot_face
    pkg = net.layout.package
    fin = board_fin_conductance_w_per_k(
        board_region(net.design, net.layout),
        (pkg.x_um, pkg.y_um, pkg.x_max_um, pkg.y_max_um),
        net.kb[0] * net.tb,
        h_fin,
    )
    if fin <= 0:
        return h_bot_face * a_pkg, 0.0, 0.0
    g_fin = 1.0 / (disk_mean_to_rim_k_per_w(net.sheet_under_package()) + 1.0 / fin)
    return h_bot_face * a_pkg, g_fin, h_top_face / h_fin


def _board_branches(net: _Builder) -> None:
    """The board node's boundary: its losses (:func:`_board_losses`), or a fixed bottom."""
    spec = net.design.thermal
    if spec.bottom_fixed_c is not None:
        net.to_boundary(net.board, _FIXED_W_PER_K, 0.0)
        net.t_bc[net.board] = spec.bottom_fixed_c - spec.ambient_c
        return
    g_bottom, g_fin, fin_up = net.board_losses
    net.to_boundary(net.board, g_bottom, 0.0)
    if g_fin > 0:
        net.to_boundary(net.board, g_fin, fin_up)


def _network(design: Design, layout: Layout) -> _Network:
    """Conductance matrix, boundary terms and node layout of the compact network."""
    _check_modelled(design)
    net = _Builder(design, layout)
    spot_rect = _stack_branches(net)
    _face_branches(net, spot_rect)
    _board_branches(net)
    return net.network()


def _hottest(nodes: tuple[int, ...], theta: np.ndarray) -> int:
    return max(nodes, key=lambda i: theta[i])


def junction_sensitivity(design: Design, layout: Layout) -> Sensitivity:
    """dT/dP of every die to every die's power (K/W), from the compact network.

    >>> from layoutopt.thermal.samples import single_die_sample
    >>> s = junction_sensitivity(*single_die_sample())
    >>> bool(s.matrix_k_per_w[0, 0] > 0)
    True
    """
    net = _network(design, layout)
    inv = np.linalg.inv(net.matrix.toarray())  # every column of the inverse: dense
    offset = inv @ net.boundary_w
    n = len(net.die_ids)
    powers = np.array([design.die(d).power_w for d in net.die_ids])
    theta = offset + inv[:, :n] @ powers
    top = _hottest(net.top_nodes, theta)
    skin = _hottest(net.skin_nodes, theta) if net.skin_nodes else None
    tops, skins = list(net.top_nodes), list(net.skin_nodes)
    return Sensitivity(
        die_ids=net.die_ids,
        matrix_k_per_w=inv[:n, :n],
        offset_k=offset[:n],
        top_k_per_w=inv[top, :n],
        skin_k_per_w=None if skin is None else inv[skin, :n],
        top_offset_k=float(offset[top]),
        skin_offset_k=0.0 if skin is None else float(offset[skin]),
        top_nodes_k_per_w=inv[tops, :n],
        top_nodes_offset_k=offset[tops],
        skin_nodes_k_per_w=inv[skins, :n] if skins else None,
        skin_nodes_offset_k=offset[skins] if skins else None,
    )


def compact_report(design: Design, layout: Layout) -> ThermalReport:
    """Thermal check with the compact network (model ``"compact"``)."""
    t0 = time.perf_counter()
    net = _network(design, layout)
    ids = net.die_ids
    powers = np.array([design.die(d).power_w for d in ids])
    q = net.boundary_w.copy()
    q[: len(ids)] += powers
    theta = spla.spsolve(net.matrix.tocsc(), q)
    spec = design.thermal
    amb = spec.ambient_c
    dies = tuple(
        DieTemperature(
            d, amb + float(theta[i]), amb + float(theta[i]), design.die(d).max_junction_c
        )
        for i, d in enumerate(ids)
    )
    total = float(powers.sum())
    flows = net.out_w_per_k * (theta - net.boundary_k)
    out_top = float(np.sum(flows * net.up_share))
    out_bottom = float(np.sum(flows * (1.0 - net.up_share)))
    top = _hottest(net.top_nodes, theta)
    skin = _hottest(net.skin_nodes, theta) if net.skin_nodes else None
    hottest = max(dies, key=lambda d: d.max_c) if dies else None
    p = layout.placement(hottest.die_id) if hottest else None
    return ThermalReport(
        model="compact",
        ambient_c=amb,
        dies=dies,
        top_surface_c=amb + float(theta[top]),
        skin_c=None if skin is None else amb + float(theta[skin]),
        max_top_c=spec.max_top_c,
        max_skin_c=spec.max_skin_c,
        heat_out=(
            FaceHeat("top", out_top),
            FaceHeat("bottom", out_bottom),
            FaceHeat("sides", 0.0),
        ),
        total_power_w=total,
        hottest_die_id=hottest.die_id if hottest else "",
        hottest_c=hottest.max_c if hottest else amb,
        hottest_xyz_um=(
            p.x_um + p.width_um / 2,
            p.y_um + p.length_um / 2,
            p.z_bottom_um + p.thickness_um / 2,
        )
        if p
        else (0.0, 0.0, 0.0),
        cells=net.matrix.shape[0],
        solve_time_s=time.perf_counter() - t0,
    )
