"""Thermal conductivities and input checks shared by every thermal model.

A material is looked up in the design's own table first (``design.material(name)``). When the
design does not define it (hand-made designs), the built-in library's material of that name
is used: one table of constants, each with its source row in the reference data and its
confidence (``layoutopt/library/data/materials.yaml``).

Examples
--------
>>> fallback_material("silicon").k_z_w_per_m_k
130.0
>>> fallback_material("si") == fallback_material("silicon")
True
"""

from __future__ import annotations

import math

from layoutopt.errors import DesignError
from layoutopt.model import Design, Material

__all__ = ["check_thermal_inputs", "conductivity", "fallback_material"]

# Short names people write for library materials.
_ALIASES = {
    "si": "silicon",
    "cu": "copper",
    "mold": "emc",
    "uf": "underfill",
    "pi": "polyimide",
    "sac": "solder",
    "muf": "mr_muf",
    "fr4": "fr4_bare",
    "substrate": "substrate_2l",
}


def fallback_material(name: str) -> Material:
    """The built-in library's material ``name`` (or its alias); KeyError when unknown."""
    from layoutopt.errors import LibraryError
    from layoutopt.library import load_library

    try:
        return load_library().material(_ALIASES.get(name, name))
    except LibraryError:
        raise KeyError(name) from None


def conductivity(design: Design, name: str, *, field: str = "materials") -> tuple[float, float]:
    """(k_xy, k_z) of material ``name`` in W/m/K: the design's table, else the fallback.

    Raises
    ------
    DesignError
        When the material is unknown to both, or a conductivity is not positive and finite.
    """
    try:
        material = design.material(name)
    except KeyError:
        try:
            material = fallback_material(name)
        except KeyError:
            from layoutopt.library import load_library

            known = ", ".join(load_library().material_names)
            raise DesignError(
                "unknown material: not in the design's material table nor in the library",
                field=field,
                value=name,
                fix=f"add material {name!r} (k_xy, k_z) to the design, or use one of {known}",
            ) from None
    for attr in ("k_xy_w_per_m_k", "k_z_w_per_m_k"):
        value = getattr(material, attr)
        if not (math.isfinite(value) and value > 0):
            raise DesignError(
                "thermal conductivity must be positive and finite",
                field=f"materials[{material.name}].{attr}",
                value=value,
                fix="give a positive conductivity in W/m/K, e.g. 0.9 for mold compound",
            )
    return material.k_xy_w_per_m_k, material.k_z_w_per_m_k


def check_thermal_inputs(design: Design) -> None:
    """Raise :class:`DesignError` (field and fix) for thermal input no model can use.

    Checks: positive finite h, positive board thickness, limits above ambient, power maps
    that are rectangular, non-empty, non-negative and not all zero, non-negative powers.
    """
    spec = design.thermal
    for name in ("h_top_w_per_m2_k", "h_bottom_w_per_m2_k"):
        value = getattr(spec, name)
        if not (math.isfinite(value) and value > 0):
            raise DesignError(
                "heat transfer coefficient must be positive and finite",
                field=f"thermal.{name}",
                value=value,
                fix="give h in W/m2/K, e.g. 12 for still air with radiation (domain_data.md §6)",
            )
    if spec.board_thickness_um <= 0:
        raise DesignError(
            "board thickness must be positive",
            field="thermal.board_thickness_um",
            value=spec.board_thickness_um,
            fix="give the board thickness, e.g. 500 um",
        )
    if spec.board_margin_um < 0 or spec.housing_thickness_um < 0:
        raise DesignError(
            "board margin and housing thickness must be zero or positive",
            field="thermal.board_margin_um"
            if spec.board_margin_um < 0
            else "thermal.housing_thickness_um",
            value=min(spec.board_margin_um, spec.housing_thickness_um),
            fix="use 0 or a positive length",
        )
    for name in ("max_top_c", "max_skin_c", "top_fixed_c", "bottom_fixed_c"):
        value = getattr(spec, name)
        if value is None:
            continue
        if not math.isfinite(value) or (name.startswith("max") and value <= spec.ambient_c):
            raise DesignError(
                f"limit must be above the ambient {spec.ambient_c} °C",
                field=f"thermal.{name}",
                value=value,
                fix="raise the limit above ambient or lower thermal.ambient_c",
            )
    for i, die in enumerate(design.dies):
        if not (math.isfinite(die.power_w) and die.power_w >= 0):
            raise DesignError(
                "power must be zero or positive",
                field=f"dies[{i}].power_w",
                value=die.power_w,
                fix="give the die power in W, e.g. 0.12",
            )
        if die.max_junction_c <= spec.ambient_c:
            raise DesignError(
                f"junction limit must be above the ambient {spec.ambient_c} °C",
                field=f"dies[{i}].max_junction_c",
                value=die.max_junction_c,
                fix="raise the limit (e.g. 85 °C, domain_data.md §6) or lower thermal.ambient_c",
            )
        if die.power_map is not None:
            _check_power_map(die.power_map, f"dies[{i}].power_map")


def _check_power_map(power_map: tuple[tuple[float, ...], ...], field: str) -> None:
    rows = len(power_map)
    cols = {len(row) for row in power_map}
    if rows == 0 or len(cols) != 1 or 0 in cols:
        raise DesignError(
            "power map must be a non-empty rectangular table (rows south to north, "
            "columns west to east)",
            field=field,
            value=f"{rows} rows of lengths {sorted(cols)}",
            fix="give every row the same number of relative power values",
        )
    values = [v for row in power_map for v in row]
    if any(not math.isfinite(v) or v < 0 for v in values) or sum(values) <= 0:
        raise DesignError(
            "power map values must be finite, zero or positive, and not all zero",
            field=field,
            fix="give relative power densities such as [[1, 2], [1, 1]]",
        )
