"""How much an input may ask for: the documented bounds checked when a file is loaded.

A design file is read by people and by programs that generate it; a value of ``count:
1000000000`` or ``width: "1e30 mm"`` is a typing slip or an attack, never a package. Each
bound is checked where the input is read, before any work scales with it, and the error
gives the number asked for and the limit. The table is in ``docs/limits.md``.

Bounds on *magnitudes* (a length, a power) keep the arithmetic exact and finite: they are
far beyond any package and cannot be changed. Bounds on *amounts* (dies, sweep points,
grid cells) keep the run within memory and time on a workstation; they can be raised
where a larger machine makes sense (:class:`DesignLimits`, ``layoutopt solve --max-dies``,
a space file's ``max_points``).

Examples
--------
>>> DesignLimits().max_dies
5000
>>> DesignLimits(max_dies=20_000).max_dies
20000
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MAX_FV3D_CELLS",
    "MAX_JSON_BYTES",
    "MAX_LENGTH_UM",
    "MAX_POWER_W",
    "MAX_SWEEP_POINTS",
    "MAX_YAML_BYTES",
    "DesignLimits",
]

#: The largest length (and coordinate magnitude) in any input: 1 m. Reason: the largest
#: packages and boards modelled are a few hundred mm; µm areas of 1 m stay exact in int64.
MAX_LENGTH_UM = 1_000_000

#: The largest power of one die: 10 kW. Reason: the hottest single packages today are about
#: 1 kW (estimate, E); above this temperatures lose meaning before the arithmetic does.
MAX_POWER_W = 10_000.0

#: The largest YAML file (design, space): 4 MiB. Reason: YAML is parsed at about
#: 0.25 MB/s (pure-Python safe loader, measured on 5,000 die entries), so 4 MiB takes
#: 16 s; a 5,000-die design with overrides is about 1 MiB.
MAX_YAML_BYTES = 4 * 1024 * 1024

#: The largest JSON or Bookshelf file (layout, blocks, nets): 64 MiB. Reason: these parse
#: at tens of MB/s; a 5,000-die layout file is about 3 MiB.
MAX_JSON_BYTES = 64 * 1024 * 1024

#: The most points a sweep solves unless its space file sets ``max_points``. Reason: every
#: point's design is loaded before the first solve (about 5 ms each), so 10,000 points
#: already take a minute to check; at a second per solve that is about three hours.
MAX_SWEEP_POINTS = 10_000

#: The most cells of the 3D thermal grid. Reason: 1 M cells take 0.8 GB and 6 s
#: (benchmarks/bench_thermal.py); 4 M cells stay within a 4 GB workstation.
MAX_FV3D_CELLS = 4_000_000


@dataclass(frozen=True)
class DesignLimits:
    """Bounds on what one design file may ask for (overridable, e.g. on a big machine).

    Parameters
    ----------
    max_dies
        Dies after expanding every ``count``. Default 5,000: the placement engine is
        measured up to 5,000 dies (benchmarks/); 10,000 dies took 6.8 GB and over 300 s
        (issue #12).
    max_values
        Values in the file, every list item and mapping entry counted, and a YAML alias
        each time it is used (so an alias bomb stops here, before it expands). Default
        1,000,000: a 5,000-die design has about 50,000.
    max_points
        Corners of one polygon (outline, keep-out, height zone). Default 10,000.
    max_power_map_cells
        Cells of one die's power map. Default 10,000 (a 100 x 100 map).
    max_file_bytes
        Size of the design file. Default :data:`MAX_YAML_BYTES`.
    """

    max_dies: int = 5_000
    max_values: int = 1_000_000
    max_points: int = 10_000
    max_power_map_cells: int = 10_000
    max_file_bytes: int = MAX_YAML_BYTES
