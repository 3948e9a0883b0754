"""Grade candidate files for one coding question: find it in the index, check the settings, run the sandbox.

Returns grader.outcome.Verdict objects. This module imports neither torch nor pydantic: it works from the index.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
from pathlib import Path
from typing import Any

from .errors import AttnbankError
from .index import find, load_index
from .outcome import Settings, Verdict
from .sandbox import Worker, run_worker


def require_file(path: Path) -> None:
    """A usage error unless `path` is a file (a folder is named as one)."""
    if path.is_dir():
        raise AttnbankError(f"{path} is a folder: give the Python file to grade")
    if not path.is_file():
        raise AttnbankError(f"no such file: {path}")


def coding_entry(index: dict[str, Any], qid: str) -> dict[str, Any]:
    """The index entry of coding question `qid`, or a usage error."""
    entry = find(index, qid)
    if entry["kind"] != "coding":
        raise AttnbankError(f"'{qid}' is a {entry['kind']} question: only coding questions are graded "
                            f"(try `attnbank show {qid}`)")
    return entry


def missing_modules(entry: dict[str, Any]) -> list[str]:
    """The Python modules this question needs that are not installed."""
    return [m for m in entry.get("requires", []) if importlib.util.find_spec(m) is None]


def check_settings(entry: dict[str, Any], settings: Settings) -> None:
    """Usage errors for a missing module, a dtype the question does not allow or a missing device."""
    missing = missing_modules(entry)
    if missing:
        raise AttnbankError(f"'{entry['id']}' needs {', '.join(missing)}: pip install {' '.join(missing)}")
    if settings.dtype not in entry["dtypes"]:
        raise AttnbankError(f"'{entry['id']}' is graded in {', '.join(entry['dtypes'])}, not {settings.dtype}")
    if settings.device == "cuda" and not cuda_available():
        raise AttnbankError("--device cuda: no CUDA device is available on this machine")


def torch_cuda_major(version_py: str) -> int | None:
    """The CUDA major version torch was built with, read from the text of its version.py (None: no CUDA)."""
    found = re.search(r"^cuda\b[^=\n]*=\s*['\"](\d+)", version_py, re.M)
    return int(found.group(1)) if found else None


def cuda_available() -> bool:
    """What torch.cuda.is_available() would say, found without importing torch (which costs the parent, and
    the candidate waiting on it, seconds before the worker starts): torch built with CUDA, and the driver
    (at least that CUDA major version) reporting a device."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return False
    try:
        major = torch_cuda_major((Path(next(iter(spec.submodule_search_locations))) / "version.py").read_text())
        lib = ctypes.CDLL("nvcuda.dll" if os.name == "nt" else "libcuda.so.1")
    except OSError:
        return False
    count, driver = ctypes.c_int(0), ctypes.c_int(0)
    return (major is not None and lib.cuInit(0) == 0 and lib.cuDriverGetVersion(ctypes.byref(driver)) == 0
            and driver.value // 1000 >= major and lib.cuDeviceGetCount(ctypes.byref(count)) == 0 and count.value > 0)


def triton_cache() -> Path:
    """Where Triton keeps compiled kernels between grades (platformdirs: $XDG_CACHE_HOME/attnbank/triton on
    Linux); a candidate's process otherwise has a fresh home per file, so every grade would compile again."""
    from platformdirs import user_cache_path

    return user_cache_path("attnbank", appauthor=False) / "triton"


def device_env(entry: dict[str, Any]) -> dict[str, str] | None:
    """The environment a GPU grade adds: Triton's cache kept in `triton_cache()` for questions that use Triton."""
    if "triton" not in entry.get("requires", []):
        return None
    return {"TRITON_CACHE_DIR": os.environ.get("TRITON_CACHE_DIR") or str(triton_cache())}


def grade_files(root: Path, entry: dict[str, Any], files: list[Path], settings: Settings,
                on_event=None, worker: Worker | None = None) -> list[Verdict]:
    """Verdicts for `files` (graded in one sandboxed worker, `worker` if given, a fresh one after any crash)."""
    for f in files:
        require_file(f)
    check_settings(entry, settings)
    timeout = settings.timeout or entry["timeout"]
    env = entry.get("cpu_env") if settings.device == "cpu" else device_env(entry)
    verdicts = run_worker(root / entry["file"], root / "solutions" / entry["id"], [f.resolve() for f in files],
                          settings, timeout, on_event, env, worker)
    for v in verdicts:
        v.question = entry["id"]
    return verdicts


def grade(qid: str, file: Path, settings: Settings, root: Path | None = None) -> Verdict:
    """The verdict for one candidate file."""
    from . import paths

    root = root or paths.root()
    require_file(file)
    return grade_files(root, coding_entry(load_index(root), qid), [file], settings)[0]
