"""Thermal conductivities and input checks shared by every thermal model.

A material is looked up in the design's own table first (``design.material(name)``). When the
design does not define it, the fallback table below is used. Each fallback row cites
``/work/shared/reference/domain_data.md`` (section and row); rows marked ``"E"`` are
*estimates* there and should be replaced by vendor data for a real design.

Examples
--------
>>> fallback_material("silicon").k_z_w_per_m_k
130.0
>>> fallback_material("emc").confidence
'E'
"""

from __future__ import annotations

import math

from layoutopt.errors import DesignError
from layoutopt.model import Design, Material

__all__ = ["FALLBACK_MATERIALS", "check_thermal_inputs", "conductivity", "fallback_material"]


def _m(name: str, k_xy: float, k_z: float, source: str, confidence: str) -> Material:
    return Material(name, k_xy, k_z, source=source, confidence=confidence)


# Fallback conductivities (W/m/K). Names are those the core model uses by default
# (ProcessRules.*_material, ThermalSpec.board_material / housing_material, Die.material)
# plus the common short names. Sources: domain_data.md §4.1 "Thermal conductivity" and §6
# "k values" (Si 130, Cu 390, EMC 0.9, DAF 0.25, UF 0.6, NCF 0.4, MUF 1.0, PI 0.2, SAC 58,
# FR4 0.34/1.06 bare).
FALLBACK_MATERIALS: dict[str, Material] = {
    m.name: m
    for m in (
        _m("silicon", 130.0, 130.0, "domain_data.md §6 'k values' Si 130 (§4.1 'Silicon')", "M"),
        _m("copper", 390.0, 390.0, "domain_data.md §6 'k values' Cu 390 (§4.1 'Copper')", "M"),
        _m(
            "emc",
            0.9,
            0.9,
            "domain_data.md §6 'k values' EMC 0.9 (§4.1 'Epoxy mold compound')",
            "E",
        ),
        _m(
            "daf", 0.25, 0.25, "domain_data.md §6 'k values' DAF 0.25 (§4.1 'Die attach film')", "E"
        ),
        _m(
            "underfill",
            0.6,
            0.6,
            "domain_data.md §6 'k values' UF 0.6 (§4.1 'Standard capillary underfill')",
            "E",
        ),
        _m("ncf", 0.4, 0.4, "domain_data.md §6 'k values' NCF 0.4 (§4.1 'NCF')", "E"),
        _m("muf", 1.0, 1.0, "domain_data.md §6 'k values' MUF 1.0 (§4.1 'MR-MUF liquid EMC')", "E"),
        _m(
            "polyimide",
            0.2,
            0.2,
            "domain_data.md §6 'k values' PI 0.2 (§4.1 'Polyimide / PBO')",
            "E",
        ),
        _m("sac", 58.0, 58.0, "domain_data.md §6 'k values' SAC 58 (§4.1 'SAC solder')", "E"),
        _m(
            "fr4",
            1.06,
            0.34,
            "domain_data.md §6 'k values' FR4 0.34/1.06 (§4.1 'FR-4 laminate, bare')",
            "H",
        ),
        # A multilayer board with copper planes: §4.1 row "Multilayer PCB / substrate with Cu
        # planes", in-plane 15-40, through-plane 0.4-1 (E); mid-range values.
        _m(
            "pcb",
            25.0,
            0.7,
            "domain_data.md §4.1 'Multilayer PCB / substrate with Cu planes' (mid-range)",
            "E",
        ),
        # Organic package substrate: in-plane from §4.1 "Organic substrate, effective (Cu
        # planes)" ~19 (M, 3D-ICE value); through-plane from the "Multilayer PCB / substrate"
        # row, 0.4-1 (E), mid-range 0.7.
        _m(
            "substrate_2l",
            19.0,
            0.7,
            "domain_data.md §4.1 'Organic substrate, effective' (xy); "
            "'Multilayer PCB / substrate' (z)",
            "E",
        ),
        # Ball layer as an effective medium: SAC 58 (§6) times a ball area fraction of ~0.3
        # (a 0.25 mm ball at 0.4 mm pitch: pi*0.125^2/0.4^2 = 0.31) through the thickness;
        # in-plane the balls do not connect, so only air between them (§4.1 'Air' 0.026).
        # Estimate (calc).
        _m(
            "ball_layer",
            0.026,
            17.0,
            "calc: domain_data.md §6 SAC 58 x ball area fraction 0.3 (z); §4.1 'Air' (xy)",
            "E",
        ),
        # RDL: polyimide dielectric (§6 PI 0.2) with copper lines; assumed 30 % copper in-plane
        # and 5 % via area through the thickness (rule of mixtures). Estimate (calc).
        _m(
            "rdl",
            117.0,
            19.7,
            "calc: domain_data.md §6 PI 0.2 / Cu 390 with 30 % Cu (xy), 5 % vias (z)",
            "E",
        ),
        # Housing wall of a wearable: an unfilled polymer; §4.1 'Unfilled epoxy' 0.22-0.3 as
        # a stand-in (no housing plastic row exists). Estimate.
        _m(
            "housing_plastic",
            0.25,
            0.25,
            "domain_data.md §4.1 'Unfilled epoxy' as a stand-in for housing plastic",
            "E",
        ),
        _m("air", 0.026, 0.026, "domain_data.md §4.1 'Air (still)'", "E"),
    )
}
for _alias, _name in (
    ("si", "silicon"),
    ("cu", "copper"),
    ("mold", "emc"),
    ("uf", "underfill"),
    ("pi", "polyimide"),
    ("solder", "sac"),
    ("substrate", "substrate_2l"),
):
    FALLBACK_MATERIALS[_alias] = FALLBACK_MATERIALS[_name]


def fallback_material(name: str) -> Material:
    """The fallback row for ``name`` (case-insensitive); ``KeyError`` when there is none."""
    return FALLBACK_MATERIALS[name.lower()]


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
            known = ", ".join(sorted(FALLBACK_MATERIALS))
            raise DesignError(
                "unknown material: not in the design's material table nor in the thermal "
                "fallback table",
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
