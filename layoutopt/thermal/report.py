"""The thermal report: one stable interface for every thermal model.

The compact (series-resistance) estimate and the 3D finite-volume model both return a
:class:`ThermalReport`, so the solver loop, the layout file, the drawings and the sweep
never depend on which model produced it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DieTemperature", "FaceHeat", "ThermalReport"]


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
class ThermalReport:
    """Result of a thermal check of one layout.

    ``hottest_xyz_um`` is the centre of the hottest cell (or die) in layout coordinates.
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

    def die(self, die_id: str) -> DieTemperature:
        for d in self.dies:
            if d.die_id == die_id:
                return d
        raise KeyError(die_id)

    @property
    def peak_junction_c(self) -> float:
        return max((d.max_c for d in self.dies), default=self.ambient_c)

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
        return tuple(found)

    @property
    def ok(self) -> bool:
        return not self.violations()

    def _repr_html_(self) -> str:
        from layoutopt.display import thermal_html  # lazy: the core never imports drawings

        return thermal_html(self)
