"""attnbank: an interview question bank on attention mechanisms whose answers run."""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "0.1.0"
