"""Yield and cost per good package of one layout, with the band the estimates allow.

How a package is built and what it costs
----------------------------------------
- *Dies.* Each die is cut from a wafer technology (library ``die_technology``: by part,
  then by kind). Its yield is negative-binomial in its area; wafer probe catches a fraction
  ``kgd.test_coverage`` of the bad dies, so a die that passed is good with probability
  ``Y / (Y + (1 - Y)(1 - c))``, and it costs the wafer plus the probing of every die on it,
  shared by the dies that pass (:func:`~layoutopt.economics.yields.cost_per_good_die_usd`).
  Passives are bought parts with a unit cost and no yield loss.
- *Bonds.* Every die is joined by its process: wire bond, flip chip (onto an organic
  substrate, or onto RDL where the family has one), vertical wire (fan-out), SMT, and for
  micro-bumped TSV stacks the process of the bond-line fill: thermocompression die by die
  through a film (TC-NCF), or chip-on-wafer placement with one mass reflow and one molded
  underfill per stack (MR-MUF, the ``stack_steps``). The base die of a TSV stack is the
  carrier wafer: it is not bonded. Each bond has a yield and a machine time; machine time
  costs the machine's depreciation and its technician per hour of uptime (UCLA model).
- *Package.* Substrate by area and layer count, RDL by area and layers, mold by area,
  balls (those of the solved ball map; without one, a full array at the ball pitch, partly
  populated), and one final test with its yield.
- *Per good package* = everything spent on one started package / the package yield, where
  the package yield is the product of every die's known-good probability, every bond and
  stack step, and the final test. No rework, no intermediate stack test.

Every input is reported with its source (:attr:`CostReport.inputs`); the band evaluates
all estimates (E) at their better and at their worse ends together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from layoutopt.economics.inputs import Corner, Inputs, load_inputs
from layoutopt.economics.yields import (
    compound_yield,
    cost_per_good_die_usd,
    kgd_good_fraction,
    negative_binomial_yield,
)
from layoutopt.errors import LibraryError
from layoutopt.model import BondType, Design, Die, DieKind, Family, Layout

__all__ = ["BondLine", "CostReport", "DieLine", "InputUsed", "cost_report"]


@dataclass(frozen=True)
class DieLine:
    """One die: its wafer technology, area, yield, known-good probability and cost (USD)."""

    die_id: str
    technology: str
    area_mm2: float
    die_yield: float
    known_good: float
    cost_usd: float


@dataclass(frozen=True)
class BondLine:
    """One bond (per die) or stack step: process, yield, machine time and its cost."""

    item: str
    process: str
    step_yield: float
    seconds: float
    cost_usd: float


@dataclass(frozen=True)
class InputUsed:
    key: str
    value: float
    confidence: str
    source: str


@dataclass(frozen=True)
class CostReport:
    """Yield and cost per good package (USD), nominal and the band of the estimates."""

    package_yield: float
    assembly_yield: float  # bonds and stack steps only
    cost_started_usd: float
    cost_per_good_usd: float
    yield_band: tuple[float, float]  # (worst, best)
    cost_band_usd: tuple[float, float]  # (best, worst)
    capacity_gb: float
    dies: tuple[DieLine, ...]
    bonds: tuple[BondLine, ...]
    package_items: tuple[tuple[str, float], ...]  # (item, USD)
    inputs: tuple[InputUsed, ...]

    def lines(self) -> list[dict[str, Any]]:
        """Every cost line as a row (item, USD), dies, bonds and package items."""
        rows = [{"item": f"die {d.die_id} ({d.technology})", "usd": d.cost_usd} for d in self.dies]
        rows += [{"item": f"bond {b.item} ({b.process})", "usd": b.cost_usd} for b in self.bonds]
        rows += [{"item": item, "usd": usd} for item, usd in self.package_items]
        return rows


class _Reader:
    """Input values at one corner, remembering which keys were read (for the report)."""

    def __init__(self, inputs: Inputs, corner: Corner) -> None:
        self.inputs, self.values, self.used = inputs, inputs.values(corner), set[str]()

    def __call__(self, key: str) -> float:
        if key not in self.values:
            raise LibraryError(
                "missing input", file="layoutopt/library/data/economics.yaml", field=key
            )
        self.used.add(key)
        return self.values[key]

    def table(self, key: str) -> Any:
        return self.inputs.tables[key]


def _technology(read: _Reader, die: Die) -> str | None:
    if die.kind is DieKind.PASSIVE:
        return None
    by_part = read.table("die_technology.by_part")
    return str(by_part.get(die.part) or read.table("die_technology.by_kind")[die.kind.value])


def _die_line(read: _Reader, die: Die) -> DieLine:
    tech = _technology(read, die)
    area = die.area_um2 / 1e6
    if tech is None:
        return DieLine(die.id, "bought part", area, 1.0, 1.0, read("passive.unit_cost_usd"))
    t = f"technologies.{tech}"
    y = negative_binomial_yield(area, read(f"{t}.d0_per_cm2"), read(f"{t}.alpha"))
    coverage = read("kgd.test_coverage")
    wafer = read(f"{t}.wafer_cost_usd")
    if f"{t}.extra_wafer_cost_usd" in read.values:
        wafer += read(f"{t}.extra_wafer_cost_usd")
    cost = cost_per_good_die_usd(
        wafer,
        area,
        y,
        coverage=coverage,
        probe_usd_per_die=read(f"{t}.probe_usd_per_die"),
        diameter_mm=read("wafer.diameter_mm"),
        edge_mm=read("wafer.edge_loss_mm"),
        scribe_mm=read("wafer.scribe_mm"),
    )
    return DieLine(die.id, tech, area, y, kgd_good_fraction(y, coverage), cost)


def _bond_process(design: Design, die: Die, tier: int) -> str | None:
    rules = design.rules
    if die.bond is BondType.MICRO_BUMP:
        table = load_inputs().tables["micro_bump_process"]
        if rules.bond_line_material not in table:
            raise LibraryError(
                f"no bonding process for a micro-bump stack filled with "
                f"{rules.bond_line_material!r}",
                file="layoutopt/library/data/economics.yaml",
                field="micro_bump_process",
                fix=f"add {rules.bond_line_material}: tc_ncf or mr_muf",
            )
        return str(table[rules.bond_line_material])
    if die.bond is BondType.FLIP_CHIP:
        if design.family is Family.TSV_STACK and tier == 0:
            return None  # the base die is the carrier wafer of the stack
        return "flip_chip_on_rdl" if rules.rdl_layers > 0 else "flip_chip"
    return die.bond.value


def _machine_usd_per_s(read: _Reader, machine: str) -> float:
    per_year = read(f"machines.{machine}.capital_usd") / read("machines.life_years") + read(
        "machines.technician_usd_per_year"
    )
    return per_year / (365.0 * 24.0 * 3600.0 * read("machines.uptime"))


def _bond_lines(read: _Reader, design: Design, layout: Layout) -> list[BondLine]:
    lines = []
    stacked_mr_muf: set[int] = set()
    for p in sorted(layout.placements, key=lambda p: (p.stack, p.tier, p.die_id)):
        process = _bond_process(design, design.die(p.die_id), p.tier)
        if process is None:
            continue
        b = f"bonding.{process}"
        seconds = read(f"{b}.seconds_per_die")
        rate = _machine_usd_per_s(read, str(read.table(f"{b}.machine")))
        lines.append(BondLine(p.die_id, process, read(f"{b}.yield"), seconds, seconds * rate))
        if f"stack_steps.{process}.yield" in read.values:
            stacked_mr_muf.add(p.stack)
    for stack in sorted(stacked_mr_muf):
        s = "stack_steps.mr_muf"
        seconds = read(f"{s}.seconds")
        rate = _machine_usd_per_s(read, str(read.table(f"{s}.machine")))
        lines.append(
            BondLine(
                f"stack {stack}",
                "mass reflow + molded underfill",
                read(f"{s}.yield"),
                seconds,
                seconds * rate,
            )
        )
    return lines


def _package_items(read: _Reader, design: Design, layout: Layout) -> list[tuple[str, float]]:
    rules, pkg = design.rules, layout.package
    area = pkg.area_um2 / 1e6
    items = []
    if rules.substrate_thickness_um and rules.substrate_layers:
        price = read("package.substrate_usd_per_mm2_per_layer")
        items.append(
            (f"substrate {rules.substrate_layers} layers", area * rules.substrate_layers * price)
        )
    if rules.rdl_layers:
        price = read("package.rdl_usd_per_mm2_per_layer")
        items.append((f"RDL {rules.rdl_layers} layers", area * rules.rdl_layers * price))
    if design.family is not Family.TSV_STACK:
        items.append(("mold", area * read("package.mold_usd_per_mm2")))
    if layout.ball_map is not None:  # the solved ball map: its balls, every array
        balls = sum(a.ball_count for a in layout.ball_map.arrays)
        items.append((f"balls ({balls})", balls * read("package.ball_usd")))
    elif rules.ball_pitch_um:  # no map: a full array at the pitch, partly populated
        sites = (pkg.width_um // rules.ball_pitch_um) * (pkg.length_um // rules.ball_pitch_um)
        balls = round(sites * read("package.ball_fill"))
        items.append((f"balls (~{balls})", balls * read("package.ball_usd")))
    items.append(("final test", read("package.final_test_usd")))
    return items


def _evaluate(design: Design, layout: Layout, inputs: Inputs, corner: Corner) -> tuple[Any, ...]:
    read = _Reader(inputs, corner)
    dies = [_die_line(read, design.die(p.die_id)) for p in layout.placements]
    bonds = _bond_lines(read, design, layout)
    items = _package_items(read, design, layout)
    assembly = compound_yield(b.step_yield for b in bonds)
    package_yield = compound_yield(d.known_good for d in dies) * assembly
    package_yield *= read("package.final_test_yield")
    started = sum(d.cost_usd for d in dies) + sum(b.cost_usd for b in bonds)
    started += sum(usd for _, usd in items)
    return package_yield, assembly, started, dies, bonds, items, read.used


def cost_report(design: Design, layout: Layout, inputs: Inputs | None = None) -> CostReport:
    """Yield and cost per good package of ``layout``, with the band of the E-grade inputs."""
    inputs = inputs or load_inputs()
    y, assembly, started, dies, bonds, items, used = _evaluate(
        design, layout, inputs, Corner.NOMINAL
    )
    y_best, _, started_best, *_ = _evaluate(design, layout, inputs, Corner.BEST)
    y_worst, _, started_worst, *_ = _evaluate(design, layout, inputs, Corner.WORST)
    capacity = sum(design.die(p.die_id).capacity_gbit for p in layout.placements) / 8.0
    return CostReport(
        package_yield=y,
        assembly_yield=assembly,
        cost_started_usd=started,
        cost_per_good_usd=started / y,
        yield_band=(y_worst, y_best),
        cost_band_usd=(started_best / y_best, started_worst / y_worst),
        capacity_gb=capacity,
        dies=tuple(dies),
        bonds=tuple(bonds),
        package_items=tuple(items),
        inputs=tuple(
            InputUsed(i.key, i.value, i.confidence, i.source) for i in inputs if i.key in used
        ),
    )
