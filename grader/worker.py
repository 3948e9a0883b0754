"""Subprocess entry: grade one or more files for one question, streaming JSON lines to a results file.

Run as `python -m grader.worker JOB.json`. The parent (grader.sandbox) never imports candidate code;
this process does, after the trusted part (cases, oracle, baseline, known mistakes) is computed.
"""

from __future__ import annotations

import json
import math
import sys
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
import yaml

from .bank import Loader
from .checks import CHECK_NAMES
from .checks.library import CHECKS, CheckResult, Context
from .engine import (
    BadOutput,
    CandidateError,
    Impl,
    Prepared,
    Raised,
    Spy,
    WeightError,
    dtype_of,
    expected_outputs,
    leaves_close,
    load_mistakes,
    materialise,
    max_abs,
    round_trip,
    trim_trace,
)
from .loader import InvalidCandidate, entry_point, load_file, load_source
from .schema import QUESTION_ADAPTER, CodingQuestion


@dataclass
class Plan:
    """The trusted half of grading: prepared cases with oracle, baseline and mistakes' outputs."""

    question: CodingQuestion
    reference: Impl
    dtype: torch.dtype
    device: str
    seed: int
    cases: list[Prepared]
    raise_cases: list[Prepared]
    large: list[Prepared]
    properties: Any = None  # the question's properties module (trusted code), if any


def large_factor(dtype: torch.dtype) -> float:
    """How much to scale an input so that the largest logits pass exp's overflow point in `dtype`.

    Half precision uses float32's point: careful code upcasts before the softmax, and its mistakes (a
    missing max subtraction in float32) must still overflow."""
    return 0.6 * math.log(max(torch.finfo(dtype).max, torch.finfo(torch.float32).max))


def _large_cases(q: CodingQuestion, cases: list[Prepared], dtype: torch.dtype, device: str) -> list[Prepared]:
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


def build_plan(question: CodingQuestion, sol_dir: Path, dtype_name: str, device: str, seed: int) -> Plan:
    """Materialise every case and compute the oracle, the baseline and each mistake's outputs."""
    dtype = dtype_of(dtype_name)
    # the oracle: oracle.py when the reference cannot run in float64 (a Triton kernel), else the reference
    oracle = sol_dir / "oracle.py" if (sol_dir / "oracle.py").is_file() else sol_dir / "reference.py"
    ref_obj = getattr(load_file(oracle), question.coding.entry_point)
    ref = Impl(ref_obj)
    cases: list[Prepared] = []
    raise_cases: list[Prepared] = []
    for i, case in enumerate(question.coding.cases):
        if case.dtypes is not None and dtype_name not in case.dtypes:
            continue
        prep = materialise(question, case, i, seed, ref_obj, dtype, device)
        if case.raises:
            raise_cases.append(prep)
        else:
            expected_outputs(ref, prep, dtype, device)
            cases.append(prep)
    large = _large_cases(question, cases, dtype, device)
    for prep in large:
        expected_outputs(ref, prep, dtype, device)
    for mid, fn in load_mistakes(question, sol_dir).items():
        for prep in cases + large + raise_cases:
            prep.mistakes[mid] = _probe(Impl(fn), prep, dtype, device)
    props = sol_dir / "properties.py"
    return Plan(question, ref, dtype, device, seed, cases, raise_cases, large,
                load_file(props) if props.is_file() else None)


def _probe(impl: Impl, prep: Prepared, dtype: torch.dtype, device: str) -> list[Any] | str:
    try:
        leaves = impl.run(prep, prep.inputs, dtype, device)
        return [Raised("nothing")] if prep.case.raises else leaves
    except Exception as exc:  # a mistake may raise; record what it raised
        return [Raised(type(exc).__name__)] if prep.case.raises else f"{type(exc).__name__}: {exc}"


def _distance(got: list[Any], theirs: list[Any] | str, prep: Prepared) -> float:
    """How far the candidate's leaves are from a mistake's on one probe, in tolerances (inf: no match)."""
    if isinstance(theirs, str) or len(got) != len(theirs):
        return math.inf
    total = 0.0
    for g, t, e, tol in zip(got, theirs, prep.golden or theirs, prep.tols or [0.0] * len(theirs)):
        g = g.detach() if isinstance(g, torch.Tensor) else g
        tol_m = 0.0
        if isinstance(t, torch.Tensor) and t.is_floating_point() and isinstance(e, torch.Tensor):
            # the mistake's own rounding error grows with its magnitude relative to the oracle's
            mag = float(t[torch.isfinite(t)].abs().max()) if torch.isfinite(t).any() else 1.0
            ref = float(e[torch.isfinite(e)].abs().max()) if torch.isfinite(e).any() else 1.0
            tol_m = max(4 * tol * max(1.0, mag / max(ref, 1e-12)) if tol else 0.0, 1e-6 * mag)
        if not leaves_close(g, t, tol_m):
            return math.inf
        if isinstance(t, torch.Tensor) and t.is_floating_point():
            total += max_abs(g, t) / (tol_m or 1.0)
    return total


def diagnose(plan: Plan, ctx: Context, failed: set[str]) -> str | None:
    """The known mistake the candidate behaves like on every probe, among those its failures point to.

    Every value case must match; large-logit and raise probes count only where the candidate got to them
    (grading stops after a wrong output shape).
    """
    best: tuple[float, str] | None = None
    value_ids = {p.case.id for p in plan.cases}
    for m in plan.question.coding.mistakes:
        if m.caught_by not in failed:
            continue
        score = 0.0
        for prep in plan.cases + plan.large + plan.raise_cases:
            got = ctx.outputs.get(prep.case.id)
            if got is None and prep.case.id not in value_ids:
                continue
            score += math.inf if got is None else _distance(got, prep.mistakes.get(m.id, ""), prep)
            if score == math.inf:
                break
        if score < math.inf and (best is None or score < best[0]):
            best = (score, m.id)
    return best[1] if best else None


def grade_file(plan: Plan, path: Path, emit) -> dict[str, Any]:
    """Grade one file against the plan, emitting each check result; returns the verdict dict."""
    q = plan.question
    files = {str(path)}
    verdict: dict[str, Any] = {"question": q.id, "file": str(path), "passed": False, "status": "invalid",
                               "checks": [], "diagnosis": None, "diagnosis_text": None, "error": None}

    def record(result: CheckResult) -> None:
        verdict["checks"].append(result.as_dict())
        emit({"type": "check", "file": str(path), **result.as_dict()})

    try:
        module = load_source(path.read_text(encoding="utf-8"), str(path))
        obj = entry_point(module, q)
    except SyntaxError as exc:
        record(CheckResult("signature", False, f"syntax error: {exc.msg} (line {exc.lineno})"))
        verdict["error"] = trim_trace(exc, files)
        return verdict
    except InvalidCandidate as exc:
        record(CheckResult("signature", False, str(exc)))
        return verdict
    except SystemExit as exc:
        record(CheckResult("signature", False, f"the file called sys.exit({exc.code!r}) while being imported"))
        return verdict
    except Exception as exc:
        record(CheckResult("signature", False, f"importing the file raised {type(exc).__name__}: {exc}"))
        verdict["error"] = trim_trace(exc, files)
        return verdict
    record(CheckResult("signature", True, f"`{q.coding.signature}` found"))

    spy = Spy(q.coding.forbidden, files, aten=bool(q.coding.forbidden) or "memory" in q.coding.check_params)
    ctx = Context(q, Impl(obj, spy.call), plan.reference, spy, plan.dtype, plan.device, plan.seed,
                  plan.cases, plan.raise_cases, plan.large, properties_module=plan.properties)
    params = q.coding.check_params
    verdict["status"] = "passed"
    for name in CHECK_NAMES:
        if name == "signature" or (name not in params and name not in ("output_shape", "values")):
            continue
        try:
            result = CHECKS[name](ctx, params.get(name, {}))
        except CandidateError as err:
            record(CheckResult(name, False, f"raised {err}"))
            verdict.update(status="error", error=err.trace)
            break
        except WeightError as exc:
            record(CheckResult(name, False, str(exc)))
            verdict["status"] = "invalid"
            break
        except BadOutput as exc:
            result = CheckResult(name, False, str(exc))
        except Exception as exc:  # a bug in the grader itself: say so, never blame the candidate
            record(CheckResult(name, False, f"internal error in the grader ({type(exc).__name__}: {exc}); "
                               "please report it with this file"))
            verdict.update(status="error", error=traceback.format_exc())
            break
        record(result)
        if result.passed is False:
            verdict["status"] = "failed"
            if name == "output_shape":
                break
    verdict["passed"] = verdict["status"] == "passed"
    if verdict["status"] == "failed":
        failed = {c["name"] for c in verdict["checks"] if c["passed"] is False}
        # a check may name the mistake it observed (properties of random outputs); that wins over matching
        known = {m.id: m.caught_by for m in q.coding.mistakes}
        named = [c["details"].get("mistake") for c in verdict["checks"] if c["passed"] is False
                 and known.get(c["details"].get("mistake")) == c["name"]]
        verdict["diagnosis"] = named[0] if named else diagnose(plan, ctx, failed)
        mistake = next((m for m in q.coding.mistakes if m.id == verdict["diagnosis"]), None)
        if mistake:
            verdict["diagnosis_text"] = {"title": mistake.title.model_dump(),
                                         "explanation": mistake.explanation.model_dump()}
    return verdict


def load_question(path: Path) -> CodingQuestion:
    with path.open(encoding="utf-8") as fh:
        q = QUESTION_ADAPTER.validate_python(yaml.load(fh, Loader=Loader))
    assert isinstance(q, CodingQuestion)
    return q


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    out = open(job["results"], "a", encoding="utf-8")  # noqa: SIM115 - kept open for the process lifetime

    def emit(event: dict[str, Any]) -> None:
        out.write(json.dumps(event, default=str) + "\n")
        out.flush()

    question = load_question(Path(job["question_file"]))
    torch.set_num_threads(1)  # tiny tensors: threads cost more than they give, and graders run side by side
    torch.backends.cuda.matmul.allow_tf32 = bool(job.get("tf32"))
    torch.backends.cudnn.allow_tf32 = bool(job.get("tf32"))
    plan = build_plan(question, Path(job["solutions"]), job["dtype"], job["device"], int(job["seed"]))
    emit({"type": "ready", "time": time.time()})
    for file in job["files"]:
        emit({"type": "start", "file": file, "time": time.time()})
        verdict = grade_file(plan, Path(file), emit)
        emit({"type": "verdict", **verdict})
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
