"""A 16-high NAND staircase under the shipped wire rules: which wire breaks which rule.

Micron's 2 TB package holds 16 x 1 Tb NAND in 11.5 x 13.5 mm (reference data §1.4, M).
One staircase of 16 dies (150 um steps, pads south), each tier on its own pair of staggered
finger rows, as layoutopt's finger model builds it (docs/rules.md, *Fingers and wires*),
does not fit: 32 rows make a 3.35 mm ring, and the wires of the upper dies run past 3 mm.
(A real 16-die stack bonds die to die and shares its fingers: not modelled.)
"""

from __future__ import annotations

from layout_builders import LayoutBuilder

from layoutopt.design_file import design_from_text
from layoutopt.validate import validate

TEXT = """
name: nand16
process: sip
rules:
  max_dies_per_stack: 16
  stack_pairs: [[nand, nand]]
dies:
  - {part: nand_tlc_1tb, count: 16}
balls: {count: 153}
envelope:
  outline: {width: "11.5 mm", length: "13.5 mm"}
  max_thickness: "1.4 mm"
"""


def test_a_sixteen_high_staircase_breaks_the_ring_and_the_wire_length() -> None:
    design = design_from_text(TEXT)
    b = LayoutBuilder(design, package_um=(11500, 13500))
    below = None
    for k in range(16):
        b.place(f"NAND{k}", 2000, 1000 + 150 * k, on=below)
        below = f"NAND{k}"
    found = validate(design, b.build())
    assert {v.rule for v in found} == {"finger_ring", "wire_length"}
    (ring,) = [v for v in found if v.rule == "finger_ring"]
    # 32 rows: 250 + 31 x 100 = 3350 um south of the box at y 1000: 2350 um outside the
    # package, and the finger edge keep-out (150 um) on top
    assert "south finger ring" in ring.message and ring.excess_um == 2350 + 150
    long = {v.die_ids[0]: v for v in found if v.rule == "wire_length"}
    # each tier adds a staircase step, two rows and a die's height: ~0.37 mm per tier
    assert sorted(long, key=lambda i: int(i[4:])) == [f"NAND{k}" for k in range(7, 16)]
    assert "is 5.966 mm; rule allows <= 3.000 mm" in long["NAND15"].message
    assert long["NAND7"].excess_um == 1
