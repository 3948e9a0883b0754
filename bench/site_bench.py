"""Study-site benchmark: build time (real bank, and a synthetic bank of 200 questions) and page weight.

Each build is timed with an empty render cache, then rebuilt with the cache it filled (grader/site_cache.py).

Targets: a 200-question build under 2 s; no page over 150 KB gzipped. Run: python bench/site_bench.py
The synthetic bank repeats the real questions under new ids, so its formulas repeat too: the math cache
(cleared before each build) then converts each distinct formula once. The uncached run converts every
formula occurrence: the upper bound for a bank whose formulas are all different.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader import markup  # noqa: E402
from grader.bank import load_bank  # noqa: E402
from grader.site_cache import RenderCache  # noqa: E402
from grader.sitegen import build  # noqa: E402

PAGE_ASSETS = ["static/site.css", "static/pygments.css", "static/common.js", "static/nav.js",
               "static/practice-status.js"]
SEARCH_ASSETS = ["static/vendor/minisearch.js", "static/search-index.js"]  # loaded on the first search
EDITOR = "static/vendor/codemirror.js"  # loaded when a coding page's editor comes into view


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def synthetic_bank(root: Path, dest: Path, count: int) -> Path:
    """A bank of `count` questions: the real ones repeated, ids renamed `<id>-sN`."""
    real = load_bank(root)
    (dest / "questions").mkdir(parents=True)
    shutil.copy(root / "questions" / "topics.yaml", dest / "questions" / "topics.yaml")
    for i in range(count):
        q = real.questions[i % len(real.questions)]
        new_id = f"{q.id}-s{i}"
        text = (root / real.files[q.id]).read_text(encoding="utf-8")
        folder = dest / "questions" / q.topic
        folder.mkdir(exist_ok=True)
        (folder / f"{new_id}.yaml").write_text(re.sub(r"^id: .*$", f"id: {new_id}", text, count=1, flags=re.M),
                                               encoding="utf-8")
        if real.solution_dir(q.id).is_dir():
            shutil.copytree(real.solution_dir(q.id), dest / "solutions" / new_id)
    return dest


def measure(root: Path, out: Path, label: str) -> None:
    t0 = time.perf_counter()
    bank = load_bank(root)
    t1 = time.perf_counter()
    markup.math_to_mathml.cache_clear()
    cpu = time.process_time()
    build(bank, out, cache=RenderCache(out.parent / f"{label}-render.json"))  # cold: an empty render cache
    t2 = time.perf_counter()
    cpu = time.process_time() - cpu
    info = markup.math_to_mathml.cache_info()
    warm, warm_cpu = time.perf_counter(), time.process_time()
    build(bank, out, cache=RenderCache(out.parent / f"{label}-render.json"))
    warm, warm_cpu = time.perf_counter() - warm, time.process_time() - warm_cpu
    pages = sorted((out / "q").glob("*.html"), key=gz)
    heaviest = pages[-1]
    common = sum(gz(out / a) for a in PAGE_ASSETS)
    print(f"{label}: {len(bank.questions)} questions; load {t1 - t0:.2f}s, build {t2 - t1:.2f}s ({cpu:.2f}s CPU; "
          f"{info.misses} distinct formulas, {info.hits} repeats); rebuild {warm:.2f}s ({warm_cpu:.2f}s CPU)")
    print(f"  home page            {gz(out / 'index.html') / 1024:7.1f} KB gzip "
          f"(+ css/js {common / 1024:.1f} KB; + search on first use "
          f"{sum(gz(out / a) for a in SEARCH_ASSETS) / 1024:.1f} KB)")
    print(f"  heaviest question    {gz(heaviest) / 1024:7.1f} KB gzip ({heaviest.name}; "
          f"+ css/js {(common + gz(out / 'static/question.js')) / 1024:.1f} KB)")
    coding = [p for p in pages if 'id="editor"' in p.read_text(encoding="utf-8")][-1]
    first = gz(coding) + common + gz(out / "static/question.js") + gz(out / "static/editor.js")
    print(f"  heaviest coding page {first / 1024:7.1f} KB gzip with its css/js ({coding.name}; "
          f"{(first + gz(out / EDITOR)) / 1024:.1f} KB once the editor has loaded)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="questions in the synthetic bank")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        measure(root, tmp_path / "real-site", "real bank")
        bank = synthetic_bank(root, tmp_path / "bank", args.count)
        measure(bank, tmp_path / "synthetic-site", "synthetic bank")
        cached = markup.math_to_mathml
        markup.math_to_mathml = cached.__wrapped__
        try:
            loaded = load_bank(bank)
            t0, cpu = time.perf_counter(), time.process_time()
            build(loaded, tmp_path / "synthetic-site", cache=RenderCache(None))
            print(f"synthetic bank, math cache off (every formula converted): build {time.perf_counter() - t0:.2f}s "
                  f"({time.process_time() - cpu:.2f}s CPU)")
        finally:
            markup.math_to_mathml = cached


if __name__ == "__main__":
    main()
