"""Colours, line weights and text sizes of the drawings (one place, so views agree)."""

from __future__ import annotations

from layoutopt.model import DieKind

__all__ = [
    "KIND_FILL",
    "LAYER_FILL",
    "MIN_LABEL_PX",
    "TEXT_PX",
    "VERTICAL_EXAGGERATION",
    "kind_fill",
]

# Colour-blind-safe hues (Okabe-Ito), light enough for black labels on top.
KIND_FILL: dict[DieKind, str] = {
    DieKind.DRAM: "#56b4e9",
    DieKind.NAND: "#009e73",
    DieKind.CONTROLLER: "#e69f00",
    DieKind.LOGIC: "#cc79a7",
    DieKind.PMIC: "#f0e442",
    DieKind.PASSIVE: "#999999",
}

# Section layers, by the role of the layer (not the material name, which varies).
LAYER_FILL: dict[str, str] = {
    "balls": "#c0c0c0",
    "substrate": "#7fbf7f",
    "rdl": "#e8a87c",
    "joint": "#f3e29b",
    "mold": "#d9d9d9",
    "wire": "#b8860b",
    "ring": "#f6d58e",
    "keepout": "#d62728",
    "outline": "#1f77b4",
}

OUTLINE = "#000000"
DIM = "#333333"
TEXT_PX = {"title": 15.0, "label": 10.0, "small": 8.5, "dim": 9.5}
# Smallest text written on a part; a label that would be smaller becomes a callout. At the
# sheet's 150 dpi PNG that is 10 device pixels, the least that reads without a loupe.
MIN_LABEL_PX = 6.5
# One vertical exaggeration for every section, thermal section and isometric view, so
# sheets compare at a glance: packages are 5-17 mm wide and 0.4-1.2 mm thick, and x5 gives
# every layer of the thinnest a readable height without the tallest outgrowing its sheet.
VERTICAL_EXAGGERATION = 5


def kind_fill(kind: DieKind) -> str:
    return KIND_FILL[kind]
