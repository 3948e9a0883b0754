"""Where the bank lives: the root holding questions/ and solutions/, and the site's templates (site/).

An installed wheel carries them in grader/data/ (copied there by setup.py); a checkout, editable or
not installed at all, has them at the top level of the repository. $ATTNBANK_ROOT points at another bank.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import AttnbankError

PACKAGE = Path(__file__).resolve().parent


def bundled() -> Path:
    """The folder holding the bank and site/ that ship with this package: grader/data, else the checkout."""
    data = PACKAGE / "data"
    return data if (data / "questions").is_dir() else PACKAGE.parent


def root() -> Path:
    """The bank root: $ATTNBANK_ROOT if set, else the bank that ships with the package."""
    env = os.environ.get("ATTNBANK_ROOT")
    return Path(env).expanduser().resolve() if env else bundled()


def site_dir() -> Path:
    """The study site's templates and static files (they belong to the package, not to a bank)."""
    return bundled() / "site"


def require(root: Path) -> None:
    """An AttnbankError naming `root` and where it came from unless it holds questions/topics.yaml."""
    if (root / "questions" / "topics.yaml").is_file():
        return
    env = os.environ.get("ATTNBANK_ROOT")
    source = " (from ATTNBANK_ROOT)" if env and Path(env).expanduser().resolve() == root else ""
    why = "does not exist" if not root.exists() else "is not a folder" if not root.is_dir() else \
        "has no questions/topics.yaml"
    raise AttnbankError(f"no question bank at {root}{source}: it {why}; set ATTNBANK_ROOT to a folder "
                        "that holds questions/ and solutions/")
