"""Every in-scope source question (questions/sources.yaml) is answered fully by at least one bank question
(its `covers:` list), and every cluster C01-C29 has a question that covers one of its sources."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.bank import load_bank

ROOT = Path(__file__).resolve().parent.parent

# The clusters none of whose sources is covered yet (all their sources are in the set above); emptied with it.


@pytest.fixture(scope="module")
def sources() -> dict[str, dict]:
    rows = yaml.safe_load((ROOT / "questions/sources.yaml").read_text(encoding="utf-8"))["sources"]
    return {row["id"]: row for row in rows}


@pytest.fixture(scope="module")
def covered() -> dict[str, list[str]]:
    """Source id -> the bank questions whose `covers` lists it."""
    out: dict[str, list[str]] = {}
    for q in load_bank(ROOT).questions:
        for sid in q.covers:
            out.setdefault(sid, []).append(q.id)
    return out


def test_sources_table_is_the_catalogue(sources: dict[str, dict]) -> None:
    assert len(sources) == 140
    assert {r["cluster"] for r in sources.values()} == {f"C{i:02d}" for i in range(1, 31)}
    assert [s for s, r in sources.items() if not r["in_scope"]] == ["001-Q2", "001-Q8"]
    assert all(r["cluster"] == "C30" for r in sources.values() if not r["in_scope"])
    assert all(r["title"].strip() for r in sources.values())


def test_covers_name_in_scope_sources(sources: dict[str, dict], covered: dict[str, list[str]]) -> None:
    unknown = {s: qs for s, qs in covered.items() if s not in sources}
    assert not unknown, f"covers lists sources that questions/sources.yaml does not have: {unknown}"
    off = {s: qs for s, qs in covered.items() if not sources[s]["in_scope"]}
    assert not off, f"out-of-scope sources (C30) listed in covers: {off}"


def test_every_in_scope_source_is_covered(sources: dict[str, dict], covered: dict[str, list[str]]) -> None:
    uncovered = {s for s, r in sources.items() if r["in_scope"] and s not in covered}
    missing = sorted(uncovered, key=list(sources).index)
    assert not missing, f"in-scope sources no question covers: {', '.join(missing)}"


def test_every_cluster_is_covered(sources: dict[str, dict], covered: dict[str, list[str]]) -> None:
    by_cluster: dict[str, set[str]] = {}
    for s, r in sources.items():
        by_cluster.setdefault(r["cluster"], set()).add(s)
    bare = [c for c in sorted(by_cluster) if c != "C30" and not by_cluster[c] & set(covered)]
    assert not bare, f"clusters with no covering question: {', '.join(bare)}"


def test_every_application_topic_has_each_kind() -> None:
    bank = load_bank(ROOT)
    kinds: dict[str, set[str]] = {t.id: set() for t in bank.topics if t.part == "applications"}
    for q in bank.questions:
        if q.topic in kinds:
            kinds[q.topic].add(q.kind)
    short = {t: sorted({"concept", "quiz", "coding"} - k) for t, k in kinds.items() if len(k) < 3}
    assert len(kinds) >= 10 and not short, f"application topics missing a kind: {short}"
