"""The spy: forbidden ops however they are spelled, the largest tensors, in-place mutation, error attribution."""

from __future__ import annotations

import sys

import pytest
import torch
import torch.nn.functional as F

from grader.invoke import CandidateError
from grader.spy import Spy


def _q():
    return {"q": torch.randn(1, 2, 4, 8), "k": torch.randn(1, 2, 4, 8), "v": torch.randn(1, 2, 4, 8)}


def test_forbidden_function_is_recorded_at_the_function_level() -> None:
    spy = Spy(["sdpa"], set(), aten=False)
    spy.call(lambda q, k, v: F.scaled_dot_product_attention(q, k, v), _q(), "case a")
    assert any("scaled_dot_product" in f for f in spy.record.forbidden)


def test_forbidden_aten_op_is_recorded_at_the_dispatch_level() -> None:
    spy = Spy(["sdpa"], set(), aten=True)
    spy.call(lambda q, k, v: torch.ops.aten.scaled_dot_product_attention(q, k, v), _q(), "case a")
    assert "torch.ops.aten.scaled_dot_product_attention" in spy.record.forbidden
    assert any(f.startswith("aten._scaled_dot_product") for f in spy.record.forbidden)  # the kernel it dispatched to
    no_aten = Spy(["sdpa"], set(), aten=False)
    no_aten.call(lambda q, k, v: torch.ops.aten.scaled_dot_product_attention(q, k, v), _q(), "case a")
    assert not any(f.startswith("aten.") for f in no_aten.record.forbidden)


def test_allowed_code_records_nothing_forbidden() -> None:
    spy = Spy(["sdpa", "mha"], set(), aten=True)
    spy.call(lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1), -1) @ v, _q(), "case a")
    assert spy.record.forbidden == []


def test_largest_tensors_keep_the_three_biggest() -> None:
    spy = Spy([], set(), aten=True)

    def fn(q, k, v):
        s = q @ k.transpose(-2, -1)        # [1, 2, 4, 4]: 32 elements
        big = torch.zeros(1, 2, 64, 64)    # 8192
        return (s.softmax(-1) @ v) + big.sum() * 0

    spy.call(fn, _q(), "case a")
    sizes = [n for n, _, _ in spy.record.largest]
    assert len(sizes) <= 3 and sizes == sorted(sizes, reverse=True) and sizes[0] == 8192
    assert spy.record.largest[0][2] == (1, 2, 64, 64)


def test_without_the_aten_spy_no_sizes_are_recorded() -> None:
    spy = Spy([], set(), aten=False)
    spy.call(lambda q, k, v: torch.zeros(100, 100), _q(), "case a")
    assert spy.record.largest == []


@pytest.mark.parametrize("mutate, name", [
    (lambda a: a["k"].zero_(), "k"),
    (lambda a: a["v"].mul_(2), "v"),
    (lambda a: a["extra"]["t"].add_(1), "extra"),        # inside a dict argument
    (lambda a: a["items"][1].fill_(3), "items"),         # inside a list argument
])
def test_in_place_mutation_is_recorded_and_the_caller_keeps_its_tensors(mutate, name) -> None:
    args = {**_q(), "extra": {"t": torch.zeros(2)}, "items": [torch.zeros(1), torch.zeros(2)]}
    before = {k: v.clone() for k, v in _q().items()}
    spy = Spy([], set(), aten=False)

    def fn(**a):
        mutate(a)
        return a["q"]

    original = {k: (v.clone() if isinstance(v, torch.Tensor) else v) for k, v in args.items()}
    spy.call(fn, args, "case a")
    assert spy.record.mutations == [f"argument `{name}` was modified in place (case a)"]
    assert torch.equal(args["k"], original["k"]) and torch.equal(args["v"], original["v"])
    assert before.keys() == {"q", "k", "v"}


def test_nan_inputs_left_alone_are_not_mutations() -> None:
    spy = Spy([], set(), aten=False)
    spy.call(lambda x: x + 1, {"x": torch.tensor([float("nan"), 1.0])}, "case a")
    assert spy.record.mutations == []


def test_candidate_errors_keep_only_the_candidates_frames(tmp_path) -> None:
    from grader.loader import load_source

    path = str(tmp_path / "cand.py")
    module = load_source("def helper(x):\n    raise KeyError('boom')\ndef f(x):\n    return helper(x)\n", path)
    spy = Spy([], {path}, aten=False)
    with pytest.raises(CandidateError) as err:
        spy.call(module.f, {"x": torch.zeros(1)}, "case a")
    assert "KeyError: 'boom'" in err.value.trace and "helper" in err.value.trace
    assert "spy.py" not in err.value.trace and str(err.value) == "KeyError: 'boom'"


def test_sys_exit_in_the_candidate_is_a_candidate_error() -> None:
    spy = Spy([], set(), aten=False)
    with pytest.raises(CandidateError, match="SystemExit"):
        spy.call(lambda: sys.exit(4), {}, "case a")


def test_a_candidate_error_carries_its_exception_and_a_traceback_of_the_candidates_frames(tmp_path) -> None:
    import traceback

    from grader.loader import load_source

    path = str(tmp_path / "cand.py")
    source = ("def helper(x):\n    err = ValueError('boom')\n    err.add_note('while scoring')\n    raise err\n"
              "def f(x):\n    return helper(x)\n")
    spy = Spy([], {path}, aten=False)
    with pytest.raises(CandidateError) as err:
        spy.call(load_source(source, path).f, {"x": torch.zeros(1)}, "case a")
    # the candidate's own exception, by type, message and classes (what crosses from the candidate's process)
    assert (err.value.name, err.value.message) == ("ValueError", "boom")
    assert err.value.lineage == ("ValueError", "Exception", "BaseException", "object")
    # the trace is Python's own traceback with every frame outside the candidate's file left out
    full = "".join(traceback.format_exception(err.value.__cause__ or err.value.__context__)).splitlines()
    trace = err.value.trace.splitlines()
    assert [line for line in full if line in trace] == trace
    assert [line.split(",")[0] for line in trace if line.startswith("  File")] == [f'  File "{path}"'] * 2
    assert trace[-2:] == ["ValueError: boom", "while scoring"] and err.value.trace.endswith("\n")


def test_sys_exit_keeps_its_code() -> None:
    spy = Spy([], set(), aten=False)
    with pytest.raises(CandidateError) as err:
        spy.call(lambda: sys.exit(4), {}, "case a")
    assert (err.value.name, err.value.message) == ("SystemExit", "4")
    assert err.value.trace == "the candidate called sys.exit(4)\n"
