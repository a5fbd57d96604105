"""The built-in library of parts, materials and process rules (data, with sources).

>>> from layoutopt.library import load_library
>>> "hbm_tc_ncf" in load_library().process_names
True
"""

from layoutopt.library.library import (
    Library,
    Part,
    Process,
    library_table,
    load_library,
)
from layoutopt.library.spec import to_core_material

__all__ = [
    "Library",
    "Part",
    "Process",
    "library_table",
    "load_library",
    "to_core_material",
]
