"""Each check kind fails a candidate with the bug it exists for, with a message that teaches."""

from __future__ import annotations

import textwrap

import pytest
from conftest import check_named, first_failure, grade_many

SDPA = (__import__("pathlib").Path(__file__).resolve().parent.parent / "solutions/sdpa/reference.py").read_text()


def variant(old: str, new: str) -> str:
    assert old in SDPA, old
    return SDPA.replace(old, new)


def _sources() -> dict[str, str]:
    return {
        "detached": variant("return weights @ v", "return (weights @ v).detach()"),
        "batch_leak": variant("return weights @ v", "return weights @ v + 0.01 * (weights @ v).roll(1, 0)"),
        "leaky_mask": variant("row_max = scores.amax", "scores = scores.clamp(min=-1e4)\n    row_max = scores.amax"),
        "query_axis": variant("weights.sum(dim=-1, ", "weights.sum(dim=-2, ").replace("scores.amax(dim=-1, ",
                                                                                      "scores.amax(dim=-2, "),
        "torch_sdpa": textwrap.dedent("""
            import torch.nn.functional as F
            def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
                return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=scale)
            """),
        "aten_sdpa": textwrap.dedent("""
            import torch
            def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
                return torch.ops.aten.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=scale)
            """),
        "no_max": variant("weights = torch.exp(scores - row_max)", "weights = torch.exp(scores - 0.0)"),
    }


@pytest.fixture(scope="module")
def sdpa_graded(bank, tmp_path_factory) -> dict:
    """Each sdpa variant graded once, in one worker."""
    tmp = tmp_path_factory.mktemp("sdpa-kinds")
    paths = []
    for name, source in _sources().items():
        paths.append(tmp / f"{name}.py")
        paths[-1].write_text(source, encoding="utf-8")
    return dict(zip(_sources(), grade_many(bank, "sdpa", paths)))


def test_detached_output_fails_gradients(sdpa_graded) -> None:
    v = sdpa_graded["detached"]
    assert first_failure(v) == "gradients"
    assert "not differentiable" in check_named(v, "gradients")["message"]


def test_batch_leak_fails_batch_independent(sdpa_graded) -> None:
    leak = check_named(sdpa_graded["batch_leak"], "batch_independent")
    assert leak["passed"] is False and "changing batch item 1 changed the output of batch item 0" in leak["message"]


def test_finite_clamp_leaks_masked_keys(sdpa_graded) -> None:
    # a finite clamp lets masked keys get a tiny weight: only the perturbation check sees it
    leaky = check_named(sdpa_graded["leaky_mask"], "masked_keys_ignored")
    assert leaky["passed"] is False and "may not attend to any of them" in leaky["message"]
    assert leaky["details"]["expected_grid"] and leaky["details"]["actual_grid"]


def test_softmax_over_queries_is_diagnosed(sdpa_graded) -> None:
    v = sdpa_graded["query_axis"]
    assert check_named(v, "values")["passed"] is False
    assert v["diagnosis"] == "softmax-query-axis"


@pytest.mark.parametrize("name", ["torch_sdpa", "aten_sdpa"])
def test_pytorch_sdpa_is_forbidden_however_it_is_called(sdpa_graded, name: str) -> None:
    assert check_named(sdpa_graded[name], "values")["passed"] is True
    forbidden = check_named(sdpa_graded[name], "forbidden_ops")
    assert forbidden["passed"] is False and "scaled_dot_product" in forbidden["message"]


def test_missing_max_subtraction_fails_large_logits(sdpa_graded) -> None:
    v = sdpa_graded["no_max"]
    assert first_failure(v) == "stable_large_logits"
    assert v["diagnosis"] == "no-max-subtraction"


def test_mha_forbids_nn_multihead_attention(bank, write):
    path = write("uses_mha.py", """
        import torch
        def multi_head_attention(x_q, x_kv, w_q, w_k, w_v, w_o, num_heads, b_q=None, b_k=None, b_v=None,
                                 b_o=None, mask=None):
            e = x_q.shape[-1]
            mha = torch.nn.MultiheadAttention(e, num_heads, batch_first=True, bias=False).to(x_q.dtype)
            with torch.no_grad():
                mha.in_proj_weight.copy_(torch.cat([w_q, w_k, w_v]))
                mha.out_proj.weight.copy_(w_o)
            return mha(x_q, x_kv, x_kv, need_weights=False)[0]
        """)
    (verdict,) = grade_many(bank, "multi-head-attention", [path])
    forbidden = check_named(verdict, "forbidden_ops")
    assert forbidden["passed"] is False and "multi_head_attention" in forbidden["message"]


def test_causal_failure_draws_both_patterns(bank, write):
    src = (bank.root / "solutions/causal-attention/reference.py").read_text()
    path = write("leak.py", src.replace("tril(diagonal=lk - lq)", "tril(diagonal=lk - lq + 1)"))
    (verdict,) = grade_many(bank, "causal-attention", [path])
    c = check_named(verdict, "causal_future_ignored")
    assert c["passed"] is False
    expected, actual = c["details"]["expected_grid"], c["details"]["actual_grid"]
    assert expected != actual and len(expected) == len(actual)
    # the leak: some query depends on the key right after its own position
    assert any(actual[i][j] and not expected[i][j] for i in range(len(expected)) for j in range(len(expected[0])))
    assert verdict["diagnosis"] == "future-leak"


def test_wrong_dtype_and_device_reported(bank, write):
    path = write("upcast.py", SDPA.replace("return weights @ v", "return (weights @ v).double()"))
    (verdict,) = grade_many(bank, "sdpa", [path])
    assert first_failure(verdict) == "dtype_device"
    assert "torch.float64" in check_named(verdict, "dtype_device")["message"]


def test_pytorch_tensor_subclass_masks_work_where_no_aten_spy_is_needed(bank, write):
    """PyTorch's own CausalBias cannot be built under a TorchDispatchMode; questions that forbid nothing
    and check no memory must not install one, so a correct answer that uses it passes."""
    path = write("lower_right.py", """
        import torch
        import torch.nn.functional as F
        from torch.nn.attention.bias import causal_lower_right

        def attention_with_sdpa(q, k, v, key_padding_mask=None, causal=False):
            lq, lk = q.shape[-2], k.shape[-2]
            keep = torch.ones(q.shape[0], 1, lq, lk, dtype=torch.bool, device=q.device)
            if key_padding_mask is not None:
                keep = keep & ~key_padding_mask[:, None, None, :]
            if causal:
                keep = keep & causal_lower_right(lq, lk)._materialize(q.device)
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
            return torch.where(keep.any(-1, keepdim=True), out, torch.zeros_like(out))
        """)
    (verdict,) = grade_many(bank, "sdpa-api-conventions", [path])
    assert verdict["status"] == "passed", verdict["checks"]


def test_speed_reports_out_of_memory_as_a_failure(monkeypatch):
    """Running out of GPU memory at the benchmark size is a result the candidate can act on, not a crash."""
    from types import SimpleNamespace

    import torch

    from grader import harness
    from grader.candidate import Candidate
    from grader.checks import cost

    def out_of_memory(fn):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 4.00 GiB. GPU 0 has 1 GiB free")

    monkeypatch.setattr(harness, "time_cuda", out_of_memory)
    drawn = cost.speed_args
    monkeypatch.setattr(cost, "speed_args", lambda specs, dims, seed, dtype, device: drawn(specs, dims, seed, dtype,
                                                                                          "cpu"))  # on the CPU
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    ctx = SimpleNamespace(device="cuda", dtype=torch.float32, seed=0, question=SimpleNamespace(coding=SimpleNamespace(
        dims={})), candidate=Candidate.local(lambda **a: None, set(), []))
    result = cost.speed(ctx, {"dims": {"B": 1, "L": 8}, "args": {"q": {"randn": ["B", "L"]}}}, None)
    assert result.passed is False and result.details == {"oom": True}
    assert result.message.startswith("q[1, 8]: ran out of GPU memory (CUDA out of memory)")
    assert "score matrix" in result.message
