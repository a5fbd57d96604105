"""Candidate families: each variant connects the dies its own way."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from layoutopt.design_file import load_design
from layoutopt.library import load_library
from layoutopt.model import BondType

GLASSES = Path(__file__).resolve().parents[1] / "designs" / "smart_glasses_epop.yaml"


def test_variants_apply_each_familys_bond_map() -> None:
    library = load_library()
    design = load_design(GLASSES)
    design = replace(
        design, alternatives=(library.process("sip").rules, library.process("foms").rules)
    )
    epop, sip, foms = design.variants()
    assert {d.bond for d in epop.dies} == {BondType.WIRE_BOND}
    assert {d.bond for d in sip.dies} == {BondType.WIRE_BOND}
    assert {d.bond for d in foms.dies} == {BondType.VERTICAL_WIRE}
    assert all(v.alternatives == () for v in (epop, sip, foms))
    assert [d.id for d in foms.dies] == [d.id for d in epop.dies]
