"""The thermal report: one stable interface for every thermal model.

The compact (series-resistance) estimate and the 3D finite-volume model both return a
:class:`ThermalReport`, so the solver loop, the layout file, the drawings and the sweep
never depend on which model produced it.
"""

from __future__ import annotations

from dataclasses import dataclass

from layoutopt.units import format_duration

__all__ = [
    "AroundEffect",
    "DieTemperature",
    "FaceHeat",
    "LimitCheck",
    "PhaseLimit",
    "PhaseSpan",
    "Series",
    "ThermalReport",
    "TransientReport",
]


@dataclass(frozen=True)
class DieTemperature:
    """Temperatures of one die (°C) and its junction limit."""

    die_id: str
    max_c: float
    mean_c: float
    limit_c: float

    @property
    def margin_c(self) -> float:
        """Limit minus the hottest point; negative when the limit is broken."""
        return self.limit_c - self.max_c


@dataclass(frozen=True)
class FaceHeat:
    """Heat leaving the model through one face (W)."""

    face: str  # "top", "bottom", "sides"
    heat_w: float


@dataclass(frozen=True)
class PhaseSpan:
    """When a phase of a workload runs (s from the start of the workload)."""

    name: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Series:
    """One temperature over time (°C): a die's hottest point, the package top, the skin."""

    name: str
    values_c: tuple[float, ...]

    @property
    def peak_c(self) -> float:
        return max(self.values_c)


@dataclass(frozen=True)
class LimitCheck:
    """A limit over a workload: the longest stretch above ``max_c`` against the time it
    may last (``duration_s``; 0 for a limit that may never be exceeded)."""

    what: str  # "skin", "top" or a die id
    max_c: float
    duration_s: float
    first_above_s: float | None  # when the temperature first exceeds max_c; None: never
    longest_above_s: float
    peak_c: float

    @property
    def ok(self) -> bool:
        return self.longest_above_s <= self.duration_s

    def sentence(self) -> str:
        what = (
            "skin"
            if self.what == "skin"
            else ("package top" if self.what == "top" else f"die {self.what}")
        )
        limit = f"{self.max_c:.1f} °C" + (
            f" for {format_duration(self.duration_s)}" if self.duration_s > 0 else ""
        )
        if self.first_above_s is None:
            return f"{what} stays below {self.max_c:.1f} °C (peak {self.peak_c:.1f} °C)"
        verdict = "holds" if self.ok else "broken"
        return (
            f"{what} limit {limit} {verdict}: above it from {format_duration(self.first_above_s)}, "
            f"for {format_duration(self.longest_above_s)} at most (peak {self.peak_c:.1f} °C)"
        )


@dataclass(frozen=True)
class PhaseLimit:
    """How long into a phase a temperature stays at or below ``max_c`` (None: the whole
    phase; then ``peak_c`` is the phase's hottest value).

    ``after_phase``: the phase before this one when that one drew more power (a cool-down
    after a burst): the heat that crosses the limit during this phase is then mostly the
    earlier phase's, still arriving, and the sentence says so instead of "can run".

    >>> PhaseLimit("capture", "skin", 48.0, 10.8, 30.0, 48.9).sentence()
    'capture can run 10.8 s before the skin reaches 48.0 °C'
    >>> PhaseLimit("cool-down", "skin", 48.0, 10.8, 60.0, 48.9, "capture").sentence()
    'the skin reaches 48.0 °C 10.8 s into cool-down, after capture (its heat still arriving)'
    """

    phase: str
    what: str
    max_c: float
    time_to_limit_s: float | None
    phase_duration_s: float
    peak_c: float
    after_phase: str | None = None

    def sentence(self) -> str:
        what = "the skin" if self.what == "skin" else self.what
        if self.time_to_limit_s is None:
            return (
                f"{self.phase}: {what} stays below {self.max_c:.1f} °C for the whole "
                f"{format_duration(self.phase_duration_s)} (peak {self.peak_c:.1f} °C)"
            )
        when = format_duration(self.time_to_limit_s)
        if self.after_phase is not None:
            return (
                f"{what} reaches {self.max_c:.1f} °C {when} into {self.phase}, after "
                f"{self.after_phase} (its heat still arriving)"
            )
        return f"{self.phase} can run {when} before {what} reaches {self.max_c:.1f} °C"


@dataclass(frozen=True)
class TransientReport:
    """Temperatures over one workload: per die (hottest point), package top and skin.

    ``times_s`` and the series are decimated for the layout file (at most a few hundred
    points, each the *maximum* over the steps it stands for, so no peak is lost); the
    limits were evaluated on every step. Energies (J) close the balance: in = out + stored.
    """

    workload: str
    times_s: tuple[float, ...]
    phases: tuple[PhaseSpan, ...]
    series: tuple[Series, ...]
    limits: tuple[LimitCheck, ...]
    phase_limits: tuple[PhaseLimit, ...]
    energy_in_j: float
    energy_out_j: float
    energy_stored_j: float
    step_s: float
    steps: int
    cells: int = 0
    solve_time_s: float = 0.0
    checked: bool = True  # False: answered only; its limits are not the layout's (Workload)

    def get(self, name: str) -> Series:
        for s in self.series:
            if s.name == name:
                return s
        raise KeyError(name)

    def violations(self) -> tuple[str, ...]:
        """The broken limits of a checked workload, in words (none for an unchecked one)."""
        if not self.checked:
            return ()
        return tuple(f"workload {self.workload}: {c.sentence()}" for c in self.limits if not c.ok)

    def answers(self) -> tuple[str, ...]:
        """The workload's results in sentences (limits, then each phase against them)."""
        return tuple(c.sentence() for c in self.limits) + tuple(
            p.sentence() for p in self.phase_limits
        )


@dataclass(frozen=True)
class AroundEffect:
    """The package's temperatures with the heat sources around it switched off (0 W), on
    the same model: the report's own numbers minus these are their effect.

    ``sources`` are the names of the surface sources and bodies around the package
    (``thermal.sources``, ``thermal.around``), ``power_w`` their power in the report.
    """

    sources: tuple[str, ...]
    power_w: float
    peak_junction_c: float
    top_surface_c: float
    skin_c: float | None
    dies: tuple[DieTemperature, ...]


@dataclass(frozen=True)
class ThermalReport:
    """Result of a thermal check of one layout.

    ``hottest_xyz_um`` is the centre of the hottest cell (or die) in layout coordinates.
    ``rise_error`` is how far (relative) the rise over ambient of a die near its limit may
    be from the converged answer, as measured for the grid that read it (the solver loop's
    grids, :mod:`layoutopt.thermal.loop`; a die farther from its limit than the coarse
    grid's error keeps the coarse reading, up to that error off); None where it was not
    measured.
    """

    model: str  # "compact" or "fv3d"
    ambient_c: float
    dies: tuple[DieTemperature, ...]
    top_surface_c: float
    skin_c: float | None = None
    max_top_c: float | None = None
    max_skin_c: float | None = None
    heat_out: tuple[FaceHeat, ...] = ()
    total_power_w: float = 0.0
    hottest_die_id: str = ""
    hottest_c: float = 0.0
    hottest_xyz_um: tuple[float, float, float] = (0.0, 0.0, 0.0)
    cells: int = 0
    solve_time_s: float = 0.0
    transients: tuple[TransientReport, ...] = ()
    around: AroundEffect | None = None  # the same without the heat sources around
    rise_error: float | None = None

    def die(self, die_id: str) -> DieTemperature:
        for d in self.dies:
            if d.die_id == die_id:
                return d
        raise KeyError(die_id)

    @property
    def peak_junction_c(self) -> float:
        return max((d.max_c for d in self.dies), default=self.ambient_c)

    def around_sentences(self) -> tuple[str, ...]:
        """The effect of the heat sources around the package, in words (empty without
        :attr:`around`)."""
        a = self.around
        if a is None:
            return ()
        names = ", ".join(a.sources)
        out = [
            f"heat around the package ({names}, {a.power_w:.3g} W): peak junction "
            f"{self.peak_junction_c:.1f} °C, {a.peak_junction_c:.1f} °C without "
            f"({self.peak_junction_c - a.peak_junction_c:+.1f} K); package top "
            f"{self.top_surface_c:.1f} °C, {a.top_surface_c:.1f} °C without"
        ]
        if self.skin_c is not None and a.skin_c is not None:
            out.append(
                f"skin {self.skin_c:.1f} °C, {a.skin_c:.1f} °C without "
                f"({self.skin_c - a.skin_c:+.1f} K)"
            )
        return tuple(out)

    def violations(self) -> tuple[str, ...]:
        """Every broken limit, in words with the numbers."""
        found = [
            f"die {d.die_id}: junction {d.max_c:.1f} °C > limit {d.limit_c:.1f} °C"
            for d in self.dies
            if d.max_c > d.limit_c
        ]
        if self.max_top_c is not None and self.top_surface_c > self.max_top_c:
            found.append(f"package top {self.top_surface_c:.1f} °C > limit {self.max_top_c:.1f} °C")
        if (
            self.max_skin_c is not None
            and self.skin_c is not None
            and self.skin_c > self.max_skin_c
        ):
            found.append(f"skin {self.skin_c:.1f} °C > limit {self.max_skin_c:.1f} °C")
        for t in self.transients:
            found.extend(t.violations())
        return tuple(found)

    @property
    def ok(self) -> bool:
        return not self.violations()
