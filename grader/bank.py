"""Load and validate the bank: questions/topics.yaml and every questions/<topic>/<id>.yaml.

Every problem is collected and reported at once as `file: field: message`; nothing is fixed up.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import ValidationError

from . import paths
from .checks import CHECK_NAMES
from .errors import AttnbankError, unknown_id
from .schema import QUESTION_ADAPTER, CodingQuestion, Topic, TopicsFile
from .vocab import KINDS
from .yaml_cache import Loader, YamlCache  # noqa: F401 (Loader: plan.py and the tests import it from here)


class BankError(AttnbankError):
    """The bank has problems; `problems` holds every one as `file: field: message`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the bank:\n" + "\n".join(problems))


@dataclass
class Bank:
    """The validated bank: topics in file order, questions in topic then file order."""

    root: Path
    topics: list[Topic]
    questions: list = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)

    @cached_property
    def by_id(self) -> dict:
        return {q.id: q for q in self.questions}

    def get(self, qid: str):
        """The question `qid`, or an AttnbankError that suggests close ids."""
        try:
            return self.by_id[qid]
        except KeyError:
            raise unknown_id(qid, list(self.by_id)) from None

    def select(self, topic: str | None = None, kind: str | None = None,
               difficulty: str | None = None) -> list:
        """Questions matching every filter given."""
        return [q for q in self.questions
                if (topic is None or q.topic == topic) and (kind is None or q.kind == kind)
                and (difficulty is None or q.difficulty == difficulty)]

    def solution_dir(self, qid: str) -> Path:
        return self.root / "solutions" / qid


def _format_errors(rel: str, err: ValidationError) -> Iterable[str]:
    for e in err.errors():
        parts = [str(p) for p in e["loc"] if not str(p).startswith(("function-", "tagged-union"))]
        if parts and parts[0] in KINDS:  # the union's tag, not a field
            parts = parts[1:]
        loc = ".".join(parts)
        yield f"{rel}: {loc or '(top)'}: {e['msg']}"


def _read_yaml(path: Path, rel: str, problems: list[str], cache: YamlCache):
    try:
        return cache.load(path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(parse)"
        problems.append(f"{rel}: {where}: invalid YAML: {getattr(exc, 'problem', exc)}")
    except OSError as exc:
        problems.append(f"{rel}: (file): {exc.strerror}")
    return None


def _top_level_names(source: str) -> set[str]:
    """Names a module binds at its top level (functions, classes, assignments, imports)."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _check_reference(q: CodingQuestion, rel: str, source: str, problems: list[str]) -> None:
    """What the schema cannot see: the entry point exists and every patch applies exactly once."""
    ref = f"solutions/{q.id}/reference.py"
    try:
        names = _top_level_names(source)
    except SyntaxError as exc:
        problems.append(f"{rel}: coding: {ref}: syntax error (line {exc.lineno}): {exc.msg}")
        return
    if q.coding.entry_point not in names:
        problems.append(f"{rel}: coding.entry_point: '{q.coding.entry_point}' is not defined in {ref}")
    for i, m in enumerate(q.coding.mistakes):
        patched = source
        for j, p in enumerate(m.patch or []):
            count = patched.count(p.find)
            if count != 1:
                problems.append(f"{rel}: coding.mistakes.{i}.patch.{j}.find: {p.find!r} occurs {count} times in "
                                f"{ref} (must be exactly once)")
                break
            patched = patched.replace(p.find, p.replace)


def _check_coding(q: CodingQuestion, rel: str, root: Path, problems: list[str]) -> None:
    sol = root / "solutions" / q.id
    if not (sol / "reference.py").is_file():
        problems.append(f"{rel}: coding: missing reference solution solutions/{q.id}/reference.py")
    else:
        _check_reference(q, rel, (sol / "reference.py").read_text(encoding="utf-8"), problems)
    for name in q.coding.alternatives:
        if not (sol / name).is_file():
            problems.append(f"{rel}: coding.alternatives: missing file solutions/{q.id}/{name}")
    seen: set[str] = set()
    for i, m in enumerate(q.coding.mistakes):
        if m.id in seen:
            problems.append(f"{rel}: coding.mistakes.{i}.id: duplicate mistake id '{m.id}'")
        seen.add(m.id)
        if m.file and not (sol / m.file).is_file():
            problems.append(f"{rel}: coding.mistakes.{i}.file: missing file solutions/{q.id}/{m.file}")
    checks = q.coding.check_params
    for name in checks:
        if name not in CHECK_NAMES:
            problems.append(f"{rel}: coding.checks: unknown check '{name}' (known: {', '.join(CHECK_NAMES)})")
    for i, m in enumerate(q.coding.mistakes):
        if m.caught_by not in checks:
            problems.append(f"{rel}: coding.mistakes.{i}.caught_by: '{m.caught_by}' is not among this "
                            "question's checks")
    for i, h in enumerate(q.coding.hints):
        if unknown := [c for c in h.checks if c not in checks]:
            problems.append(f"{rel}: coding.hints.{i}.checks: {', '.join(unknown)} not among this question's checks")
    ids = [c.id for c in q.coding.cases]
    if len(ids) != len(set(ids)):
        problems.append(f"{rel}: coding.cases: case ids are not unique")


def load_bank(root: Path | None = None) -> Bank:
    """Load and validate the whole bank; raise BankError listing every problem found."""
    root = root or paths.root()
    paths.require(root)
    qdir = root / "questions"
    problems: list[str] = []
    topics: list[Topic] = []
    cache = YamlCache(root)
    raw = _read_yaml(qdir / "topics.yaml", "questions/topics.yaml", problems, cache)
    if raw is not None:
        try:
            topics = TopicsFile.model_validate(raw).topics
        except ValidationError as err:
            problems.extend(_format_errors("questions/topics.yaml", err))
    topic_ids = {t.id for t in topics}
    order = {t.id: i for i, t in enumerate(topics)}
    bank = Bank(root=root, topics=topics)
    for path in sorted(qdir.glob("*/*.yaml")):
        rel = path.relative_to(root).as_posix()
        data = _read_yaml(path, rel, problems, cache)
        if data is None:
            if not problems or not problems[-1].startswith(rel):
                problems.append(f"{rel}: (top): empty file")
            continue
        try:
            q = QUESTION_ADAPTER.validate_python(data)
        except ValidationError as err:
            problems.extend(_format_errors(rel, err))
            continue
        if path.stem != q.id:
            problems.append(f"{rel}: id: '{q.id}' does not match the file name '{path.stem}.yaml'")
        if path.parent.name != q.topic:
            problems.append(f"{rel}: topic: '{q.topic}' does not match the folder '{path.parent.name}'")
        if topics and q.topic not in topic_ids:
            problems.append(f"{rel}: topic: unknown topic '{q.topic}' (not in questions/topics.yaml)")
        if q.id in bank.files:
            problems.append(f"{rel}: id: duplicate id '{q.id}' (also in {bank.files[q.id]})")
            continue
        if isinstance(q, CodingQuestion):
            _check_coding(q, rel, root, problems)
        bank.files[q.id] = path.relative_to(root)
        bank.questions.append(q)
    cache.save()
    if problems:
        raise BankError(problems)
    bank.questions.sort(key=lambda q: order.get(q.topic, len(order)))
    return bank
