"""The one exception type for expected user errors (bad id, missing file, malformed bank)."""

from __future__ import annotations


class AttnbankError(Exception):
    """An error the user can fix; the CLI prints it as one line and exits with `exit_code`."""

    exit_code = 2
