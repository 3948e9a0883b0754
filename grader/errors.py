"""The one exception type for expected user errors (bad id, missing file, malformed bank)."""

from __future__ import annotations


class AttnbankError(Exception):
    """An error the user can fix; the CLI prints it as one line and exits with `exit_code`."""

    exit_code = 2


def unknown_id(qid: str, known: list[str]) -> AttnbankError:
    """The error for an unknown question id, suggesting close ones."""
    import difflib

    close = difflib.get_close_matches(qid, known, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else " (see `attnbank list`)"
    return AttnbankError(f"unknown question id '{qid}'{hint}")
