"""Every check, by name: importing this module registers each family's checks (torch is imported here)."""

from __future__ import annotations

from . import CHECK_NAMES, cost, gradients, invariances, masking, numerics, precision, structure  # noqa: F401 - registers
from .base import CHECKS

_missing = sorted(set(CHECK_NAMES) - {"signature"} - set(CHECKS))
if _missing:
    raise ImportError(f"checks named in CHECK_NAMES but not defined: {', '.join(_missing)}")
