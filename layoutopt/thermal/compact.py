"""Compact thermal model: a small resistance network per layout, solved exactly.

Network (nodes and why)
-----------------------
- one node per die (its mean temperature); power enters there;
- one *board* node: the board (in-plane k ~25 W/m/K) is nearly isothermal over a few
  centimetres in still air (fin length sqrt(k t / 2h) ~ 20 mm > board), so one lump;
- one *package top* node (mold top face) and, with a housing wall, one *skin* node;
- ambient (or the fixed face temperatures ``top_fixed_c`` / ``bottom_fixed_c``).

Branches (series resistances; each layer ``t / (k A)``)
-------------------------------------------------------
- die to die within a stack: half of each die plus the upper die's joint, over the overlap;
- tier-0 die down to the board: half die, joint, substrate / RDL, balls, board half-thickness.
  Spreading: each layer conducts through an area that grows at 45° in *scaled*
  coordinates (an anisotropic layer is an isotropic one of thickness ``t sqrt(kxy/kz)``),
  i.e. a rectangle a x b grows by ``2 t sqrt(kxy/kz)`` per side pass, clipped to the package
  (to the board for the board layer); the layer resistance is the integral of
  ``dz / (k_z A(z))``, taken with a 16-point Gauss rule (one formula with or without
  clipping; for the unclipped square it is the closed form ``t / (k a (a + 2t))``);
- top die of each stack up through the mold above it (with the same spreading) to the
  package top node;
- package top to board through the mold beside the dies and the substrate and balls;
- package top to ambient (``1/(h_top A_pkg)``) or through the housing wall to the skin node
  and then to ambient; board to ambient from its bottom (``h_bottom``) and from its top
  beyond the package (``h_top``).

Dies of different stacks couple only through the shared board and top nodes (lateral
conduction in the substrate between stacks is neglected: conservative for the hotter one).
A die's "max" is its node temperature (the compact model has no in-die gradient); compare
with the fv3d mean. The network is linear, so the solution is the superposition of each die's
contribution: :func:`junction_sensitivity` returns that matrix dT_i/dP_j directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from layoutopt.model import Design, Layout
from layoutopt.thermal.materials import check_thermal_inputs, conductivity
from layoutopt.thermal.report import DieTemperature, FaceHeat, ThermalReport
from layoutopt.thermal.stackup import joint_material_for

__all__ = ["Sensitivity", "compact_report", "junction_sensitivity"]

_UM = 1e-6  # metres per micrometre: the one unit conversion of this module
_GAUSS_X, _GAUSS_W = np.polynomial.legendre.leggauss(16)


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
    """

    die_ids: tuple[str, ...]
    matrix_k_per_w: np.ndarray
    offset_k: np.ndarray
    top_k_per_w: np.ndarray  # package top rise per watt in each die
    skin_k_per_w: np.ndarray | None
    top_offset_k: float = 0.0
    skin_offset_k: float = 0.0


def _network(design: Design, layout: Layout):
    """Conductance matrix, boundary vector and node layout of the compact network."""
    check_thermal_inputs(design)
    rules, spec, pkg = design.rules, design.thermal, layout.package
    k = {}

    def kk(name: str, field: str) -> tuple[float, float]:
        if name not in k:
            k[name] = conductivity(design, name, field=field)
        return k[name]

    ids = tuple(p.die_id for p in layout.placements)
    n_die = len(ids)
    board, top = n_die, n_die + 1
    skin = n_die + 2 if spec.housing_thickness_um > 0 else None
    n = n_die + (3 if skin is not None else 2)
    g = np.zeros((n, n))
    g_amb = np.zeros(n)  # conductance to the boundary temperature of the node
    t_bc = np.zeros(n)  # boundary temperature rise over ambient

    def link(i: int, j: int, r: float) -> None:
        g[i, j] -= 1.0 / r
        g[j, i] -= 1.0 / r
        g[i, i] += 1.0 / r
        g[j, j] += 1.0 / r

    pw, pl = pkg.width_um * _UM, pkg.length_um * _UM
    m = spec.board_margin_um * _UM
    bw, bl = pw + 2 * m, pl + 2 * m
    base_layers = [
        (rules.ball_height_um, rules.ball_material, "rules.ball_material"),
        (rules.substrate_thickness_um, rules.substrate_material, "rules.substrate_material"),
    ]
    base_layers += [
        (rules.rdl_layer_thickness_um, rules.rdl_material, "rules.rdl_material")
    ] * rules.rdl_layers
    kb = kk(spec.board_material, "thermal.board_material")
    kmold = kk(rules.mold_material, "rules.mold_material")
    tb = spec.board_thickness_um * _UM
    base_top = rules.base_thickness_um
    covered = 0.0
    for _s, stack in layout.stacks().items():
        for tier, p in enumerate(stack):
            die = design.die(p.die_id)
            i = ids.index(p.die_id)
            ksi = kk(die.material, f"dies[{p.die_id}].material")
            a, b = p.width_um * _UM, p.length_um * _UM
            half = 0.5 * p.thickness_um * _UM / (ksi[1] * a * b)
            lower = design.die(p.on_die) if p.on_die else None
            joint_t = rules.joint_um(die, lower) * _UM
            kj = kk(joint_material_for(rules, die, lower), f"rules ({die.bond.value} joint)")
            if tier == 0:
                covered += a * b
                r, a2, b2 = _spread_resistance(joint_t, *kj, a, b, pw, pl)
                r = half + r
                for t_um, name, field in reversed(base_layers) if p.side == "top" else ():
                    dr, a2, b2 = _spread_resistance(t_um * _UM, *kk(name, field), a2, b2, pw, pl)
                    r += dr
                if p.side != "top":  # bottom side: through its joint into the substrate
                    dr, a2, b2 = _spread_resistance(
                        rules.substrate_thickness_um * _UM,
                        *kk(rules.substrate_material, "rules.substrate_material"),
                        a2,
                        b2,
                        pw,
                        pl,
                    )
                    r += dr
                dr, _, _ = _spread_resistance(0.5 * tb, *kb, a2, b2, bw, bl)
                link(i, board, r + dr)
            else:
                below = stack[tier - 1]
                j = ids.index(below.die_id)
                overlap = (
                    max(
                        0,
                        min(p.x_um + p.width_um, below.x_um + below.width_um)
                        - max(p.x_um, below.x_um),
                    )
                    * max(
                        0,
                        min(p.y_um + p.length_um, below.y_um + below.length_um)
                        - max(p.y_um, below.y_um),
                    )
                    * _UM**2
                )
                kbelow = kk(design.die(below.die_id).material, "dies.material")
                half_below = (
                    0.5
                    * below.thickness_um
                    * _UM
                    / (kbelow[1] * below.width_um * below.length_um * _UM**2)
                )
                link(i, j, half + half_below + joint_t / (kj[1] * max(overlap, 1e-12)))
            if tier == len(stack) - 1 and p.side == "top":
                r, _, _ = _spread_resistance(
                    (layout.thickness_um - p.z_top_um) * _UM, kmold[0], kmold[1], a, b, pw, pl
                )
                link(i, top, half + r)
    # Package top <-> board: mold beside the dies, then the base layers over the package.
    free = max(pw * pl - covered, 0.05 * pw * pl)
    r = (layout.thickness_um - base_top) * _UM / (kmold[1] * free)
    for t_um, name, field in base_layers:
        r += t_um * _UM / (kk(name, field)[1] * pw * pl)
    link(top, board, r + 0.5 * tb / (kb[1] * pw * pl))
    # To ambient.
    h_top, h_bot = spec.h_top_w_per_m2_k, spec.h_bottom_w_per_m2_k
    outer = top
    if skin is not None:
        kh = kk(spec.housing_material, "thermal.housing_material")
        link(top, skin, spec.housing_thickness_um * _UM / (kh[1] * pw * pl))
        outer = skin
    if spec.top_fixed_c is not None:
        g_amb[outer] += 1e12  # a fixed face: effectively infinite conductance
        t_bc[outer] = spec.top_fixed_c - spec.ambient_c
    else:
        g_amb[outer] += h_top * pw * pl
    if spec.bottom_fixed_c is not None:
        g_amb[board] += 1e12
        t_bc[board] = spec.bottom_fixed_c - spec.ambient_c
    else:
        g_amb[board] += h_bot * bw * bl
    g_amb[board] += h_top * (bw * bl - pw * pl)
    return ids, g + np.diag(g_amb), g_amb * t_bc, top, skin


def junction_sensitivity(design: Design, layout: Layout) -> Sensitivity:
    """dT/dP of every die to every die's power (K/W), from the compact network.

    >>> from layoutopt.thermal.samples import single_die_sample
    >>> s = junction_sensitivity(*single_die_sample())
    >>> bool(s.matrix_k_per_w[0, 0] > 0)
    True
    """
    ids, g, bc, top, skin = _network(design, layout)
    inv = np.linalg.inv(g)
    offset = inv @ bc
    n = len(ids)
    return Sensitivity(
        die_ids=ids,
        matrix_k_per_w=inv[:n, :n],
        offset_k=offset[:n],
        top_k_per_w=inv[top, :n],
        skin_k_per_w=None if skin is None else inv[skin, :n],
        top_offset_k=float(offset[top]),
        skin_offset_k=0.0 if skin is None else float(offset[skin]),
    )


def compact_report(design: Design, layout: Layout) -> ThermalReport:
    """Thermal check with the compact network (model ``"compact"``)."""
    t0 = time.perf_counter()
    ids, g, bc, top, skin = _network(design, layout)
    powers = np.array([design.die(d).power_w for d in ids])
    q = bc.copy()
    q[: len(ids)] += powers
    theta = np.linalg.solve(g, q)
    spec = design.thermal
    amb = spec.ambient_c
    dies = tuple(
        DieTemperature(d, amb + float(theta[i]), amb + float(theta[i]), design.die(d).max_junction_c)
        for i, d in enumerate(ids)
    )
    total = float(powers.sum())
    # Heat out: by face, from the boundary conductances (board: bottom and top margin).
    pw, pl = layout.package.width_um * _UM, layout.package.length_um * _UM
    outer = skin if skin is not None else top
    board = len(ids)
    # Flow into a boundary = total conductance-to-boundary * (theta - theta_bc).
    g_amb = g.sum(axis=1)  # row sums are the boundary conductances (internal links cancel)
    flows = g_amb * (theta - np.divide(bc, g_amb, out=np.zeros_like(bc), where=g_amb > 0))
    m = spec.board_margin_um * _UM
    bw, bl = pw + 2 * m, pl + 2 * m
    margin_share = (
        spec.h_top_w_per_m2_k * (bw * bl - pw * pl) / g_amb[board] if g_amb[board] > 0 else 0.0
    )
    if spec.bottom_fixed_c is not None:
        margin_share = 0.0
    out_top = flows[outer] + flows[board] * margin_share
    out_bottom = flows[board] * (1.0 - margin_share)
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
            FaceHeat("top", float(out_top)),
            FaceHeat("bottom", float(out_bottom)),
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
        cells=g.shape[0],
        solve_time_s=time.perf_counter() - t0,
    )
