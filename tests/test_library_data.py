"""The built-in library: complete, sourced, and consistent with the core model."""

from __future__ import annotations

from dataclasses import fields

import pytest

from layoutopt.errors import DesignError, LibraryError
from layoutopt.library import library_table, load_library, to_core_material
from layoutopt.library.spec import MaterialSpec
from layoutopt.model import BondType, DieKind, Family, ProcessRules

LIB = load_library()
CODES = {"H", "M", "L", "E"}


def test_every_family_has_a_process():
    families = {p.rules.family for p in LIB.processes}
    assert families == set(Family)
    assert {"hbm_mr_muf", "hbm_tc_ncf", "foms_r_lpddr"} <= set(LIB.process_names)


def test_required_parts_exist():
    required = {
        "lpddr4x_16gb",
        "lpddr5x_16gb",
        "nand_tlc_512gb",
        "nand_tlc_1tb",
        "emmc_controller",
        "ufs_controller",
        "hbm3e_core_24gb",
        "hbm3e_base",
        "soc_ar1_class",
        "edge_ai_compute",
        "pmic",
        "cap_01005",
        "cap_0201",
        "cap_0402",
        "res_01005",
        "res_0201",
        "res_0402",
    }
    assert required <= set(LIB.part_names)
    passives = [LIB.part(n).die for n in required if n.startswith(("cap_", "res_"))]
    assert len(passives) == 6
    assert all(d.kind is DieKind.PASSIVE and d.bond is BondType.SMT for d in passives)


def test_required_materials_exist_and_layered_ones_are_anisotropic():
    for name in (
        "silicon",
        "copper",
        "emc",
        "daf",
        "underfill",
        "ncf",
        "mr_muf",
        "air",
        "substrate_2l",
        "rdl",
        "ball_layer",
        "pcb",
        "housing_plastic",
    ):
        assert LIB.material(name).k_z_w_per_m_k > 0
    for name in ("substrate_2l", "rdl", "pcb"):
        m = LIB.material(name)
        assert m.k_xy_w_per_m_k > 10 * m.k_z_w_per_m_k


def test_every_entry_is_sourced():
    for entry in (*LIB.parts, *LIB.processes, *LIB.materials):
        assert entry.source and entry.confidence in CODES, entry.name
    for entry in (*LIB.parts, *LIB.processes):
        for key, source, confidence in entry.field_sources:
            assert source and confidence in CODES, (entry.name, key)


def test_every_process_value_names_its_source():
    for process in LIB.processes:
        sourced = {key for key, _, _ in process.field_sources}
        default = ProcessRules(family=process.rules.family, name=process.name)
        for f in fields(ProcessRules):
            if f.name in ("family", "name") or f.name.endswith("_material"):
                continue
            if getattr(process.rules, f.name) != getattr(default, f.name):
                key = f.name.removesuffix("_um")
                assert key in sourced, f"{process.name}.{key} has no source"


def test_hbm_processes_differ_in_bond_line():
    mr, tc = LIB.process("hbm_mr_muf").rules, LIB.process("hbm_tc_ncf").rules
    assert (mr.bond_line_um, mr.bond_line_material) == (17, "mr_muf")
    assert (tc.bond_line_um, tc.bond_line_material) == (7, "ncf")
    assert LIB.material("mr_muf").k_z_w_per_m_k > LIB.material("ncf").k_z_w_per_m_k
    assert mr.max_stack_height_um == tc.max_stack_height_um == 720


def test_hbm_core_die_allows_thinning():
    core = LIB.part("hbm3e_core_24gb").die
    assert core.thickness_um == 30 and core.allowed_thickness_um == (30, 40, 50)
    assert core.bond is BondType.MICRO_BUMP
    assert LIB.part("hbm3e_base").die.bond is BondType.FLIP_CHIP


def test_stack_pairs_use_allowed_kinds():
    for p in LIB.processes:
        for upper, lower in p.rules.stack_pairs:
            assert upper in p.rules.allowed_kinds and lower in p.rules.allowed_kinds, p.name


def test_unknown_name_suggests_nearest():
    with pytest.raises(LibraryError, match="did you mean 'nand_tlc_1tb'"):
        LIB.part("nand_tlc_1tbb")
    with pytest.raises(LibraryError, match="did you mean 'hbm_tc_ncf'"):
        LIB.process("hbm_tcncf")
    with pytest.raises(LibraryError, match="did you mean 'silicon'"):
        LIB.material("silicone")


def test_library_is_frozen_and_cached():
    assert load_library() is LIB
    with pytest.raises(AttributeError):
        LIB.parts = ()  # type: ignore[misc]


def test_library_table_rows():
    rows = library_table()
    assert {r["section"] for r in rows} == {"part", "material", "process"}
    assert len(rows) == len(LIB.parts) + len(LIB.materials) + len(LIB.processes)
    assert all(set(r) == {"section", "name", "summary", "confidence", "source"} for r in rows)


def test_to_core_material_requires_one_form():
    m = to_core_material("x", MaterialSpec(k_xy_w_per_m_k=30, k_z_w_per_m_k=0.6, confidence="E"))
    assert (m.k_xy_w_per_m_k, m.k_z_w_per_m_k, m.confidence) == (30, 0.6, "E")
    with pytest.raises(DesignError, match="not both"):
        to_core_material("x", MaterialSpec(k_w_per_m_k=1, k_z_w_per_m_k=2))
    with pytest.raises(DesignError, match="needs its thermal conductivity"):
        to_core_material("x", MaterialSpec(k_xy_w_per_m_k=1))
