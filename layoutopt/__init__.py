"""layoutopt: chip-package layout and footprint optimizer."""

__version__ = "0.1.0"
