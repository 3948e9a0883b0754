"""Figures of the study site: attention masks, GQA head groups, tree masks and paged KV caches, as inline SVG.

Everything is computed from a question's `figures` data at build time; the SVG carries only
class names, so the page's CSS colours it (light, dark and print alike).
"""

from __future__ import annotations

from .figure_masks import PER_SEQUENCE, discarded_rows, mask
from .schema import Figure

__all__ = ["legend", "mask", "svg"]

LEGENDS: dict[str, list[tuple[str, str, str]]] = {  # kind -> (swatch class, en, zh)
    "mask": [("on", "may attend", "可以关注"), ("off", "blocked", "被屏蔽")],
    "padding": [("on", "may attend", "可以关注"),
                ("off", "blocked (padding key)", "被屏蔽（padding 的 key）"),
                ("pad", "padding query: output discarded", "padding 位置的 query：输出会被丢弃")],
    "padding-causal": [("on", "may attend", "可以关注"), ("off", "blocked (future or padding key)",
                                                           "被屏蔽（未来位置或 padding 的 key）"),
                       ("pad", "padding query: output discarded", "padding 位置的 query：输出会被丢弃")],
    "document": [("on", "may attend (same document, not later)", "可以关注（同一文档内，且不在之后）"),
                 ("off", "blocked", "被屏蔽"),
                 ("pad", "padding token: sees nothing, seen by nobody", "padding token：不关注任何位置，也不被关注")],
    "block": [("on", "may attend", "可以关注"), ("t-full", "full tile: no mask needed", "整块计算，无需掩码"),
              ("t-part", "partial tile: masked inside", "部分可见，块内要加掩码"),
              ("t-skip", "skipped tile: never computed", "整块跳过，不计算")],
    "gqa": [("g0", "one colour = query heads sharing one K/V head", "同一颜色的查询头共享同一个 K/V 头")],
    "tree": [("on", "node sees itself and its ancestors", "每个节点只关注自己和祖先节点"),
             ("off", "blocked", "被屏蔽")],
    "paged": [("g0", "one colour = the blocks of one sequence", "同一颜色 = 同一条序列的 block"),
              ("shared", "block shared by several sequences", "多条序列共享的 block"),
              ("off", "free block in the pool", "池中空闲的 block"),
              ("on", "filled slot", "已写入的 slot")],
}
LEGENDS["left-padding-causal"] = LEGENDS["padding-causal"]


def legend(fig: Figure) -> list[tuple[str, str, str]]:
    """The legend entries of a figure: (swatch class, English, Chinese)."""
    return LEGENDS.get(fig.kind, LEGENDS["mask"])


def _cell(n: int) -> int:
    return max(5, min(24, 320 // n))


def _grid(rows: list[list[bool]], x0: int, y0: int, cell: int, pad_rows: set[int] = frozenset()) -> list[str]:
    """SVG for one mask: a blocked background, allowed runs per row, grid lines and indices."""
    lq, lk = len(rows), len(rows[0])
    w, h = lk * cell, lq * cell
    out = [f'<rect class="off" x="{x0}" y="{y0}" width="{w}" height="{h}"/>']
    for i, row in enumerate(rows):
        y = y0 + i * cell
        if i in pad_rows:
            out.append(f'<rect class="pad" x="{x0}" y="{y}" width="{w}" height="{cell}"/>')
            continue
        j = 0
        while j < lk:
            if row[j]:
                start = j
                while j < lk and row[j]:
                    j += 1
                out.append(f'<rect class="on" x="{x0 + start * cell}" y="{y}" '
                           f'width="{(j - start) * cell}" height="{cell}"/>')
            else:
                j += 1
    if cell >= 8:
        lines = [f"M{x0 + j * cell} {y0}v{h}" for j in range(lk + 1)]
        lines += [f"M{x0} {y0 + i * cell}h{w}" for i in range(lq + 1)]
        out.append(f'<path class="grid" d="{"".join(lines)}"/>')
    step = 1 if max(lq, lk) <= 16 else 4
    size = min(11, cell)
    out += [f'<text class="idx" x="{x0 + j * cell + cell / 2:g}" y="{y0 - 4}" font-size="{size}" '
            f'text-anchor="middle">{j}</text>' for j in range(0, lk, step)]
    out += [f'<text class="idx" x="{x0 - 4}" y="{y0 + i * cell + cell * 0.75:g}" font-size="{size}" '
            f'text-anchor="end">{i}</text>' for i in range(0, lq, step)]
    return out


def _axes(x0: int, y0: int) -> list[str]:
    return [f'<text class="axis" x="{x0}" y="{y0 - 18}" font-size="11">k →</text>',
            f'<text class="axis" x="{x0 - 4}" y="{y0 - 18}" font-size="11" text-anchor="end">q ↓</text>']


def _tiles(fig: Figure, rows: list[list[bool]], x0: int, y0: int, cell: int) -> list[str]:
    out = []
    b = fig.block
    for ti in range(0, fig.lq, b):
        for tj in range(0, fig.lk, b):
            cells = [rows[i][j] for i in range(ti, min(ti + b, fig.lq))
                     for j in range(tj, min(tj + b, fig.lk))]
            cls = "t-full" if all(cells) else "t-part" if any(cells) else "t-skip"
            out.append(f'<rect class="tile {cls}" x="{x0 + tj * cell}" y="{y0 + ti * cell}" '
                       f'width="{min(b, fig.lk - tj) * cell}" height="{min(b, fig.lq - ti) * cell}"/>')
    return out


def _tree(parents: list[int], x0: int, y0: int, cell: int) -> tuple[list[str], int]:
    """A small drawing of the token tree, nodes placed at their row of the mask."""
    depth = [0] * len(parents)
    for i, p in enumerate(parents):
        if p >= 0:
            depth[i] = depth[p] + 1
    dx = 26
    pos = [(x0 + 12 + d * dx, y0 + i * cell + cell / 2) for i, d in enumerate(depth)]
    out = [f'<path class="edge" d="M{pos[p][0]} {pos[p][1]:g}L{pos[i][0]} {pos[i][1]:g}"/>'
           for i, p in enumerate(parents) if p >= 0]
    r = max(4, min(8, cell / 2 - 1))
    for i, (x, y) in enumerate(pos):
        out.append(f'<circle class="node" cx="{x}" cy="{y:g}" r="{r:g}"/>')
        out.append(f'<text class="idx" x="{x}" y="{y + r / 2:g}" font-size="{min(10, cell - 4)}" '
                   f'text-anchor="middle">{i}</text>')
    return out, 24 + max(depth) * dx + 24


def _gqa(fig: Figure) -> tuple[list[str], int, int]:
    group = fig.hq // fig.hkv
    bw, gap = 30, 6
    width = fig.hq * (bw + gap) + 40
    out = []
    for k in range(fig.hkv):
        cx = 40 + (k * group + group / 2) * (bw + gap) - gap / 2
        for i in range(k * group, (k + 1) * group):
            out.append(f'<path class="edge" d="M{40 + i * (bw + gap) + bw / 2:g} 44L{cx:g} 86"/>')
        out.append(f'<rect class="g{k % 8}" x="{cx - bw / 2:g}" y="86" width="{bw}" height="24" rx="4"/>')
        out.append(f'<text class="hd" x="{cx:g}" y="102" font-size="10" text-anchor="middle">{k}</text>')
    for i in range(fig.hq):
        x = 40 + i * (bw + gap)
        out.append(f'<rect class="g{(i // group) % 8}" x="{x}" y="20" width="{bw}" height="24" rx="4"/>')
        out.append(f'<text class="hd" x="{x + bw / 2:g}" y="36" font-size="10" '
                   f'text-anchor="middle">{i}</text>')
    out.append('<text class="axis" x="4" y="36" font-size="11">Q</text>')
    out.append('<text class="axis" x="4" y="102" font-size="11">KV</text>')
    return out, width, 120


def _paged(fig: Figure) -> tuple[list[str], int, int]:
    """Each sequence's logical blocks (slots filled or not, side by side) above the physical pool, with the block
    table's arrows; a block listed by several sequences is drawn as shared."""
    bw, gap, slot, pool_y = 34, 8, 34 / fig.block, 120
    owners: dict[int, set[int]] = {}
    for b, row in enumerate(fig.table):
        for pid in row:
            owners.setdefault(pid, set()).add(b)
    pool = max(owners) + 1
    edges, boxes, x = [], [], 50
    for b, (row, n) in enumerate(zip(fig.table, fig.lengths)):
        boxes.append(f'<text class="axis" x="{x}" y="14" font-size="11">seq {b}</text>')
        for k, pid in enumerate(row):
            used = min(fig.block, n - k * fig.block)
            edges.append(f'<path class="edge" d="M{x + bw / 2:g} 54L{50 + pid * (bw + gap) + bw / 2:g} {pool_y}"/>')
            boxes.append(f'<rect class="off" x="{x}" y="32" width="{bw}" height="22"/>')
            boxes.append(f'<rect class="on slot" data-seq="{b}" data-block="{k}" x="{x}" y="32" '
                         f'width="{used * slot:g}" height="22"/>')
            boxes.append(f'<text class="idx" x="{x + bw / 2:g}" y="28" font-size="9" '
                         f'text-anchor="middle">→{pid}</text>')
            x += bw + gap
        x += 16  # a gap between sequences
    out = [*edges, *boxes, f'<text class="axis" x="4" y="{pool_y + 16}" font-size="11">pool</text>']
    for pid in range(pool):
        seqs = owners.get(pid, set())
        cls = "off" if not seqs else "shared" if len(seqs) > 1 else f"g{min(seqs) % 8}"
        px = 50 + pid * (bw + gap)
        out.append(f'<rect class="{cls} phys" data-block="{pid}" x="{px}" y="{pool_y}" width="{bw}" '
                   f'height="24" rx="3"/>')
        out.append(f'<text class="{"idx" if cls == "off" else "hd"}" x="{px + bw / 2:g}" y="{pool_y + 16}" '
                   f'font-size="10" text-anchor="middle">{pid}</text>')
    return out, max(x - 16, 50 + pool * (bw + gap)) + 4, pool_y + 30


def svg(fig: Figure, label_id: str) -> str:
    """The figure as an inline SVG element labelled by the element `label_id` (its caption)."""
    if fig.kind == "gqa":
        parts, width, height = _gqa(fig)
    elif fig.kind == "paged":
        parts, width, height = _paged(fig)
    elif fig.kind in PER_SEQUENCE:
        cell = _cell(fig.lk * len(fig.lengths))
        parts, x = [], 34
        for b, length in enumerate(fig.lengths):
            parts += _grid(mask(fig, length), x, 34, cell, discarded_rows(fig, length))
            parts.append(f'<text class="axis" x="{x}" y="{34 + fig.lk * cell + 14}" font-size="11">'
                         f'seq {b}: {length}/{fig.lk}</text>')
            x += fig.lk * cell + 26
        parts += _axes(34, 34)
        width, height = x, 34 + fig.lk * cell + 20
    else:
        rows = mask(fig)
        n_rows, n_cols = len(rows), len(rows[0])
        cell = _cell(max(n_rows, n_cols))
        x0, parts = 34, []
        if fig.kind == "tree":
            tree, tree_w = _tree(fig.parents, 4, 34, cell)
            parts += tree
            x0 += tree_w
        parts += _grid(rows, x0, 34, cell, discarded_rows(fig))
        if fig.kind == "block":
            parts += _tiles(fig, rows, x0, 34, cell)
        parts += _axes(x0, 34)
        width, height = x0 + n_cols * cell + 6, 34 + n_rows * cell + 6
    body = "".join(parts)
    return (f'<svg class="fig fig-{fig.kind}" role="img" aria-labelledby="{label_id}" '
            f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
            f'xmlns="http://www.w3.org/2000/svg">{body}</svg>')
