"""The grader survives whatever a candidate does, and reports each failure mode as such."""

from __future__ import annotations

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


def test_failure_modes_each_get_their_own_status(bank, write):
    files = {
        "raises": write("raises.py", """
            def helper(q):
                raise RuntimeError("boom from the candidate")
            def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
                return helper(q)
            """),
        "loops": write("loops.py", """
            def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
                while True:
                    pass
            """),
        "segfault": write("segfault.py", """
            import os
            def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
                os.kill(os.getpid(), 11)
            """),
        "exit_call": write("exit_call.py", """
            import sys
            def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
                sys.exit(3)
            """),
        "os_exit": write("os_exit.py", """
            import os
            def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
                os._exit(0)
            """),
        "prints": write("prints.py", GOOD.replace("    return (w", "    print('x' * 1_000_000)\n    return (w")),
        "good": write("good.py", GOOD),
        "tuple": write("tuple.py", GOOD.replace("return (w / torch.where(d > 0, d, 1.0)) @ v",
                                              "return (w / torch.where(d > 0, d, 1.0)) @ v, w")),
        "numpy": write("numpy.py", GOOD.replace("return (w / torch.where(d > 0, d, 1.0)) @ v",
                                              "return ((w / torch.where(d > 0, d, 1.0)) @ v).numpy()")),
        "mutates": write("mutates.py", GOOD.replace(
            "    return (w / torch.where(d > 0, d, 1.0)) @ v",
            "    out = (w / torch.where(d > 0, d, 1.0)) @ v\n    k.zero_()\n    return out")),
        "syntax": write("syntax.py", "def scaled_dot_product_attention(q, k, v, mask=None, scale=None)\n"
                                     "    return q\n"),
        "missing": write("missing.py", "def sdpa(q, k, v):\n    return q\n"),
        "signature": write("signature.py", "def scaled_dot_product_attention(query, key, value):\n    return query\n"),
    }
    v = dict(zip(files, grade_many(bank, "sdpa", list(files.values()), timeout=4)))

    assert v["raises"]["status"] == "error"
    assert "boom from the candidate" in v["raises"]["error"]
    assert "helper" in v["raises"]["error"] and "grader/" not in v["raises"]["error"]  # own frames only

    assert v["loops"]["status"] == "timeout"
    assert "did not finish within 4 s" in check_named(v["loops"], "run")["message"]
    assert check_named(v["loops"], "signature")["passed"] is True  # partial progress is kept

    assert v["segfault"]["status"] == "crashed"
    assert "SIGSEGV" in check_named(v["segfault"], "run")["message"]

    assert v["exit_call"]["status"] == "error"
    assert "sys.exit(3)" in v["exit_call"]["error"]

    assert v["os_exit"]["status"] == "crashed"
    assert "exited with code 0" in check_named(v["os_exit"], "run")["message"]

    assert v["prints"]["status"] == "passed"  # output is captured, not parsed
    assert v["good"]["status"] == "passed"

    assert v["tuple"]["status"] == "failed" and first_failure(v["tuple"]) == "output_shape"
    assert "Tensor[2, 3, 5, 6], Tensor[2, 3, 5, 7]" in check_named(v["tuple"], "output_shape")["message"]

    assert first_failure(v["numpy"]) == "output_shape"
    assert "numpy" in check_named(v["numpy"], "output_shape")["message"]

    assert v["mutates"]["status"] == "failed"
    assert check_named(v["mutates"], "values")["passed"] is True  # each call gets copies of the inputs
    assert check_named(v["mutates"], "inputs_not_mutated")["passed"] is False
    assert "`k` was modified in place" in check_named(v["mutates"], "inputs_not_mutated")["message"]

    assert v["syntax"]["status"] == "invalid" and "syntax error" in v["syntax"]["checks"][0]["message"]
    assert v["missing"]["status"] == "invalid"
    assert "no `scaled_dot_product_attention`" in v["missing"]["checks"][0]["message"]
    assert "it defines: sdpa" in v["missing"]["checks"][0]["message"]
    assert v["signature"]["status"] == "invalid"
    assert "(query, key, value)" in v["signature"]["checks"][0]["message"]


def test_import_time_failures_are_invalid(bank, write):
    files = [write("imp_raise.py", "raise ImportError('no such thing')\n"),
             write("imp_exit.py", "import sys\nsys.exit(1)\n")]
    raised, exited = grade_many(bank, "sdpa", files)
    assert raised["status"] == "invalid" and "ImportError" in raised["checks"][0]["message"]
    assert exited["status"] == "invalid" and "sys.exit(1)" in exited["checks"][0]["message"]
