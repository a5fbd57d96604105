"""Material properties for the thermal models, from the design's own material table.

A :class:`~layoutopt.model.Design` carries every material it uses (a design file merges the
library's table with its own); there is no fallback to a global table, so a hand-made design
names its materials (e.g. ``materials=load_library().materials``).

Two kinds of material are derived here rather than looked up:

- the **board** from its layer stack (:func:`board_material`): each layer's copper share
  conducts in parallel with its dielectric; in-plane the layers conduct in parallel,
  through-plane in series (the standard effective-conductivity treatment of a multilayer
  board; it is exact for laterally uniform and for purely vertical heat flow);
- the **radiation** across the air gap under a housing (:func:`radiation_h_w_per_m2_k`),
  a coefficient between the gap's two faces (the models couple the faces with it).

Examples
--------
>>> round(radiation_h_w_per_m2_k(37.0, 37.0, 0.9, 0.9), 2)  # domain_data.md §4.5: ~6
5.54
"""

from __future__ import annotations

from layoutopt.errors import DesignError
from layoutopt.model import Design, Material

__all__ = [
    "SIGMA_W_PER_M2_K4",
    "board_material",
    "heat_capacity_j_per_m3_k",
    "material",
    "radiation_h_w_per_m2_k",
]

SIGMA_W_PER_M2_K4 = 5.670374419e-8  # Stefan-Boltzmann constant (CODATA 2018, exact in SI)
_KELVIN = 273.15


def material(design: Design, name: str, *, field: str = "materials") -> Material:
    """The design's material ``name``; :class:`DesignError` naming ``field`` when it has none."""
    try:
        return design.material(name)
    except KeyError:
        known = ", ".join(m.name for m in design.materials) or "none"
        raise DesignError(
            "unknown material: the design's material table does not have it",
            field=field,
            value=name,
            fix=f"add material {name!r} to the design (known: {known}); a hand-made Design "
            "can take the library's table, materials=load_library().materials",
        ) from None


def heat_capacity_j_per_m3_k(m: Material, *, field: str) -> float:
    """ρ·c of ``m``; :class:`DesignError` when the material has no density or specific heat."""
    value = m.heat_capacity_j_per_m3_k
    if value is None:
        missing = "density_kg_per_m3" if m.density_kg_per_m3 is None else "specific_heat_j_per_kg_k"
        raise DesignError(
            f"material {m.name!r} has no {missing}, which the transient model needs",
            field=f"materials[{m.name}].{missing}",
            fix="give density_kg_per_m3 and specific_heat_j_per_kg_k (domain_data.md §9.1)",
        ) from None
    return value


def board_material(design: Design) -> Material:
    """The board as one anisotropic material: its layer stack, or ``board_material``.

    Per layer (copper share ``f``): ``k = f k_cu + (1 - f) k_dielectric`` in both directions
    (the copper areas span the layer). Over the stack: in-plane ``sum(t k_xy) / sum(t)``,
    through-plane ``sum(t) / sum(t / k_z)``, heat capacity ``sum(t ρc) / sum(t)``.
    """
    spec = design.thermal
    if not spec.board_layers:
        return material(design, spec.board_material, field="thermal.board_material")
    cu = material(design, "copper", field="thermal.board.layers (copper)")
    total_um = sum(layer.thickness_um for layer in spec.board_layers)
    in_plane = resistive = mass = 0.0
    heat: float | None = 0.0
    for i, layer in enumerate(spec.board_layers):
        d = material(design, layer.dielectric, field=f"thermal.board.layers[{i}].dielectric")
        f, t = layer.copper_fraction, layer.thickness_um
        in_plane += t * (f * cu.k_xy_w_per_m_k + (1 - f) * d.k_xy_w_per_m_k)
        resistive += t / (f * cu.k_z_w_per_m_k + (1 - f) * d.k_z_w_per_m_k)
        c_cu, c_d = cu.heat_capacity_j_per_m3_k, d.heat_capacity_j_per_m3_k
        if heat is None or c_cu is None or c_d is None:
            heat = None
        else:
            heat += t * (f * c_cu + (1 - f) * c_d)
            mass += t * (f * cu.density_kg_per_m3 + (1 - f) * d.density_kg_per_m3)  # type: ignore[operator]
    return Material(
        f"board ({len(spec.board_layers)} layers)",
        in_plane / total_um,
        total_um / resistive,
        source="layer stack: copper and dielectric in parallel per layer; layers in parallel "
        "in-plane, in series through-plane",
        confidence="E",
        density_kg_per_m3=None if heat is None else mass / total_um,
        specific_heat_j_per_kg_k=None if heat is None else heat / mass,
    )


def radiation_h_w_per_m2_k(t1_c: float, t2_c: float, eps1: float, eps2: float) -> float:
    """Radiative coefficient between two large parallel faces at ``t1_c`` and ``t2_c``.

    Net exchange ``q = ε σ (T1⁴ - T2⁴)`` with ``ε = 1 / (1/ε1 + 1/ε2 - 1)``, written
    ``q = h (T1 - T2)``: ``h = ε σ (T1 + T2)(T1² + T2²)``, exact at those two temperatures
    (the secant linearisation; it tends to ``4 ε σ T³`` as they meet).
    """
    a, b = t1_c + _KELVIN, t2_c + _KELVIN
    eps = 1.0 / (1.0 / eps1 + 1.0 / eps2 - 1.0)
    return eps * SIGMA_W_PER_M2_K4 * (a + b) * (a * a + b * b)
