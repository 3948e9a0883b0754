"""The study site's search, prepared at build time: the documents and their MiniSearch index.

The index is what `new MiniSearch(options).addAll(docs)` followed by `toJSON()` gives in the browser
(MiniSearch 7, serialization version 2), computed here so the page only calls `MiniSearch.loadJSON`.
`tokenize` and `process_term` mirror home.js exactly; a browser test checks both builds are identical.
"""

from __future__ import annotations

import functools
import json
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from typing import Any

from .markup import plain_text
from .schema import CodingQuestion, QuizQuestion

FIELDS = ("title_en", "title_zh", "text_en", "text_zh", "tags", "id")  # home.js passes the same, in this order
STORE_FIELDS = ("id",)
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CLASS}]")
# A CJK run, or a run of letters and digits (JavaScript's [\p{L}\p{N}], here "a word character but not _").
TOKEN = re.compile(f"[{CJK_CLASS}]+|(?:(?![{CJK_CLASS}])[^\\W_])+")


def tokenize(text: str) -> list[str]:
    """Latin words as they are, CJK runs as every character and every bigram (home.js's tokenize)."""
    out: list[str] = []
    for run in TOKEN.findall(text):
        if not CJK.match(run):
            out.append(run)
            continue
        for i, char in enumerate(run):
            out.append(char)
            if i + 1 < len(run):
                out.append(run[i:i + 2])
    return out


def process_term(term: str) -> str:
    """One term as indexed and queried: NFKC (fullwidth ＫＶ is KV), then lower case (home.js's processTerm)."""
    return unicodedata.normalize("NFKC", term).lower()


def search_doc(q: Any, plain: Callable[[str], str] = plain_text) -> dict[str, str]:
    """One question as the search index sees it: titles, plain texts in both languages, tags.

    `plain` is plain_text, or a cached plain_text during a build.
    """
    def body(lang: str) -> str:
        parts = [q.prompt, q.answer, *q.pitfalls, *q.follow_ups]
        if isinstance(q, QuizQuestion) and q.quiz.type == "choice":
            parts += [t for c in q.quiz.choices for t in (c.text, c.why)]
        if isinstance(q, CodingQuestion):
            parts += [*q.coding.hints, *(t for m in q.coding.mistakes for t in (m.title, m.explanation))]
        return plain(" ".join(t.get(lang) for t in parts))

    return {"id": q.id, "title_en": plain(q.title.en), "title_zh": plain(q.title.zh),
            "text_en": body("en"), "text_zh": body("zh"), "tags": " ".join(q.tags)}


def _counts(text: str) -> Counter:
    """How often each token of `text` occurs (what tokenize gives, counted; the order does not matter here)."""
    counts: Counter = Counter()
    for run in TOKEN.findall(text):
        if CJK.match(run):
            counts.update(run)
            counts.update(map(operator.add, run, run[1:]))
        else:
            counts[run] += 1
    return counts


def search_index(docs: list[dict[str, str]]) -> dict[str, Any]:
    """MiniSearch's serialized index of `docs` (its toJSON(), serializationVersion 2)."""
    index: dict[str, dict[str, dict[str, int]]] = {}
    field_length: dict[str, list[int]] = {}
    average = [0.0] * len(FIELDS)
    processed = functools.cache(process_term)
    for short_id, doc in enumerate(docs):
        sid, lengths = str(short_id), []
        for field_id, field in enumerate(FIELDS):
            counts = _counts(doc[field])
            lengths.append(len(counts))  # MiniSearch counts the distinct tokens, before processTerm
            average[field_id] = (average[field_id] * short_id + lengths[-1]) / (short_id + 1)  # its running mean
            fid = str(field_id)
            for token, count in counts.items():
                term = processed(token)
                if not term:
                    continue
                fields = index.get(term)
                if fields is None:
                    index[term] = {fid: {sid: count}}
                elif (postings := fields.get(fid)) is None:
                    fields[fid] = {sid: count}
                else:  # two tokens that fold to one term (Softmax, softmax)
                    postings[sid] = postings.get(sid, 0) + count
        field_length[sid] = lengths
    return {
        "documentCount": len(docs), "nextId": len(docs),
        "documentIds": {str(i): d["id"] for i, d in enumerate(docs)},
        "fieldIds": {f: i for i, f in enumerate(FIELDS)}, "fieldLength": field_length,
        "averageFieldLength": average,
        "storedFields": {str(i): {f: d[f] for f in STORE_FIELDS} for i, d in enumerate(docs)},
        "dirtCount": 0, "index": list(index.items()), "serializationVersion": 2,
    }


def search_script(docs: list[dict[str, str]]) -> str:
    """static/search-index.js: the index as a JSON string (for MiniSearch.loadJSON) and each question's texts.

    A script rather than a .json file, because a page opened from file:// may load scripts but not fetch.
    """
    dump = json.dumps(search_index(docs), ensure_ascii=False, separators=(",", ":"))
    texts = {d["id"]: {"text_en": d["text_en"], "text_zh": d["text_zh"]} for d in docs}
    return (f"window.ATTNBANK_INDEX = {json.dumps(dump, ensure_ascii=False)};\n"
            f"window.ATTNBANK_TEXTS = {json.dumps(texts, ensure_ascii=False, separators=(',', ':'))};\n")
