"""Notebook helpers: controls that re-solve and redraw, and plots an engineer reads at a glance.

:func:`controls` puts ipywidgets sliders over a function (each change calls it again); where
ipywidgets is missing, or ``LAYOUTOPT_PLAIN=1`` is set (the tests), it calls the function
once with the default values, so every notebook runs as plain cells. :func:`stackup_bars`
draws a thickness budget as stacked bars against the limit; :func:`tornado` measures how
much each estimated (E-grade) input moves two outputs over its range.

Examples
--------
>>> calls = []
>>> _ = controls(lambda power_w: calls.append(power_w), power_w=(0.1, 1.0, 0.1, 0.3), plain=True)
>>> calls
[0.3]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Swing", "controls", "stackup_bars", "tornado", "tornado_plot"]


def controls(
    fn: Callable[..., Any], *, plain: bool | None = None, **sliders: tuple[float, ...]
) -> Any:
    """Sliders ``name=(min, max, step, value)`` over ``fn``; plain cells without widgets."""
    if plain is None:
        plain = os.environ.get("LAYOUTOPT_PLAIN") == "1"
    defaults = {name: spec[3] for name, spec in sliders.items()}
    if not plain:
        try:
            import ipywidgets as widgets
        except ImportError:
            plain = True
    if plain:
        return fn(**defaults)
    made = {}
    for name, (lo, hi, step, value) in sliders.items():
        kind = (
            widgets.IntSlider
            if all(float(v).is_integer() for v in (lo, hi, step, value))
            else widgets.FloatSlider
        )
        made[name] = kind(
            min=lo,
            max=hi,
            step=step,
            value=value,
            description=name,
            continuous_update=False,
            style={"description_width": "initial"},
        )
    return widgets.interact(fn, **made)


def stackup_bars(layers: Sequence[Any], limit_um: int | None = None, ax: Any = None) -> Any:
    """The thickness budget as one stacked bar (µm), each layer named, the limit dashed."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 1.9))
    z = 0
    colours = plt.get_cmap("tab20").colors
    for i, layer in enumerate(layers):
        ax.barh(0, layer.thickness_um, left=z, color=colours[i % 20], edgecolor="black", lw=0.5)
        if layer.thickness_um >= 25:
            ax.text(
                z + layer.thickness_um / 2,
                0,
                f"{layer.name}\n{layer.thickness_um}",
                ha="center",
                va="center",
                fontsize=7,
            )
        z += layer.thickness_um
    if limit_um is not None:
        ax.axvline(limit_um, color="#c00000", ls="--", lw=1.2)
        ax.text(limit_um, 0.45, f"limit {limit_um} µm", color="#c00000", ha="right", fontsize=8)
    ax.set_yticks([])
    ax.set_xlabel("height above the seating plane (µm)")
    ax.set_xlim(0, max(z, limit_um or 0) * 1.03)
    return ax


@dataclass(frozen=True)
class Swing:
    """One input's effect: the outputs at its low and high value (and the base)."""

    name: str
    low: float
    high: float
    output: str
    base_value: float
    at_low: float
    at_high: float

    @property
    def span(self) -> float:
        return abs(self.at_high - self.at_low)


def tornado(
    evaluate: Callable[[dict[str, float]], dict[str, float]],
    ranges: dict[str, tuple[float, float, float]],
) -> list[Swing]:
    """Each input ``name: (low, base, high)`` moved alone to its ends; every output's swing.

    ``evaluate`` maps input values to outputs (e.g. skin °C, thickness µm). Swings are
    sorted by span, largest first, within each output.
    """
    base_inputs = {k: v[1] for k, v in ranges.items()}
    base = evaluate(base_inputs)
    swings = []
    for name, (low, _, high) in sorted(ranges.items()):
        at_low = evaluate({**base_inputs, name: low})
        at_high = evaluate({**base_inputs, name: high})
        for output in sorted(base):
            swings.append(
                Swing(name, low, high, output, base[output], at_low[output], at_high[output])
            )
    return sorted(swings, key=lambda s: (s.output, -s.span, s.name))


def tornado_plot(swings: Sequence[Swing], output: str, unit: str, ax: Any = None) -> Any:
    """The classic tornado: one bar per input from its low-end to its high-end output."""
    import matplotlib.pyplot as plt

    rows = [s for s in swings if s.output == output][::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.45 * len(rows) + 1))
    base = rows[0].base_value if rows else 0.0
    for i, s in enumerate(rows):
        ax.barh(i, s.at_low - base, left=base, color="#56b4e9", edgecolor="black", lw=0.4)
        ax.barh(i, s.at_high - base, left=base, color="#e69f00", edgecolor="black", lw=0.4)
    ax.axvline(base, color="black", lw=0.8)
    ax.set_yticks(range(len(rows)), [f"{s.name} ({s.low:g}…{s.high:g})" for s in rows])
    ax.set_xlabel(f"{output} ({unit}); blue: input low, orange: input high")
    return ax
