"""The check kinds behind the modern-attention questions fail wrong candidates with the right message and
pass right ones: group_structure (GQA), memory (flash and linear attention), properties driving a class
(the KV cache), values' atol (RoPE), and diagnosis of mistakes caught by output_shape."""

from __future__ import annotations

from conftest import ROOT, check_named, first_failure, grade_many


def solution(qid: str, name: str = "reference.py") -> str:
    return (ROOT / "solutions" / qid / name).read_text(encoding="utf-8")


def patched(qid: str, old: str, new: str) -> str:
    source = solution(qid)
    assert source.count(old) == 1, old
    return source.replace(old, new)


def test_group_structure(bank, write):
    tiled = write("tiled.py", patched("grouped-query-attention", "k = k.repeat_interleave(group, dim=1)",
                                      "k = k.repeat(1, group, 1, 1)").replace(
        "v = v.repeat_interleave(group, dim=1)", "v = v.repeat(1, group, 1, 1)"))
    # a different, correct spelling: index the kv head of every query head explicitly
    gather = write("gather.py", patched("grouped-query-attention", "k = k.repeat_interleave(group, dim=1)",
                                        "k = k[:, torch.arange(hq, device=k.device) // group]").replace(
        "v = v.repeat_interleave(group, dim=1)", "v = v[:, torch.arange(hq, device=v.device) // group]"))
    right, wrong, other = grade_many(bank, "grouped-query-attention",
                                     [ROOT / "solutions/grouped-query-attention/reference.py", tiled, gather])

    assert right["passed"] and check_named(right, "group_structure")["passed"] is True
    assert other["passed"], other["checks"]

    res = check_named(wrong, "group_structure")
    assert res["passed"] is False
    assert "perturbing key/value head 0 of 2 changed query heads [0, 2, 4]" in res["message"]
    assert "should change exactly [0, 1, 2]" in res["message"] and "h // 3" in res["message"]
    assert res["details"]["changed"] == [0, 2, 4] and res["details"]["expected"] == [0, 1, 2]
    assert wrong["diagnosis"] == "tiled-heads"


def test_memory_names_the_op_and_shape(bank, write):
    flash_ok, flash_full = grade_many(bank, "flash-attention", [
        ROOT / "solutions/flash-attention/reference.py", ROOT / "solutions/flash-attention/mistake_full_scores.py"])
    assert flash_ok["passed"] and check_named(flash_ok, "memory")["passed"] is True
    assert first_failure(flash_full) == "memory"
    msg = check_named(flash_full, "memory")["message"]
    # long-keys: B=1, H=2, Lq=32, Lk=256 -> the batched matmul's [B*H, Lq, Lk] output
    assert "aten.bmm created a tensor of shape [2, 32, 256]" in msg and "16384 elements" in msg
    assert flash_full["diagnosis"] == "full-score-matrix"

    lin_ok, lin_quad = grade_many(bank, "linear-attention", [
        ROOT / "solutions/linear-attention/reference.py", ROOT / "solutions/linear-attention/mistake_quadratic.py"])
    assert lin_ok["passed"] and check_named(lin_ok, "memory")["passed"] is True
    assert first_failure(lin_quad) == "memory"
    assert "aten.bmm created a tensor of shape [2, 128, 128]" in check_named(lin_quad, "memory")["message"]
    assert lin_quad["diagnosis"] == "quadratic-form"


def test_properties_drive_a_class(bank, write):
    holey = write("holey.py", patched("kv-cache", "start, end = self._length, self._length + t",
                                      "start, end = max(self._length - 1, 0), self._length + t"))
    raising = write("raising.py", patched("kv-cache", "    def append(self, k, v):\n",
                                          "    def append(self, k, v):\n        if k.shape[-2] == 3:\n"
                                          "            raise IndexError('no chunks of three')\n"))
    ok, bad, err = grade_many(bank, "kv-cache", [ROOT / "solutions/kv-cache/reference.py", holey, raising])
    assert ok["passed"] and check_named(ok, "properties")["passed"] is True
    prop = check_named(bad, "properties")
    assert prop["passed"] is False and "differs from the full causal forward" in prop["message"]
    assert bad["diagnosis"] == "writes-at-last-index"
    # a candidate raising inside append is the candidate's error, not the grader's
    assert err["status"] == "error" and "internal error" not in str(err["checks"])


def test_output_shape_mistakes_are_diagnosed(bank, write):
    stale = write("stale.py", patched("kv-cache", "return self.k[:, :, :end], self.v[:, :, :end]",
                                      "return self.k, self.v"))
    (v,) = grade_many(bank, "kv-cache", [stale])
    assert first_failure(v) == "output_shape" and v["diagnosis"] == "returns-stale-slots"


def test_values_atol_accepts_float32_angles_but_not_half(bank, write):
    # a correct float32 RoPE whose angle rounding differs from the reference's (1 / base^(2i/D))
    hf = write("hf.py", solution("rope", "alt_rotate_half.py"))
    half = write("half.py", patched("rope", "angles = positions.to(work)[:, None] * inv_freq[None, :]",
                                    "angles = (positions.to(torch.float16)[:, None] * inv_freq.to(torch.float16)"
                                    "[None, :]).to(work)"))
    ok, bad = grade_many(bank, "rope", [hf, half], dtype="float32")
    assert ok["passed"], ok["checks"]
    assert first_failure(bad) == "values" and bad["diagnosis"] == "half-precision-angles"
