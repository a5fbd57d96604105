"""Thermal maps as matplotlib figures (pure functions; the caller saves or shows them).

The Agg backend is used through :class:`matplotlib.figure.Figure` directly, so no GUI and
no global pyplot state is touched.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from layoutopt.thermal.fv3d import ThermalField

__all__ = ["plot_section", "plot_top_view"]


def _mark_hottest(ax, x_um: float, y_um: float, value_c: float) -> None:
    ax.plot([x_um / 1000], [y_um / 1000], marker="x", color="white", markersize=10, mew=2)
    ax.annotate(
        f"{value_c:.1f} °C",
        (x_um / 1000, y_um / 1000),
        color="white",
        xytext=(6, 6),
        textcoords="offset points",
    )


def plot_top_view(field: ThermalField, z_um: float) -> Figure:
    """Top view of the cell layer at height ``z_um``: temperature in °C, hottest cell marked."""
    data = field.top_view(z_um)
    fig = Figure(figsize=(6, 5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(
        field.x_edges_um / 1000,
        field.y_edges_um / 1000,
        np.ma.masked_invalid(data.T),
        cmap="inferno",
        shading="flat",
    )
    fig.colorbar(mesh, ax=ax, label="temperature (°C)")
    k = field._layer_index(field.z_edges_um, z_um, "z")
    i, j = np.unravel_index(int(np.nanargmax(data)), data.shape)
    xc = 0.5 * (field.x_edges_um[i] + field.x_edges_um[i + 1])
    yc = 0.5 * (field.y_edges_um[j] + field.y_edges_um[j + 1])
    _mark_hottest(ax, xc, yc, float(data[i, j]))
    ax.set(
        xlabel="x (mm)",
        ylabel="y (mm)",
        aspect="equal",
        title=f"layer z = {field.z_edges_um[k]:.0f}-{field.z_edges_um[k + 1]:.0f} µm",
    )
    return fig


def plot_section(field: ThermalField, y_um: float) -> Figure:
    """Vertical x-z section at ``y_um``: temperature in °C, hottest cell of the section marked."""
    data = field.section_xz(y_um)
    fig = Figure(figsize=(8, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(
        field.x_edges_um / 1000,
        field.z_edges_um / 1000,
        np.ma.masked_invalid(data.T),
        cmap="inferno",
        shading="flat",
    )
    fig.colorbar(mesh, ax=ax, label="temperature (°C)")
    i, k = np.unravel_index(int(np.nanargmax(data)), data.shape)
    xc = 0.5 * (field.x_edges_um[i] + field.x_edges_um[i + 1])
    zc = 0.5 * (field.z_edges_um[k] + field.z_edges_um[k + 1])
    _mark_hottest(ax, xc, zc, float(data[i, k]))
    ax.set(xlabel="x (mm)", ylabel="z (mm)", title=f"section y = {y_um:.0f} µm")
    return fig
