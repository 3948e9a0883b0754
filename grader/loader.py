"""Load implementation code (reference, alternatives, mistakes, candidates) as fresh modules."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import itertools
import linecache
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the candidate's process imports this module, never the question schema
    from .schema import CodingQuestion, Mistake

_counter = itertools.count()


class InvalidCandidate(Exception):
    """The file cannot be graded at all: syntax error, import failure, missing or wrong entry point; `trace`:
    the candidate's own frames, where its code raised."""

    def __init__(self, message: str, trace: str | None = None):
        super().__init__(message)
        self.trace = trace


def load_source(source: str, filename: str) -> types.ModuleType:
    """Execute `source` as a new module whose frames report `filename`.

    The source is registered with linecache, so tracebacks and `inspect.getsource` (which Triton's
    `@jit` needs) work even when `filename` is not a file on disk.
    """
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    name = f"attnbank_candidate_{next(_counter)}"
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    code = compile(source, filename, "exec")
    exec(code, module.__dict__)  # noqa: S102 - running the candidate is the point
    return module


def load_file(path: Path) -> types.ModuleType:
    """Import a Python file as a fresh module (no caching, no package import side effects)."""
    spec = importlib.util.spec_from_file_location(f"attnbank_file_{next(_counter)}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def mistake_source(question: CodingQuestion, mistake: Mistake, sol_dir: Path) -> str:
    """The source of a known mistake: the reference with its patch applied, or its own file."""
    if mistake.file:
        return (sol_dir / mistake.file).read_text(encoding="utf-8")
    source = (sol_dir / "reference.py").read_text(encoding="utf-8")
    for p in mistake.patch or []:
        count = source.count(p.find)
        if count != 1:
            raise ValueError(f"mistake '{mistake.id}': patch text {p.find!r} occurs {count} times in "
                             f"solutions/{question.id}/reference.py (must be exactly once)")
        source = source.replace(p.find, p.replace)
    return source


def _expected_params(signature: str) -> list[tuple[str, bool]]:
    """(name, has_default) for each parameter of a `name(a, b=1)` signature."""
    fn = ast.parse(f"def {signature}: pass").body[0]
    assert isinstance(fn, ast.FunctionDef)
    args = fn.args.args
    defaults = [None] * (len(args) - len(fn.args.defaults)) + list(fn.args.defaults)
    return [(a.arg, d is not None) for a, d in zip(args, defaults)]


def entry_point(module: types.ModuleType, name: str, signature: str) -> object:
    """The candidate's entry point `name`, checked against the prompt's `signature` (InvalidCandidate if not)."""
    obj = getattr(module, name, None)
    if obj is None:
        defined = sorted(k for k, v in vars(module).items() if callable(v) and not k.startswith("_")
                         and getattr(v, "__module__", None) == module.__name__)
        raise InvalidCandidate(f"no `{name}` defined in the file" +
                               (f" (it defines: {', '.join(defined)})" if defined else ""))
    if not callable(obj):
        raise InvalidCandidate(f"`{name}` is not callable")
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return obj
    got = [p for p in sig.parameters.values()
           if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    expected = _expected_params(signature.split("->")[0].strip())
    want = signature
    names = [p.name for p in got]
    for i, (pname, has_default) in enumerate(expected):
        if i >= len(got) or got[i].name != pname:
            raise InvalidCandidate(f"`{name}` has parameters ({', '.join(names)}); the question asks for {want}")
        if has_default and got[i].default is inspect.Parameter.empty:
            raise InvalidCandidate(f"parameter `{pname}` of `{name}` needs a default; the question asks for {want}")
    extra = [p.name for p in got[len(expected):] if p.default is inspect.Parameter.empty]
    if extra:
        raise InvalidCandidate(f"`{name}` has extra required parameters ({', '.join(extra)}); "
                               f"the question asks for {want}")
    return obj
