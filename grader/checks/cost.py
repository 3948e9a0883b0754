"""Cost: operations the question forbids, intermediates as large as the score matrix, and (on CUDA) time and
peak memory against PyTorch's own kernel."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from ..harness import time_cuda
from ..inputs import cast, make_args, resolve, shape_of
from ..outcome import CheckResult
from ..schema import Case
from ..schema_inputs import Randn
from .base import Context, Outputs, Params, check, fail, ok, skip, where


@check("forbidden_ops")
def forbidden_ops(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    groups = ctx.question.coding.forbidden
    if not groups:
        return skip("forbidden_ops", "this question forbids nothing")
    used = ctx.candidate.record().forbidden
    if used:
        return fail("forbidden_ops", f"uses {', '.join(used)}, which this question forbids: implement it yourself")
    return ok("forbidden_ops", f"none of the forbidden operations ({', '.join(groups)}) was used")


@check("memory")
def memory(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    """No tensor with `limit` or more elements per `per` (e.g. Lq*Lk per batch-head) is created."""
    preps = ctx.arg_cases(params)
    for prep in preps:
        dims = {**ctx.question.coding.dims, **prep.case.dims}
        limit = resolve(params.get("limit", "Lq * Lk"), dims) * resolve(params.get("per", "B * H"), dims)
        ctx.candidate.clear_largest()
        ctx.run(prep, prep.inputs)
        for numel, op, shape in ctx.candidate.record().largest:
            if numel >= limit:
                return fail("memory", f"{where(prep, ctx.seed)}: {op} created a tensor of shape {list(shape)} "
                            f"({numel} elements, the limit is below {limit}: as large as the whole score matrix). "
                            "Process keys block by block and keep only running statistics.")
    return ok("memory", f"{len(preps)} case(s): no intermediate as large as the score matrix")



def _against(name: str):
    """PyTorch's own kernel that a speed check compares with, by name."""

    kernels = {
        "sdpa": lambda a: F.scaled_dot_product_attention(a["q"], a["k"], a["v"]),
        "sdpa_causal": lambda a: F.scaled_dot_product_attention(a["q"], a["k"], a["v"], is_causal=True),
        "sdpa_gqa": lambda a: F.scaled_dot_product_attention(a["q"], a["k"], a["v"], enable_gqa=True),
    }
    return kernels[name]


def speed_args(specs: dict[str, Any], dims: dict[str, int], seed: int, dtype: torch.dtype,
               device: str) -> dict[str, Any]:
    """The speed run's arguments: normal tensors drawn on `device` in `dtype` (only their sizes matter there;
    drawing 10^8 float64 values on one CPU thread and casting them took seconds), the rest as cases make them."""
    gen = torch.Generator(device).manual_seed(seed)
    drawn = {name: torch.randn(shape_of(spec.randn, dims), generator=gen, device=device, dtype=dtype) * spec.std
             for name, spec in specs.items() if isinstance(spec, Randn) and not spec.softmax}
    rest = cast(make_args({k: v for k, v in specs.items() if k not in drawn}, dims, seed), dtype, device)
    return {name: drawn[name] if name in drawn else rest[name] for name in specs}


@check("speed")
def speed(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    """CUDA only: the candidate's time and peak memory against PyTorch's kernel on the same inputs."""
    if ctx.device != "cuda":
        return skip("speed", "speed is measured on CUDA only (grade with --device cuda); not counted as passed")

    dims = {**ctx.question.coding.dims, **params.get("dims", {})}
    specs = Case.model_validate({"id": "speed", "args": params["args"]}).args
    args = speed_args(specs, dims, ctx.seed, ctx.dtype, ctx.device)
    shapes = ", ".join(f"{k}{list(v.shape)}" for k, v in args.items() if isinstance(v, torch.Tensor))
    timed = ctx.candidate.timing(args)
    if "oom" in timed:  # a result at this size, not a crash: say what it means
        return fail("speed", f"{shapes}: ran out of GPU memory ({timed['oom']}). Look for the largest intermediate "
                    "tensor (a whole [Lq, Lk] score matrix grows with the square of the sequence length), "
                    "or for other processes holding the GPU's memory", oom=True)
    mine, mine_peak = timed["ms"], timed["peak"]
    theirs, their_peak = time_cuda(lambda: _against(params.get("against", "sdpa"))(args))
    ratio = mine / theirs
    limit = params.get("max_ratio")
    details = {"ms": mine, "torch_ms": theirs, "ratio": ratio, "peak_bytes": mine_peak,
               "torch_peak_bytes": their_peak}
    rate = ""
    if "flops" in params:  # e.g. "4 * B * H * Lq * Lk * D": two matmuls of 2 FLOPs per multiply-add

        flops = resolve(params["flops"], dims)
        details.update(tflops=flops / mine / 1e9, torch_tflops=flops / theirs / 1e9)
        rate = f" = {details['tflops']:.0f} vs {details['torch_tflops']:.0f} TFLOP/s"
    message = (f"{shapes}: {mine:.3f} ms vs PyTorch {theirs:.3f} ms ({ratio:.2f}x its time{rate}); peak memory "
               f"{mine_peak / 2**20:.1f} MiB vs {their_peak / 2**20:.1f} MiB")
    if limit is not None and ratio > limit:
        return fail("speed", f"{message}: slower than the limit of {limit}x", **details)
    return ok("speed", message, **details)
