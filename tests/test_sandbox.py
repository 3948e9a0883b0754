"""The grader survives whatever a candidate does, and reports each failure mode as such."""

from __future__ import annotations

import textwrap

import pytest
from conftest import check_named, first_failure, grade_many

GOOD = """
import math, torch
def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    s = q @ k.transpose(-2, -1) * (scale if scale is not None else 1 / math.sqrt(q.shape[-1]))
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else s + mask
    m = s.amax(-1, keepdim=True).detach()
    w = torch.exp(s - torch.where(torch.isfinite(m), m, 0.0))
    d = w.sum(-1, keepdim=True)
    return (w / torch.where(d > 0, d, 1.0)) @ v
"""


SOURCES = {
    "raises": ("raises.py", """
        def helper(q):
            raise RuntimeError("boom from the candidate")
        def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
            return helper(q)
        """),
    "loops": ("loops.py", """
        def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
            while True:
                pass
        """),
    "segfault": ("segfault.py", """
        import os
        def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
            os.kill(os.getpid(), 11)
        """),
    "exit_call": ("exit_call.py", """
        import sys
        def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
            sys.exit(3)
        """),
    "os_exit": ("os_exit.py", """
        import os
        def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
            os._exit(0)
        """),
    "prints": ("prints.py", GOOD.replace("    return (w", "    print('x' * 1_000_000)\n    return (w")),
    "good": ("good.py", GOOD),
    "memory": ("memory.py", """
        def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
            return bytearray(1 << 60)
        """),
    "tuple": ("tuple.py", GOOD.replace("return (w / torch.where(d > 0, d, 1.0)) @ v",
                                          "return (w / torch.where(d > 0, d, 1.0)) @ v, w")),
    "numpy": ("numpy.py", GOOD.replace("return (w / torch.where(d > 0, d, 1.0)) @ v",
                                          "return ((w / torch.where(d > 0, d, 1.0)) @ v).numpy()")),
    "mutates": ("mutates.py", GOOD.replace(
        "    return (w / torch.where(d > 0, d, 1.0)) @ v",
        "    out = (w / torch.where(d > 0, d, 1.0)) @ v\n    k.zero_()\n    return out")),
    "syntax": ("syntax.py", "def scaled_dot_product_attention(q, k, v, mask=None, scale=None)\n"
                                 "    return q\n"),
    "missing": ("missing.py", "def sdpa(q, k, v):\n    return q\n"),
    "signature": ("signature.py", "def scaled_dot_product_attention(query, key, value):\n    return query\n"),
}


def _raises(v):
    assert v["status"] == "error"
    assert "boom from the candidate" in v["error"]
    assert "helper" in v["error"] and "grader/" not in v["error"]  # own frames only


def _loops(v):
    assert v["status"] == "timeout"
    assert "did not finish within 4 s" in check_named(v, "run")["message"]
    assert check_named(v, "signature")["passed"] is True  # partial progress is kept


def _segfault(v):
    assert v["status"] == "crashed"
    assert "SIGSEGV" in check_named(v, "run")["message"]


def _exit_call(v):
    assert v["status"] == "error"
    assert "sys.exit(3)" in v["error"]


def _os_exit(v):
    assert v["status"] == "crashed"
    assert "exited with code 0" in check_named(v, "run")["message"]


def _memory(v):
    assert v["status"] == "memory" and "MemoryError" in v["error"]
    assert "ran out of memory" in check_named(v, "limits")["message"] and v["diagnosis"] is None


def _passes(v):
    assert v["status"] == "passed", v["checks"]  # printed output is captured, not parsed


def _tuple(v):
    assert v["status"] == "failed" and first_failure(v) == "output_shape"
    assert "Tensor[2, 3, 5, 6], Tensor[2, 3, 5, 7]" in check_named(v, "output_shape")["message"]


def _numpy(v):
    assert first_failure(v) == "output_shape"
    # an array is named as such; without NumPy installed, .numpy() itself raises and says so
    assert "numpy" in check_named(v, "output_shape")["message"].lower()


def _mutates(v):
    assert v["status"] == "failed"
    assert check_named(v, "values")["passed"] is True  # each call gets copies of the inputs
    assert check_named(v, "inputs_not_mutated")["passed"] is False
    assert "`k` was modified in place" in check_named(v, "inputs_not_mutated")["message"]


def _syntax(v):
    assert v["status"] == "invalid" and "syntax error" in v["checks"][0]["message"]


def _missing(v):
    assert v["status"] == "invalid"
    assert "no `scaled_dot_product_attention`" in v["checks"][0]["message"]
    assert "it defines: sdpa" in v["checks"][0]["message"]


def _signature(v):
    assert v["status"] == "invalid"
    assert "(query, key, value)" in v["checks"][0]["message"]


EXPECT = {"raises": _raises, "loops": _loops, "segfault": _segfault, "exit_call": _exit_call, "os_exit": _os_exit,
          "prints": _passes, "good": _passes, "memory": _memory, "tuple": _tuple, "numpy": _numpy, "mutates": _mutates,
          "syntax": _syntax, "missing": _missing, "signature": _signature}


@pytest.fixture(scope="module")
def graded(bank, tmp_path_factory) -> dict:
    """Every scenario graded once, in one sandboxed worker (a fresh one after each crash)."""
    tmp = tmp_path_factory.mktemp("failure-modes")
    paths = []
    for file_name, source in SOURCES.values():
        path = tmp / file_name
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        paths.append(path)
    return dict(zip(SOURCES, grade_many(bank, "sdpa", paths, timeout=4)))


@pytest.mark.parametrize("scenario", list(EXPECT))
def test_failure_modes_each_get_their_own_status(graded, scenario: str) -> None:
    EXPECT[scenario](graded[scenario])


def test_import_time_failures_are_invalid(bank, write):
    files = [write("imp_raise.py", "raise ImportError('no such thing')\n"),
             write("imp_exit.py", "import sys\nsys.exit(1)\n")]
    raised, exited = grade_many(bank, "sdpa", files)
    assert raised["status"] == "invalid" and "ImportError" in raised["checks"][0]["message"]
    assert exited["status"] == "invalid" and "sys.exit(1)" in exited["checks"][0]["message"]
