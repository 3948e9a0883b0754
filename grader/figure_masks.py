"""The boolean masks the site's figures draw, computed from a figure's data (True = the query may attend).

Pure Python, no torch: the site build stays fast. tests/test_site_figures.py checks every kind against the
bank's reference solutions (the same rule computed by the code the grader trusts).
"""

from __future__ import annotations

from .schema import Figure

PER_SEQUENCE = ("padding", "padding-causal", "left-padding-causal")  # one mask per entry of `lengths`


def _tree(parents: list[int]) -> list[list[bool]]:
    rows = []
    for i in range(len(parents)):
        seen, node = set(), i
        while node >= 0:
            seen.add(node)
            node = parents[node]
        rows.append([j in seen for j in range(len(parents))])
    return rows


def _allowed(fig: Figure, p: int, j: int) -> bool:
    """Whether the query at position `p` may attend to key `j`, for the square and bottom-right kinds."""
    k = fig.kind
    if k == "causal-bottom-right" or k == "block":
        return j <= p
    if k == "sliding-window":
        return p - fig.window < j <= p
    if k == "local":
        return abs(p - j) < fig.window
    if k == "dilated":
        return j <= p and (p - j) % fig.dilation == 0 and (p - j) // fig.dilation < fig.window
    if k == "sink-window":
        return j <= p and (j < fig.sinks or p - fig.window < j)
    if k == "local-global":
        return abs(p - j) < fig.window or p < fig.globals or j < fig.globals
    if k == "chunked":
        cq, ck = p // fig.chunk, j // fig.chunk
        return ck <= cq and (fig.left_chunks < 0 or cq - ck <= fig.left_chunks)
    if k == "prefix":
        return j <= p or j < fig.prefix
    raise ValueError(f"no mask for a {k} figure")


def _document(lengths: list[int], lk: int) -> list[list[bool]]:
    doc = [d for d, n in enumerate(lengths) for _ in range(n)]
    doc += [-1] * (lk - len(doc))  # padding after the last document
    return [[doc[i] >= 0 and doc[i] == doc[j] and j <= i for j in range(lk)] for i in range(lk)]


def mask(fig: Figure, length: int | None = None) -> list[list[bool]]:
    """The boolean mask drawn for a mask figure; `length` selects the sequence of a per-sequence kind."""
    if fig.kind == "tree":
        return _tree(fig.parents)
    if fig.kind == "document":
        return _document(fig.lengths, fig.lk)
    n = fig.lk
    if fig.kind == "padding":
        return [[j < length for j in range(n)] for _ in range(n)]
    if fig.kind == "padding-causal":
        return [[j <= i and j < length for j in range(n)] for i in range(n)]
    if fig.kind == "left-padding-causal":
        return [[j <= i and j >= n - length for j in range(n)] for i in range(n)]
    if fig.kind == "causal":
        return [[j <= i for j in range(n)] for i in range(fig.lq)]
    lq = n if fig.lq is None else fig.lq
    return [[_allowed(fig, n - lq + i, j) for j in range(n)] for i in range(lq)]


def discarded_rows(fig: Figure, length: int | None = None) -> set[int]:
    """The query rows drawn as padding (their output is discarded) for a sequence of a per-sequence kind."""
    if fig.kind in ("padding", "padding-causal"):
        return set(range(length, fig.lk))
    if fig.kind == "left-padding-causal":
        return set(range(fig.lk - length))
    if fig.kind == "document":
        return set(range(sum(fig.lengths), fig.lk))
    return set()
