"""Installing attnbank: every imported module is declared, and the wheel carries the bank so that a
non-editable install works from any folder."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")
ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("grader", "solutions", "tests", "bench")


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> tuple[set[str], set[str]]:
    """(core dependencies, every dependency including extras and the build system), as normalised names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    core = {_name(r) for r in project["project"]["dependencies"]}
    extras = {_name(r) for reqs in project["project"]["optional-dependencies"].values() for r in reqs}
    build = {_name(r) for r in project["build-system"]["requires"]}
    return core, core | extras | build


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_every_imported_module_is_declared() -> None:
    files = [p for d in SOURCES for p in (ROOT / d).rglob("*.py") if "vendor" not in p.parts]
    files += list(ROOT.glob("*.py"))  # setup.py
    local = {"grader"} | {p.stem for p in files}
    providers = importlib.metadata.packages_distributions()
    core, everything = _declared()
    missing = {}
    for path in files:
        for module in _imports(path) - local - set(sys.stdlib_module_names):
            dists = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
            if not dists & everything:
                missing.setdefault(module, []).append(str(path.relative_to(ROOT)))
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
    # imported by nothing here, yet needed at run time: torch's Tensor.numpy() and Triton's CPU interpreter
    # import numpy, and neither torch nor triton declares it
    assert "numpy" in core


def _copy_project(dest: Path) -> Path:
    """The files a build reads, copied so that building writes nothing into the checkout."""
    for name in ("grader", "questions", "solutions", "site"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "data"))
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy(ROOT / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = _copy_project(tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(src)], check=True, capture_output=True, text=True, timeout=300)
    return next(out.glob("attnbank-*.whl"))


def test_the_wheel_carries_the_bank_and_the_site(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("grader/data/questions/topics.yaml", "grader/data/questions/attention-basics/sdpa.yaml",
                 "grader/data/solutions/sdpa/reference.py", "grader/data/site/templates/question.html",
                 "grader/cli.py"):
        assert path in names, path
    assert not any(n.startswith(("questions/", "solutions/", "tests/")) or "__pycache__" in n for n in names)


def test_an_installed_wheel_finds_its_bank_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("ATTNBANK_ROOT", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)  # the installed copy, ahead of any editable install of the checkout

    def attnbank(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "grader", *args], cwd=elsewhere, env=env, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=300)

    where = subprocess.run([sys.executable, "-c", "import grader.paths as p; print(p.root()); print(p.site_dir())"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert where == [str(site / "grader/data"), str(site / "grader/data/site")]
    listing = attnbank("list")
    assert listing.returncode == 0 and "sdpa" in listing.stdout, listing.stderr
    (elsewhere / "mine.py").write_text((ROOT / "solutions/sdpa/reference.py").read_text(encoding="utf-8"))
    graded = attnbank("grade", "sdpa", "mine.py", "--no-record")
    assert graded.returncode == 0 and "PASSED" in graded.stdout, graded.stdout + graded.stderr
    built = attnbank("site", "build", "--out", str(tmp_path / "out"))
    assert built.returncode == 0 and (tmp_path / "out/q/sdpa.html").is_file(), built.stderr
    other = attnbank("list", "--json")
    env["ATTNBANK_ROOT"] = str(ROOT / "tests/fixtures/practice_bank")  # ATTNBANK_ROOT still picks another bank
    fixture = attnbank("list", "--json")
    assert fixture.returncode == 0 and fixture.stdout != other.stdout


def test_ci_runs_readme_setup_verbatim_in_a_fresh_venv() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- .ci/run runs this block verbatim -->\n```bash\n", 1)[1].split("```", 1)[0]
    printed = subprocess.run(["bash", str(ROOT / ".ci/run"), "--print"], capture_output=True, text=True, check=True)
    assert printed.stdout == block and len(block.splitlines()) == 2
    setup, tests = block.splitlines()
    assert setup.index("pip install torch") < setup.index('pip install -e ".[dev]"')  # torch first
    assert tests.startswith("python -m pytest -q")
    script = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert 'python3 -m venv "$venv"' in script and "mktemp -d" in script  # never the machine's own Python
