"""The site build's speed and weight: the render cache, the build time of the real bank, page sizes."""

from __future__ import annotations

import gzip
import re
import shutil
import time
from pathlib import Path

import pytest

from grader import markup
from grader.bank import BankError, load_bank
from grader.site_cache import RenderCache
from grader.sitegen import build

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "site_bank"
PAGE_LIMIT = 150 * 1024  # a question page with everything it loads before any interaction, gzipped
EAGER = re.compile(r'<(?:script[^>]*\bsrc|link[^>]*rel="stylesheet"[^>]*\bhref)="([^"]+)"')


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _no_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("rendered although the cache holds it")

    for name in ("_md", "highlight_code", "pygments_css", "plain_text"):
        monkeypatch.setattr(markup, name, refuse)
    monkeypatch.setattr("grader.sitegen.highlight_code", refuse)
    monkeypatch.setattr("grader.sitegen.pygments_css", refuse)
    monkeypatch.setattr("grader.sitegen.plain_text", refuse)
    monkeypatch.setattr("grader.sitegen.search_script", refuse)


def test_a_cached_build_is_the_same_site_and_renders_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bank = load_bank(FIXTURE)
    build(bank, tmp_path / "plain", cache=RenderCache(None))
    build(bank, tmp_path / "first", cache=RenderCache(tmp_path / "cache.marshal"))
    _no_rendering(monkeypatch)
    warm = RenderCache(tmp_path / "cache.marshal")
    build(bank, tmp_path / "second", cache=warm)
    assert warm.misses == 0
    assert _files(tmp_path / "second") == _files(tmp_path / "first") == _files(tmp_path / "plain")


def test_an_edited_text_is_rendered_again_and_the_old_fragment_dropped(tmp_path: Path) -> None:
    root = tmp_path / "bank"
    shutil.copytree(FIXTURE, root)
    build(load_bank(root), tmp_path / "a", cache=RenderCache(tmp_path / "cache.marshal"))
    size = len(RenderCache(tmp_path / "cache.marshal").old)
    yaml = root / "questions" / "heads" / "toy-softmax.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("Subtract the row maximum", "Take away the row max"),
                    encoding="utf-8")
    cache = RenderCache(tmp_path / "cache.marshal")
    build(load_bank(root), tmp_path / "b", cache=cache)
    assert 0 < cache.misses <= 4  # the answer (en), the search text, the search index
    assert "Take away the row max" in (tmp_path / "b" / "q" / "toy-softmax.html").read_text(encoding="utf-8")
    assert len(RenderCache(tmp_path / "cache.marshal").old) == size  # the old answer's fragments are gone


def test_an_unreadable_cache_only_costs_speed(tmp_path: Path) -> None:
    (tmp_path / "cache.marshal").write_bytes(b"not marshal")
    cache = RenderCache(tmp_path / "cache.marshal")
    build(load_bank(FIXTURE), tmp_path / "out", cache=cache)
    assert cache.misses > 0 and (tmp_path / "out" / "index.html").is_file()


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> tuple[Path, float]:
    """The real bank built twice with one cache; the output and the second build's CPU seconds."""
    base = tmp_path_factory.mktemp("real-build")
    bank = load_bank()
    build(bank, base / "out", cache=RenderCache(base / "cache.marshal"))
    cpu = time.process_time()
    build(bank, base / "out", cache=RenderCache(base / "cache.marshal"))
    return base / "out", time.process_time() - cpu


def test_the_real_bank_rebuilds_within_a_second(real: tuple[Path, float]) -> None:
    assert real[1] <= 1.0, f"{real[1]:.2f} s of CPU"  # CPU time: other work on the machine does not count


def test_every_question_page_weighs_at_most_150_kb_gzipped_with_the_editor_loaded_later(
        real: tuple[Path, float]) -> None:
    out, _ = real
    pages = sorted((out / "q").glob("*.html"))
    assert len(pages) == len(load_bank().questions)
    heavy = {}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assets = [(page.parent / src).resolve() for src in EAGER.findall(html)]
        assert all("codemirror" not in a.name for a in assets), page.name  # the editor comes only when needed
        total = len(gzip.compress(html.encode(), 9)) + sum(len(gzip.compress(a.read_bytes(), 9)) for a in assets)
        if total > PAGE_LIMIT:
            heavy[page.name] = total
    assert heavy == {}
    assert "vendor/codemirror.js" in (out / "static" / "editor.js").read_text(encoding="utf-8")


def test_loading_the_bank_again_parses_only_the_yaml_that_changed(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from grader import yaml_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "bank"
    shutil.copytree(FIXTURE, root)
    first = load_bank(root)
    parsed: list[str] = []
    real_load = yaml_cache.yaml.load
    monkeypatch.setattr(yaml_cache.yaml, "load", lambda fh, Loader: parsed.append(fh.name) or real_load(fh, Loader))
    again = load_bank(root)
    assert parsed == [] and again.questions == first.questions
    yaml = root / "questions" / "heads" / "toy-softmax.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("Subtract the row maximum", "Take away the row max"),
                    encoding="utf-8")
    edited = load_bank(root)
    assert parsed == [str(yaml)]
    assert "Take away the row max" in edited.get("toy-softmax").answer.en
    yaml.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(BankError, match="toy-softmax.yaml: line 2: invalid YAML"):
        load_bank(root)
