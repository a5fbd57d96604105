"""Rule groups: the parts of the model an infeasibility explanation can switch off.

Each group has one enforcement literal in the variables container
(:attr:`~layoutopt.solver.variables.Variables.groups`). A normal solve fixes every literal
true; :mod:`layoutopt.solver.explain` makes them assumptions, asks CP-SAT which of them
cannot hold together, and measures each by solving without it. The rule modules tag their
constraints with these members and nothing else, so a new rule that a user can override
gets a member here, its words and the design fields it stands for.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RuleGroup"]


class RuleGroup(StrEnum):
    """A switchable part of the model (values are the stable names in statistics)."""

    OUTLINE = "outline"
    KEEPOUT = "keepout"
    HEIGHT_ZONE = "height_zone"
    MAX_THICKNESS = "max_thickness"
    EDGE_KEEPOUT = "edge_keepout"
    FINGER_RING = "finger_ring"
    SPACING = "spacing"
    WIRE_REACH = "wire_reach"
    OVERHANG = "overhang"
    STAIRCASE = "staircase"
    STACK_LIMIT = "stack_limit"
    STACK_HEIGHT = "stack_height"
    DIE_TO_DIE = "die_to_die"
    BALL_MAP = "ball_map"
    WIRE_DROP = "wire_drop"
    WIRE_LENGTH = "wire_length"
    WIRE_CLEARANCE = "wire_clearance"

    @property
    def words(self) -> str:
        """What the group is, in the user's terms."""
        return _WORDS[self]

    @property
    def fields(self) -> tuple[str, ...]:
        """The design-file fields that set it (``rules.*`` may be overridden per design)."""
        return _FIELDS[self]


_WORDS = {
    RuleGroup.OUTLINE: "the envelope outline",
    RuleGroup.KEEPOUT: "the envelope keep-outs",
    RuleGroup.HEIGHT_ZONE: "the height zones",
    RuleGroup.MAX_THICKNESS: "the maximum thickness",
    RuleGroup.EDGE_KEEPOUT: "the die-to-package-edge keep-outs",
    RuleGroup.FINGER_RING: "the bond-finger rings (and their clearance from underfill fillets)",
    RuleGroup.SPACING: "the spacing between stacks",
    RuleGroup.WIRE_REACH: "the wire-span limit",
    RuleGroup.OVERHANG: "the overhang limit",
    RuleGroup.STAIRCASE: "the staircase offset (exposed pad rows)",
    RuleGroup.STACK_LIMIT: "the dies-per-stack limit",
    RuleGroup.STACK_HEIGHT: "the stack-height limit",
    RuleGroup.DIE_TO_DIE: "the maximum die-to-die distance",
    RuleGroup.BALL_MAP: "the ball map",
    RuleGroup.WIRE_DROP: "the steepest wire drop",
    RuleGroup.WIRE_LENGTH: "the longest wire",
    RuleGroup.WIRE_CLEARANCE: "the wire-over-wire clearance and no crossing between tiers",
}

_FIELDS = {
    RuleGroup.OUTLINE: ("envelope.outline",),
    RuleGroup.KEEPOUT: ("envelope.keepouts",),
    RuleGroup.HEIGHT_ZONE: ("envelope.height_zones",),
    RuleGroup.MAX_THICKNESS: ("envelope.max_thickness",),
    RuleGroup.EDGE_KEEPOUT: ("rules.die_edge_keepout", "rules.finger_edge_keepout"),
    RuleGroup.FINGER_RING: ("rules.bond_finger_ring", "rules.underfill_fillet"),
    RuleGroup.SPACING: ("rules.die_spacing", "rules.pair_spacing"),
    RuleGroup.WIRE_REACH: ("rules.max_wire_span",),
    RuleGroup.OVERHANG: ("rules.max_overhang",),
    RuleGroup.STAIRCASE: ("rules.staircase_offset",),
    RuleGroup.STACK_LIMIT: ("rules.max_dies_per_stack",),
    RuleGroup.STACK_HEIGHT: ("rules.max_stack_height",),
    RuleGroup.DIE_TO_DIE: ("rules.max_die_to_die",),
    RuleGroup.BALL_MAP: ("balls", "interfaces"),
    RuleGroup.WIRE_DROP: ("rules.max_drop_angle_deg",),
    RuleGroup.WIRE_LENGTH: ("rules.max_wire_length",),
    RuleGroup.WIRE_CLEARANCE: ("rules.wire_clearance", "rules.finger_rows"),
}
