"""The index cache: rebuilt when a question file's size or mtime changes, reused otherwise, kept in XDG_CACHE_HOME."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from grader import index
from grader.errors import AttnbankError

ROOT = Path(__file__).resolve().parent.parent
BUILDS: list[str] = []  # the text of q.yaml at each rebuild of the index


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny bank (topics and one question file), with the cache in the temp dir and builds counted."""
    r = tmp_path / "bank"
    (r / "questions" / "t").mkdir(parents=True)
    (r / "questions" / "topics.yaml").write_text("a: 1\n", encoding="utf-8")
    (r / "questions" / "t" / "q.yaml").write_text("difficulty: easy\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    def build(root: Path) -> dict:
        text = (root / "questions" / "t" / "q.yaml").read_text(encoding="utf-8")
        BUILDS.append(text)
        return {"topics": [], "questions": [{"id": "q", "text": text}]}

    monkeypatch.setattr(index, "_build", build)
    BUILDS[:] = []
    return r


def _touch(path: Path, text: str, mtime_ns: int | None = None) -> None:
    st = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, mtime_ns if mtime_ns is not None else st.st_mtime_ns))


def test_unchanged_files_reuse_the_cache(root: Path) -> None:
    assert index.load_index(root)["questions"][0]["text"] == "difficulty: easy\n"
    assert index.load_index(root)["questions"][0]["text"] == "difficulty: easy\n"
    assert len(BUILDS) == 1
    assert list((root.parent / "cache" / "attnbank").glob("index-*.json"))


def test_a_size_change_rebuilds_even_with_the_same_mtime(root: Path) -> None:
    index.load_index(root)
    _touch(root / "questions" / "t" / "q.yaml", "difficulty: hard\n\n")  # mtime restored
    assert index.load_index(root)["questions"][0]["text"] == "difficulty: hard\n\n"
    assert len(BUILDS) == 2


def test_an_mtime_change_rebuilds_even_with_the_same_size(root: Path) -> None:
    index.load_index(root)
    q = root / "questions" / "t" / "q.yaml"
    _touch(q, "difficulty: hard\n", mtime_ns=q.stat().st_mtime_ns + 5_000_000_000)  # same size as "easy"
    assert index.load_index(root)["questions"][0]["text"] == "difficulty: hard\n"
    assert len(BUILDS) == 2


def test_added_and_removed_files_rebuild(root: Path) -> None:
    index.load_index(root)
    extra = root / "questions" / "t" / "r.yaml"
    extra.write_text("x\n", encoding="utf-8")
    index.load_index(root)
    extra.unlink()
    index.load_index(root)
    assert len(BUILDS) == 3


def test_fingerprint_depends_on_root_and_version(root: Path, tmp_path: Path, monkeypatch) -> None:
    other = tmp_path / "other"
    shutil.copytree(root, other)
    assert index._fingerprint(root) != index._fingerprint(other)
    before = index._fingerprint(root)
    monkeypatch.setattr(index, "VERSION", index.VERSION + 1)
    assert index._fingerprint(root) != before


def test_a_corrupt_cache_is_rebuilt(root: Path) -> None:
    index.load_index(root)
    (cache,) = (root.parent / "cache" / "attnbank").glob("index-*.json")
    cache.write_text("{not json", encoding="utf-8")
    assert index.load_index(root)["questions"][0]["id"] == "q"
    assert len(BUILDS) == 2


def test_the_real_bank_lists_an_edited_difficulty(tmp_path: Path, monkeypatch) -> None:
    """End to end on a copy of the bank: editing a question file changes what the index says."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    copy = tmp_path / "bank"
    shutil.copytree(ROOT / "questions", copy / "questions")
    shutil.copytree(ROOT / "solutions", copy / "solutions")
    entry = index.find(index.load_index(copy), "sdpa")
    path = copy / entry["file"] if not Path(entry["file"]).is_absolute() else Path(entry["file"])
    text = path.read_text(encoding="utf-8")
    new = "hard" if entry["difficulty"] != "hard" else "easy"
    assert f"difficulty: {entry['difficulty']}" in text
    path.write_text(text.replace(f"difficulty: {entry['difficulty']}", f"difficulty: {new}"), encoding="utf-8")
    assert index.find(index.load_index(copy), "sdpa")["difficulty"] == new


def test_each_entry_summarises_its_question_file(bank, tmp_path: Path, monkeypatch) -> None:
    """Every question file and topic is in the index under the names `list` and `grade` read."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = index.load_index(ROOT)
    topics = yaml.safe_load((ROOT / "questions" / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    assert [t["id"] for t in data["topics"]] == [t["id"] for t in topics]
    assert [t["name"] for t in data["topics"]] == [t["name"] for t in topics]
    files = sorted((ROOT / "questions").glob("*/*.yaml"))
    entries = {e["id"]: e for e in data["questions"]}
    assert len(entries) == len(data["questions"]) == len(files)
    extras = {"dtypes", "timeout", "cpu_env", "requires"}
    for file in files:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        e = entries[raw["id"]]
        assert (e["kind"], e["topic"], e["difficulty"], e["title"]) == (raw["kind"], raw["topic"],
                                                                        raw["difficulty"], raw["title"])
        assert e["tags"] == raw.get("tags", []) and (ROOT / e["file"]).resolve() == file.resolve()
        if raw["kind"] == "coding":
            c = bank.get(raw["id"]).coding
            assert (e["dtypes"], e["timeout"], e["cpu_env"], e["requires"]) == (c.dtypes, c.timeout, c.cpu_env,
                                                                                 c.requires)
            assert e["dtypes"] == raw["coding"].get("dtypes", e["dtypes"])
        else:
            assert not extras & set(e)


def test_the_cache_falls_back_to_the_home_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for unset in (None, ""):
        if unset is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", unset)
        cache = index._cache_file(tmp_path / "bank")
        assert cache.parent == tmp_path / ".cache" / "attnbank" and cache.name.startswith("index-")
    assert index._cache_file(tmp_path / "bank") != index._cache_file(tmp_path / "other")


def test_find_returns_the_entry_or_suggests_close_ids() -> None:
    data = {"questions": [{"id": "mha", "n": 1}, {"id": "sdpa", "n": 2}]}
    assert index.find(data, "sdpa") == {"id": "sdpa", "n": 2} and index.find(data, "mha")["n"] == 1
    with pytest.raises(AttnbankError, match=r"unknown question id 'sdpx' \(did you mean sdpa\?\)"):
        index.find(data, "sdpx")


def test_two_banks_keep_their_own_caches(root: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(root, other)
    for r in (root, other, root, other):
        index.load_index(r)
    assert len(BUILDS) == 2


def test_an_edited_topics_file_rebuilds(root: Path) -> None:
    index.load_index(root)
    _touch(root / "questions" / "topics.yaml", "a: 22\n")  # mtime restored: only the size tells
    index.load_index(root)
    assert len(BUILDS) == 2
