"""Rule ``finger_fillet``: no bond-finger ring inside a substrate-level underfill fillet.

A hybrid flip-chip + wire-bond stack (a memory die wire-bonded from its west edge onto the
back of a flip-chip SoC, one substrate): the ring (250 um) lies just outside the stack box,
over the SoC's 100 um fillet unless the memory stands that far beyond the SoC. In a PoP the
same stack is the top package, bonded to the top substrate, and is exempt (#13).
"""

from __future__ import annotations

from layout_builders import hybrid_stack_example

from layoutopt.model import Design, Layout
from layoutopt.validate import validate


def _stacked(overhang_um: int, family: str = "sip") -> tuple[Design, Layout]:
    return hybrid_stack_example(overhang_um, family)


def _fillet_messages(design: Design, layout: Layout) -> list[tuple[str, int | None]]:
    return [(v.message, v.excess_um) for v in validate(design, layout) if v.rule == "finger_fillet"]


def test_ring_over_the_socs_fillet_is_a_violation() -> None:
    # DRAM flush with the SoC's west edge (x = 1000): ring x 750..1000, fillet x 900..7100
    found = _fillet_messages(*_stacked(0))
    assert found == [
        (
            "the west finger ring of stack 0 (SOC) lies inside the underfill fillet "
            "of SOC (100 um around the die) at x = 900..1000 um",
            100,
        )
    ]


def test_memory_standing_beyond_the_fillet_clears_it() -> None:
    assert _fillet_messages(*_stacked(100)) == []
    assert [v.excess_um for v in validate(*_stacked(60)) if v.rule == "finger_fillet"] == [40]


def test_a_pops_top_package_bonds_above_the_fillet() -> None:
    assert _fillet_messages(*_stacked(0, family="pop")) == []
