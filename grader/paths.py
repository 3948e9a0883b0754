"""Where the bank lives: the project root holding questions/, solutions/ and site/."""

from __future__ import annotations

import os
from pathlib import Path


def root() -> Path:
    """The bank root: $ATTNBANK_ROOT if set, else the checkout this package lives in."""
    env = os.environ.get("ATTNBANK_ROOT")
    return Path(env).resolve() if env else Path(__file__).resolve().parent.parent
