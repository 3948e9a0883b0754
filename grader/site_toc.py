"""A page's contents list and heading anchors, added to the rendered HTML of the study site.

Every `<h2 id=...>` inside `<main>` gets an entry (pointing at `data-toc` when the heading sits inside a
closed `<details>`, so following it does not open the answer) and a `#` link to itself; the list replaces the
page's `<!--toc-->`. Working on the output, the list follows whatever sections a template renders.
"""

from __future__ import annotations

import re

from .site_html import ui

PLACE = "<!--toc-->"
HEADING = re.compile(r'<h2 id="(?P<id>[^"]+)"(?: data-toc="(?P<target>[^"]+)")?>(?P<label>.*?)</h2>', re.S)


def add_toc(html: str) -> str:
    """`html` with the contents list in place of `<!--toc-->` and an anchor on each section heading."""
    start = html.find('<main id="main">')
    end = html.find("</main>", start)
    if start < 0 or end < 0 or PLACE not in html[start:end]:
        return html
    entries: list[str] = []

    def anchored(m: re.Match) -> str:
        target = m["target"] or m["id"]
        entries.append(f'<li><a href="#{target}">{m["label"]}</a></li>')
        target_attr = f' data-toc="{target}"' if m["target"] else ""
        return (f'<h2 id="{m["id"]}"{target_attr}>{m["label"]}'
                f'<a class="anchor" href="#{m["id"]}" aria-hidden="true" tabindex="-1">#</a></h2>')

    main = HEADING.sub(anchored, html[start:end])
    toc = (f'<details class="toc" id="toc"><summary id="toc-h">{ui("toc")}</summary>'
           f'<nav aria-labelledby="toc-h"><ol>{"".join(entries)}</ol></nav></details>')
    return html[:start] + main.replace(PLACE, toc, 1) + html[end:]
