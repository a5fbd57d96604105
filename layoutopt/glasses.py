"""The smart-glasses ePOP on its host SoC: junction and skin with and without the host.

In the product an ePOP is the top of a package-on-package: it sits on the host SoC's
package, not beside it (domain_data.md §1.5 'PoP and ball-grid interface'; the AR1-class
SoC of §5 'Meta Ray-Ban Display layout', M). The shipped design
(``designs/smart_glasses_epop.yaml``) keeps the SoC as a board source beside the package;
:func:`on_host` puts the same SoC, at the same power, under the package as a body
(:class:`~layoutopt.thermal_spec.HeatBody`, ``thermal.around``), and
:func:`host_answers` reads the package's junction and the skin in each case on one layout.

The host (:data:`AR1_HOST`, every value an estimate, E): a package with the ePOP's
outline (a PoP's two packages share it), built as the library's ``pop`` process builds its
bottom package: board balls 180 µm (§6 'Ball standoff at 0.4 mm pitch' 0.18 mm), a 2-layer
substrate 130 µm (§3.1), a thin SoC die 100 µm (§1.5 'PoP bottom package needs a thin die
and thin mold cap', L) and a 100 µm mold cap (§3.6 'Mold cap total over tallest component'
0.1-0.2 mm). The die layer spans the outline (the AR1's die size is not public): its heat
reaches the ePOP evenly spread. Power: the shipped design's 150 mW SoC average (the whole
of Meta Ray-Ban Display averages ~160 mW, §5 calc, E).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from layoutopt.model import Design, Layout
from layoutopt.thermal import thermal_check
from layoutopt.thermal_spec import BodyLayer, BodySite, HeatBody

__all__ = ["AR1_HOST", "HostAnswer", "host_answers", "on_host"]

AR1_HOST = HeatBody(
    "soc",
    0.150,
    (
        BodyLayer(180, "ball_layer", heated=False),
        BodyLayer(130, "substrate_2l", heated=False),
        BodyLayer(100, "silicon"),
        BodyLayer(100, "emc", heated=False),
    ),
    site=BodySite.UNDER_PACKAGE,
)


def on_host(design: Design, host: HeatBody = AR1_HOST) -> Design:
    """``design`` with ``host`` under its package, in place of a board source of the same
    name (the SoC beside the package); its workloads then set the host's power."""
    spec = design.thermal
    sources = tuple(s for s in spec.sources if s.name != host.name)
    return replace(design, thermal=replace(spec, sources=sources, bodies=(*spec.bodies, host)))


@dataclass(frozen=True)
class HostAnswer:
    """Peak junction and skin (°C) of one case on the same package layout."""

    case: str
    peak_junction_c: float
    skin_c: float | None
    hottest_die_id: str


def host_answers(
    design: Design, layout: Layout, host: HeatBody = AR1_HOST, *, step_um: int = 200
) -> tuple[HostAnswer, ...]:
    """The package's peak junction and the skin: on the host (its power on, then off: the
    host's body alone), and as shipped (the SoC beside the package, then off)."""
    out = []
    for case, d in (("on the host", on_host(design, host)), ("SoC beside (shipped)", design)):
        report = thermal_check(d, layout, model="fv3d", lateral_step_um=step_um, around=True)
        out.append(HostAnswer(case, report.peak_junction_c, report.skin_c, report.hottest_die_id))
        a = report.around
        if a is not None:
            hottest = max(a.dies, key=lambda t: t.max_c).die_id
            out.append(HostAnswer(f"{case}, SoC off", a.peak_junction_c, a.skin_c, hottest))
    return tuple(out)
