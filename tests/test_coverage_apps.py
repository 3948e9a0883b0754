"""Every source question of the speech, recommender, graph, time-series and RL clusters (C25-C29 of the seed
catalogue) is answered by a question of the matching topic, and each of those topics has every kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.bank import load_bank

ROOT = Path(__file__).resolve().parent.parent

CLUSTERS = {  # cluster: (topic, its source questions as numbered in the catalogue's table)
    "C25": ("speech-audio", ["000-Q10", "000-Q25", "000-Q28", "001-Q12", "001-Q21", "001-Q27", "002-P8", "002-P12",
                             "002-P13", "002-P21", "002-P22", "002-P30", "003-Q17", "004-Q8", "004-Q13"]),
    "C26": ("recommender-systems", ["000-Q11", "000-Q20", "001-Q14", "001-Q30", "002-P9", "002-P11", "002-P18",
                                    "002-P27", "003-Q9", "003-Q15", "003-Q21", "004-Q11"]),
    "C27": ("graphs", ["000-Q8", "001-Q17", "003-Q23"]),
    "C28": ("time-series", ["001-Q25", "001-Q28", "003-Q8", "003-Q11", "003-Q12", "003-Q13", "003-Q14"]),
    "C29": ("reinforcement-learning", ["001-Q11", "003-Q22"]),
}


@pytest.fixture(scope="module")
def bank():
    return load_bank(ROOT)


@pytest.mark.parametrize("cluster", sorted(CLUSTERS))
def test_cluster_sources_are_covered_by_its_topic(bank, cluster: str) -> None:
    topic, sources = CLUSTERS[cluster]
    questions = [q for q in bank.questions if q.topic == topic]
    covered = {s for q in questions for s in q.covers}
    assert not set(sources) - covered, f"{cluster}: not covered by any {topic} question"
    assert {q.kind for q in questions} == {"concept", "quiz", "coding"}, f"{topic} lacks a kind"
