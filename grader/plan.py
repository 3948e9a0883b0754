"""Preparation, the trusted half of grading: every case materialised with its float64 oracle, the reference's
same-dtype baseline and the tolerances, before any candidate code is imported.

Known mistakes are loaded and run only when a diagnosis needs them (a passing candidate never does).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
import yaml

from .inputs import DTYPES, cast, make_args
from .invoke import Impl, Raised, Script, Step
from .loader import load_file, load_source, mistake_source
from .schema import QUESTION_ADAPTER, Case, CodingQuestion
from .tolerance import tf32_floor, tolerance


@dataclass
class Prepared:
    """One case, materialised: inputs in the grading dtype, the oracle, the baseline and mistakes."""

    case: Case
    seed: int
    master: Any            # float64 args (dict) or list of step arg dicts
    init: dict[str, Any] | None
    weights: dict[str, torch.Tensor] | None
    inputs: Any            # master rounded to the grading dtype, on the device
    golden_inputs: Any     # the rounded inputs upcast to float64
    golden: list[Any] = field(default_factory=list)
    baseline: list[Any] = field(default_factory=list)
    tols: list[float] = field(default_factory=list)
    mistakes: dict[str, list[Any] | str] = field(default_factory=dict)  # leaves, or an error string
    label: str = ""        # how a derived case was made (e.g. "q x 31")

    @property
    def is_script(self) -> bool:
        return self.case.steps is not None

    @property
    def script(self) -> Script:
        """How to call an implementation on this case (what a candidate's process is sent: no expected output)."""
        steps = None if self.case.steps is None else tuple(
            Step(s.call, s.get, s.raises is not None) for s in self.case.steps)
        return Script(self.case.id, self.init, self.weights, steps)

    def dims(self) -> str:
        """The shapes of the tensor arguments, for messages."""
        if self.is_script:
            return f"{len(self.case.steps)} scripted steps"
        shapes = [f"{k}{list(v.shape)}" for k, v in self.master.items() if isinstance(v, torch.Tensor)]
        shapes += [f"{k}[{', '.join(str(list(t.shape)) for t in v)}]" for k, v in self.master.items()
                   if isinstance(v, list) and v and all(isinstance(t, torch.Tensor) for t in v)]
        return ", ".join(shapes)


def _map_args(master: Any, fn) -> Any:
    if isinstance(master, list):
        return [{k: fn(v) for k, v in step.items()} for step in master]
    return {k: fn(v) for k, v in master.items()}


def round_trip(master: Any, dtype: torch.dtype, device: str) -> tuple[Any, Any]:
    """(inputs in dtype on device, the same rounded values in float64)."""
    inputs = _map_args(master, lambda v: cast(v, dtype, device))
    golden = _map_args(inputs, lambda v: cast(v, torch.float64, device))
    return inputs, golden


def case_seed(seed: int, index: int) -> int:
    return seed * 1000 + index


def materialise(question: CodingQuestion, case: Case, index: int, seed: int, ref_obj: Any,
                dtype: torch.dtype, device: str) -> Prepared:
    """Draw a case's arguments (and reference weights for modules) from its seed."""
    spec = question.coding
    dims = {**spec.dims, **case.dims}
    s = case_seed(seed, index)
    if case.steps is not None:
        master: Any = [make_args(step.args, dims, s + 7919 * (i + 1)) for i, step in enumerate(case.steps)]
    else:
        master = make_args(case.args or {}, dims, s)
    init = make_args(case.init, dims, s) if case.init is not None else None
    weights = None
    if init is not None and isinstance(ref_obj, type) and issubclass(ref_obj, torch.nn.Module):
        torch.manual_seed(s)
        weights = {k: v.detach().to(torch.float64) for k, v in ref_obj(**cast(init, torch.float32, "cpu"))
                   .state_dict().items()}
    inputs, golden_inputs = round_trip(master, dtype, device)
    if weights is not None:  # weights, like inputs, are rounded to the grading dtype first
        weights = {k: cast(cast(v, dtype, "cpu"), torch.float64, "cpu") for k, v in weights.items()}
    return Prepared(case, s, master, init, weights, inputs, golden_inputs)



def expected_outputs(ref: Impl, prep: Prepared, dtype: torch.dtype, device: str) -> None:
    """Fill the oracle (float64), the same-dtype baseline and the per-leaf tolerances."""
    prep.golden = ref.run(prep.script, prep.golden_inputs, torch.float64, device)
    # in float64 the baseline is the oracle itself (same inputs, same dtype): computed once
    prep.baseline = prep.golden if dtype == torch.float64 else ref.run(prep.script, prep.inputs, dtype, device)
    prep.tols = [tolerance(g, b, dtype) + tf32_floor(g, dtype, device) for g, b in zip(prep.golden, prep.baseline)]


def large_factor(dtype: torch.dtype) -> float:
    """How much to scale an input so that the largest logits pass exp's overflow point in `dtype`.

    Half precision uses float32's point: careful code upcasts before the softmax, and its mistakes (a
    missing max subtraction in float32) must still overflow."""
    return 0.6 * math.log(max(torch.finfo(dtype).max, torch.finfo(torch.float32).max))


def _large_cases(q: CodingQuestion, cases: list[Prepared], dtype: torch.dtype, device: str) -> list[Prepared]:
    """Variants of value cases with inputs scaled by `large_factor`, for `stable_large_logits`."""
    params = q.coding.check_params.get("stable_large_logits")
    if params is None:
        return []
    scale: dict[str, float] = params.get("scale", {"q": 1.0})
    chosen = params.get("cases")
    out = []
    for prep in cases:
        if prep.is_script or (chosen and prep.case.id not in chosen) or (not chosen and out):
            continue
        f = large_factor(dtype)
        master = {k: (v * f * scale[k] if k in scale else v) for k, v in prep.master.items()}
        inputs, golden_inputs = round_trip(master, dtype, device)
        label = ", ".join(f"{k} x {f * m:.3g}" for k, m in scale.items())
        out.append(replace(prep, case=prep.case.model_copy(update={"id": f"{prep.case.id}-large"}), master=master,
                           inputs=inputs, golden_inputs=golden_inputs, label=label, golden=[], baseline=[],
                           tols=[], mistakes={}))
    return out


@dataclass
class Plan:
    """A question prepared for grading in one dtype on one device: its cases with oracle, baseline and
    tolerances, the reference, and (loaded on first use) the known mistakes."""

    question: CodingQuestion
    sol_dir: Path
    reference: Impl
    dtype: torch.dtype
    device: str
    seed: int
    cases: list[Prepared]         # value cases (also the diagnosis probes)
    raise_cases: list[Prepared]   # invalid inputs that must raise
    large: list[Prepared]         # large-logit variants (probes too)
    properties: Any = None        # the question's properties module (trusted code), if any
    _mistakes: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def probes(self) -> list[Prepared]:
        """Every case a candidate's behaviour is compared with a mistake's on."""
        return self.cases + self.large + self.raise_cases

    def mistake_leaves(self, mistake_id: str, prep: Prepared) -> list[Any] | str:
        """What known mistake `mistake_id` outputs on `prep` (an error string if it raised), computed once."""
        if mistake_id not in prep.mistakes:
            if self._mistakes is None:
                self._mistakes = load_mistakes(self.question, self.sol_dir)
            prep.mistakes[mistake_id] = _probe(Impl(self._mistakes[mistake_id]), prep, self.dtype, self.device)
        return prep.mistakes[mistake_id]


def _probe(impl: Impl, prep: Prepared, dtype: torch.dtype, device: str) -> list[Any] | str:
    try:
        leaves = impl.run(prep.script, prep.inputs, dtype, device)
        return [Raised("nothing")] if prep.case.raises else leaves
    except Exception as exc:  # a mistake may raise; record what it raised
        return [Raised(type(exc).__name__)] if prep.case.raises else f"{type(exc).__name__}: {exc}"


def load_mistakes(question: CodingQuestion, sol_dir: Path) -> dict[str, Any]:
    """Each known mistake's entry point, by mistake id."""
    out = {}
    for m in question.coding.mistakes:
        module = load_source(mistake_source(question, m, sol_dir), str(sol_dir / f"mistake_{m.id}.py"))
        out[m.id] = getattr(module, question.coding.entry_point)
    return out


def build_plan(question: CodingQuestion, sol_dir: Path, dtype_name: str, device: str, seed: int,
               indices: set[int] | None = None) -> Plan:
    """Materialise every case of `question` allowed in `dtype_name` (only those at `indices`, with no
    large-logit variants, when given) and compute its oracle and baseline."""
    dtype = DTYPES[dtype_name]
    # the oracle: oracle.py when the reference cannot run in float64 (a Triton kernel), else the reference
    oracle = sol_dir / "oracle.py" if (sol_dir / "oracle.py").is_file() else sol_dir / "reference.py"
    ref_obj = getattr(load_file(oracle), question.coding.entry_point)
    ref = Impl(ref_obj)
    cases: list[Prepared] = []
    raise_cases: list[Prepared] = []
    for i, case in enumerate(question.coding.cases):
        if (case.dtypes is not None and dtype_name not in case.dtypes) or (indices is not None and i not in indices):
            continue
        prep = materialise(question, case, i, seed, ref_obj, dtype, device)
        if case.raises:
            raise_cases.append(prep)
        else:
            expected_outputs(ref, prep, dtype, device)
            cases.append(prep)
    large = _large_cases(question, cases, dtype, device) if indices is None else []
    for prep in large:
        expected_outputs(ref, prep, dtype, device)
    props = sol_dir / "properties.py"
    return Plan(question, sol_dir, ref, dtype, device, seed, cases, raise_cases, large,
                load_file(props) if props.is_file() else None)


def load_question(path: Path) -> CodingQuestion:
    """The coding question in one YAML file, validated."""
    from .bank import Loader  # the C loader where libyaml is present

    with path.open(encoding="utf-8") as fh:
        q = QUESTION_ADAPTER.validate_python(yaml.load(fh, Loader=Loader))
    if not isinstance(q, CodingQuestion):
        raise ValueError(f"{path} is a {q.kind} question, not a coding one")
    return q
