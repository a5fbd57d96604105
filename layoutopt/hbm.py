"""HBM, MR-MUF against TC-NCF as the stack grows: the table the HBM designs are built for.

Each stack is built *to* its generation's standard height (domain_data.md §3.5 'HBM KGSD
height' 720 µm for HBM3E at 8 and 12 high, 'HBM4 height limit' 775 µm at 16 high), beside
the design's GPU on the interposer (``thermal.around``), and checked on the 3D model. The
16-high stacks use the processes' HBM4 twins (``hbm4_mr_muf``, ``hbm4_tc_ncf``: finer
micro-bumps, whose reflowed height sets the MR-MUF bond line, :mod:`layoutopt.bondline`).

The band of each peak temperature comes from the inputs graded E, each varied alone over
the range stated in :data:`ESTIMATES` (its swing measured on the same layout); the band is
the peak plus every downward swing, and plus every upward swing (the estimates at their
cool and at their hot ends together, added linearly). Two bands: the stack's own estimates
(fill, bumps), which decide MR-MUF against TC-NCF, and all of them, with the boundaries
both processes share (the cold plate, the GPU), which move both stacks alike.

Examples
--------
>>> from layoutopt.design_file import load_design
>>> d = load_design("designs/hbm_12hi_mr_muf.yaml")
>>> v = stack_variant(d, 16)
>>> v.rules.name, v.envelope.target_height_um, len(v.dies)
('hbm4_mr_muf', 775, 17)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from layoutopt.bondline import K_BUMP_Z_W_PER_M_K, BumpArray, conductivity_w_per_m_k
from layoutopt.economics import cost_report
from layoutopt.library import load_library
from layoutopt.model import Design, Layout, Material
from layoutopt.solver import SolveOptions, SolveResult, solve
from layoutopt.thermal import thermal_check
from layoutopt.thermal_spec import BodySite

__all__ = [
    "ESTIMATES",
    "Estimate",
    "StackRow",
    "process_label",
    "stack_row",
    "stack_table",
    "stack_variant",
    "to_markdown",
]

# The HBM4 twin of each HBM3E process (16-high stacks: §3.5 'JEDEC HBM4' 4/8/12/16-high).
HBM4_PROCESS = {"hbm_mr_muf": "hbm4_mr_muf", "hbm_tc_ncf": "hbm4_tc_ncf"}
_LABELS = {"mr_muf": "MR-MUF", "ncf": "TC-NCF"}


def process_label(design: Design) -> str:
    """ "MR-MUF" or "TC-NCF" by the bond-line fill (else the process name)."""
    return _LABELS.get(design.rules.bond_line_material, design.rules.name)


def stack_variant(design: Design, core_dies: int) -> Design:
    """``design`` with ``core_dies`` copies of its first core die on its base die, built to
    its generation's height: the design's process up to 12 high (HBM3E, 720 µm), its HBM4
    twin above (775 µm). Bodies around it whose top is level with the stack's (the GPU
    under the same cold plate) stay level with the new height."""
    rules = design.rules
    if core_dies > 12:
        rules = load_library().process(HBM4_PROCESS[rules.name]).rules
    height = rules.max_stack_height_um
    base = [d for d in design.dies if not d.id.startswith("CORE")]
    core = design.die("CORE0")
    dies = (*base, *(replace(core, id=f"CORE{k}") for k in range(core_dies)))
    old = design.envelope.target_height_um or design.envelope.max_thickness_um
    bodies = tuple(
        replace(b, layers=(replace(b.layers[0], thickness_um=height),))
        if b.site is BodySite.BOARD and len(b.layers) == 1 and b.height_um == old
        else b
        for b in design.thermal.bodies
    )
    return replace(
        design,
        dies=dies,
        rules=rules,
        envelope=replace(design.envelope, max_thickness_um=height, target_height_um=height),
        thermal=replace(design.thermal, bodies=bodies),
    )


@dataclass(frozen=True)
class Estimate:
    """An input graded E, the range it is varied over, and where the range comes from."""

    name: str
    low: float
    high: float
    source: str
    apply: Callable[[Design, float], Design]
    # A boundary both processes share (cold plate, GPU): it moves both stacks alike, so the
    # comparison of the processes rests on the others (StackRow.stack_band_c).
    shared: bool = False


def _with_material(design: Design, material: Material) -> Design:
    others = tuple(m for m in design.materials if m.name != material.name)
    return replace(design, materials=(material, *others))


def _fill_k(design: Design, scale: float) -> Design:
    """The bond-line fill's conductivity across its §4.1 range (``scale`` 0: low, 1: high)."""
    name = design.rules.bond_line_material
    lo, hi = _FILL_K[name]
    k = lo + scale * (hi - lo)
    fill = design.material(name)
    return _with_material(design, replace(fill, k_xy_w_per_m_k=k, k_z_w_per_m_k=k))


_FILL_K = {"ncf": (0.3, 0.5), "mr_muf": (0.8, 1.5)}  # domain_data.md §4.1 (E)


def _bump_k(design: Design, factor: float) -> Design:
    """The bond line with the effective bump conductivity scaled by ``factor``."""
    rules = design.rules
    fill = design.material(rules.bond_line_material)
    k_xy, k_z = conductivity_w_per_m_k(
        rules.bond_line_bumps,
        fill.k_xy_w_per_m_k,
        fill.k_z_w_per_m_k,
        bump_k_z=K_BUMP_Z_W_PER_M_K * factor,
    )
    line = design.material(rules.bond_line_joint_material)
    return _with_material(design, replace(line, k_xy_w_per_m_k=k_xy, k_z_w_per_m_k=k_z))


def _dummy_coverage(design: Design, coverage: float) -> Design:
    """The thermal dummy bumps (the second bump array) over ``coverage`` of the die."""
    arrays = design.rules.bond_line_bumps
    signal, dummy = arrays[0], arrays[1]
    bumps = (signal, BumpArray(dummy.diameter_um, dummy.pitch_um, coverage), *arrays[2:])
    return replace(design, rules=replace(design.rules, bond_line_bumps=bumps))


def _cold_plate(design: Design, h: float) -> Design:
    return replace(design, thermal=replace(design.thermal, h_top_w_per_m2_k=h))


def _gpu_power(design: Design, factor: float) -> Design:
    """The GPU's power (the body named "gpu") scaled by ``factor``."""
    bodies = tuple(
        replace(b, power_w=b.power_w * factor) if b.name == "gpu" else b
        for b in design.thermal.bodies
    )
    return replace(design, thermal=replace(design.thermal, bodies=bodies))


ESTIMATES: tuple[Estimate, ...] = (
    Estimate(  # 0 and 1: the low and the high end of the fill's own range
        "bond-line fill k",
        0.0,
        1.0,
        "domain_data.md §4.1 'NCF' 0.3-0.5, 'MR-MUF liquid EMC' 0.8-1.5 W/m·K (E)",
        _fill_k,
    ),
    Estimate(
        "effective bump k",
        0.88,
        1.075,
        "the fit of layoutopt.bondline to Colgan et al. (§4.1, H) misses the measured unit "
        "resistances by -12 % to +7.5 %: the bump conductivity scaled by that spread",
        _bump_k,
    ),
    Estimate(
        "dummy-bump coverage",
        0.20,
        0.50,
        "no row: the thermal dummy bumps cover 35 % of the die in the library (E); "
        "varied 20-50 % (E)",
        _dummy_coverage,
    ),
    Estimate(
        "cold plate h",
        5000.0,
        20000.0,
        "the designs' 10000 W/m²K for a liquid cold plate through a TIM is an estimate; "
        "varied 5000-20000 W/m²K (E)",
        _cold_plate,
        shared=True,
    ),
    Estimate(
        "GPU power",
        0.75,
        1.25,
        "no GPU row in domain_data.md: a 400 W GPU in the designs (E), varied 300-500 W "
        "(E): its strip beside the stack scaled alike",
        _gpu_power,
        shared=True,
    ),
)


@dataclass(frozen=True)
class StackRow:
    """One stack of the table: how high, how hot, and how far the estimates move it."""

    process: str
    core_dies: int
    status: str
    target_um: int
    bond_line_um: int
    height_um: int | None = None
    core_um: tuple[int, ...] = ()
    top_die_um: int | None = None
    peak_c: float | None = None
    band_c: tuple[float, float] | None = None  # every estimate
    stack_band_c: tuple[float, float] | None = None  # the stack's own (not shared) estimates
    gpu_rise_k: float | None = None  # peak with the GPU minus without it
    stack_yield: float | None = None  # with its band (layoutopt.economics)
    yield_band: tuple[float, float] | None = None
    cost_per_good_usd: float | None = None
    cost_band_usd: tuple[float, float] | None = None
    swings: tuple[tuple[str, float, float], ...] = ()  # (estimate, ΔT at low, ΔT at high)
    why: tuple[str, ...] = ()
    # The stack solved (its design and result), for further checks (cost, warpage, drawings).
    variant: Design | None = field(default=None, repr=False, compare=False)
    result: SolveResult | None = field(default=None, repr=False, compare=False)


def _peak(design: Design, layout: Layout, step_um: int) -> float:
    return thermal_check(design, layout, model="fv3d", lateral_step_um=step_um).peak_junction_c


def stack_row(
    design: Design,
    core_dies: int,
    *,
    options: SolveOptions | None = None,
    estimates: tuple[Estimate, ...] = ESTIMATES,
) -> StackRow:
    """Solve the ``core_dies``-high variant of ``design`` and measure it (see the module)."""
    options = options or SolveOptions(time_limit_s=10, workers=1, seed=0)
    variant = stack_variant(design, core_dies)
    rules = variant.rules
    head = {
        "process": process_label(variant),
        "core_dies": core_dies,
        "target_um": rules.max_stack_height_um,
        "bond_line_um": rules.bond_line_um,
    }
    result = solve(variant, options)
    if result.layout is None:
        return StackRow(
            status=result.status.value,
            why=result.explanation,
            variant=variant,
            result=result,
            **head,  # type: ignore[arg-type]
        )
    layout, step = result.layout, options.thermal_step_um
    report = thermal_check(variant, layout, model="fv3d", lateral_step_um=step, around=True)
    peak = report.peak_junction_c
    swings = []
    for e in estimates:
        lo, hi = (_peak(e.apply(variant, v), layout, step) - peak for v in (e.low, e.high))
        swings.append((e.name, lo, hi))
    own = {e.name for e in estimates if not e.shared}
    cost = cost_report(variant, layout)
    cores = [p for p in layout.placements if p.die_id.startswith("CORE")]
    top = max(cores, key=lambda p: p.tier)
    return StackRow(
        status=result.status.value,
        height_um=layout.thickness_um,
        core_um=tuple(sorted({p.thickness_um for p in cores if p is not top})),
        top_die_um=top.thickness_um,
        peak_c=peak,
        band_c=_band(peak, swings),
        stack_band_c=_band(peak, [s for s in swings if s[0] in own]),
        gpu_rise_k=None if report.around is None else peak - report.around.peak_junction_c,
        stack_yield=cost.package_yield,
        yield_band=cost.yield_band,
        cost_per_good_usd=cost.cost_per_good_usd,
        cost_band_usd=cost.cost_band_usd,
        swings=tuple(swings),
        why=result.explanation,
        variant=variant,
        result=result,
        **head,  # type: ignore[arg-type]
    )


def _band(peak: float, swings: list[tuple[str, float, float]]) -> tuple[float, float]:
    """The peak with every downward swing, and with every upward swing, added."""
    down = sum(min(0.0, lo, hi) for _, lo, hi in swings)
    up = sum(max(0.0, lo, hi) for _, lo, hi in swings)
    return peak + down, peak + up


def stack_table(
    designs: tuple[Design, ...],
    core_dies: tuple[int, ...] = (8, 12, 16),
    *,
    options: SolveOptions | None = None,
    on_row: Callable[[StackRow], None] | None = None,
) -> tuple[StackRow, ...]:
    """:func:`stack_row` for each design at each core count (designs outer)."""
    rows = []
    for design in designs:
        for n in core_dies:
            row = stack_row(design, n, options=options)
            rows.append(row)
            if on_row is not None:
                on_row(row)
    return tuple(rows)


def to_markdown(rows: tuple[StackRow, ...]) -> str:
    """The table as Markdown (the README's HBM table)."""
    lines = [
        "| stack | bond line µm | height µm (target) | core / top die µm | peak junction °C "
        "| band: stack estimates | band: all estimates | GPU adds K | stack yield % "
        "| $ per good stack |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        name = f"{r.process} {r.core_dies}-high"
        if (
            r.peak_c is None
            or r.band_c is None
            or r.stack_band_c is None
            or r.yield_band is None
            or r.cost_band_usd is None
        ):
            why = r.why[0] if r.why else r.status
            lines.append(
                f"| {name} | {r.bond_line_um} | {r.status}: {why} | – | – | – | – | – | – | – |"
            )
            continue
        y, c = r.yield_band, r.cost_band_usd
        lines.append(
            f"| {name} | {r.bond_line_um} | {r.height_um} ({r.target_um}) | "
            f"{'/'.join(map(str, r.core_um))} / {r.top_die_um} | {r.peak_c:.1f} | "
            f"{r.stack_band_c[0]:.1f}–{r.stack_band_c[1]:.1f} | "
            f"{r.band_c[0]:.1f}–{r.band_c[1]:.1f} | {r.gpu_rise_k:+.1f} | "
            f"{100 * r.stack_yield:.1f} ({100 * y[0]:.1f}–{100 * y[1]:.1f}) | "  # type: ignore[operator]
            f"{r.cost_per_good_usd:.0f} ({c[0]:.0f}–{c[1]:.0f}) |"
        )
    return "\n".join(lines)
