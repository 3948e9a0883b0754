"""Heatmaps of a reference solution's attention weights on a tiny fixed example, computed at build time.

Running a reference needs torch (about 3 s to import), so the weights are cached under the user cache dir
(platformdirs: $XDG_CACHE_HOME/attnbank/heatmaps on Linux), one JSON file per key; the key is the sha256 of the
reference file, of grader/heatmap_examples.py and of the question id. Only a cold build imports torch.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

from platformdirs import user_cache_path

from . import heatmap_examples
from .cachefile import write_cache
from .heatmap_examples import EXAMPLES

EXAMPLES_FILE = Path(heatmap_examples.__file__)


class HeatmapError(ValueError):
    """A reference gave weights that cannot be drawn (not 2-D, not finite, outside [0, 1])."""


def cache_dir() -> Path:
    """Where computed weights are kept."""
    return user_cache_path("attnbank", appauthor=False) / "heatmaps"


def cache_key(qid: str, reference: Path) -> str:
    """sha256 over the reference file, the examples module and the question id."""
    h = hashlib.sha256()
    for part in (reference.read_bytes(), EXAMPLES_FILE.read_bytes(), qid.encode()):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def compute(qid: str, reference: Path) -> list[list[float]]:
    """Run the reference on the question's example (imports torch) and return its weights, rounded to 4 places."""
    import torch

    from .loader import load_file

    weights = EXAMPLES[qid].run(torch, load_file(reference))
    if weights.dim() != 2:
        raise HeatmapError(f"{qid}: the example gave weights of shape {list(weights.shape)}, not 2-D")
    rows = [[float(x) for x in row] for row in weights.detach().double()]
    if not all(math.isfinite(x) and -1e-6 <= x <= 1 + 1e-6 for row in rows for x in row):
        raise HeatmapError(f"{qid}: the example gave weights outside [0, 1] or not finite")
    return [[round(min(max(x, 0.0), 1.0), 4) for x in row] for row in rows]


def weights(qid: str, reference: Path) -> list[list[float]] | None:
    """The cached weights of question `qid`'s heatmap (computed and cached on a miss); None if it has none."""
    if qid not in EXAMPLES:
        return None
    file = cache_dir() / f"{cache_key(qid, reference)}.json"
    try:
        return json.loads(file.read_text(encoding="utf-8"))["weights"]
    except (OSError, ValueError, KeyError):
        pass
    rows = compute(qid, reference)
    write_cache(file, json.dumps({"question": qid, "weights": rows}).encode("utf-8"))
    return rows


def svg(rows: list[list[float]], label_id: str, title: str) -> str:
    """The weights as an SVG grid, each cell shaded by its weight and labelled with it (two decimals)."""
    n_rows, n_cols = len(rows), len(rows[0])
    cell = max(22, min(40, 320 // n_cols))
    x0, y0 = 30, 22
    out = [f"<title>{title}</title>"]
    for i, row in enumerate(rows):
        y = y0 + i * cell
        out.append(f'<text class="idx" x="{x0 - 5}" y="{y + cell * 0.62:g}" font-size="11" '
                   f'text-anchor="end">{i}</text>')
        for j, w in enumerate(row):
            x = x0 + j * cell
            cls = "hm" if w > 0 else "off"
            out.append(f'<rect class="{cls}" data-w="{w:g}" x="{x}" y="{y}" width="{cell}" height="{cell}" '
                       f'fill-opacity="{max(w, 0.04) if w > 0 else 1:.3g}"/>')
            shade = "hv hi" if w > 0.55 else "hv"
            out.append(f'<text class="{shade}" x="{x + cell / 2:g}" y="{y + cell * 0.62:g}" font-size="10" '
                       f'text-anchor="middle">{w:.2f}</text>')
    out += [f'<text class="idx" x="{x0 + j * cell + cell / 2:g}" y="{y0 - 6}" font-size="11" '
            f'text-anchor="middle">{j}</text>' for j in range(n_cols)]
    width, height = x0 + n_cols * cell + 4, y0 + n_rows * cell + 4
    return (f'<svg class="fig heatmap" role="img" aria-labelledby="{label_id}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(out)}</svg>')


def context(qid: str, reference: Path) -> dict[str, Any] | None:
    """What the question page shows: the SVG, the values, the caption and the axis names; None if no heatmap."""
    rows = weights(qid, reference)
    if rows is None:
        return None
    ex = EXAMPLES[qid]
    title = f"{ex.rows[0]} × {ex.cols[0]} / {ex.rows[1]} × {ex.cols[1]}"
    return {"svg": svg(rows, "hm-cap", title), "rows": rows, "caption": {"en": ex.en, "zh": ex.zh},
            "row_name": {"en": ex.rows[0], "zh": ex.rows[1]}, "col_name": {"en": ex.cols[0], "zh": ex.cols[1]}}
