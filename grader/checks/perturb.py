"""Helpers of the semantic checks: run the candidate on float64 (or float32) copies of a case, and perturb
or permute its arguments along an axis."""

from __future__ import annotations

import math
from typing import Any

import torch

from ..inputs import noise_like
from ..invoke import BadOutput, describe
from ..plan import Prepared, round_trip
from ..tolerance import finite_absmax
from .base import Context, Params


def main_leaf(ctx: Context, prep: Prepared, args: dict[str, Any], params: Params) -> torch.Tensor:
    """The candidate's output leaf `params['output']` (default 0) on `args`, in the semantic-check dtype."""
    leaves = ctx.run(prep, args, ctx.semantic_dtype)
    out = leaves[params.get("output", 0)]
    if not isinstance(out, torch.Tensor):
        raise BadOutput(f"expected a tensor output, got {describe([out])}")
    return out.detach()


def semantic_inputs(ctx: Context, prep: Prepared) -> dict[str, Any]:
    """The case's arguments rounded to the grading dtype and given in the semantic-check dtype."""
    return round_trip(prep.master, ctx.semantic_dtype, ctx.device)[1 if ctx.semantic_dtype == torch.float64 else 0]


def magnitude(t: torch.Tensor) -> float:
    """1 + the largest finite |value| (the scale of absolute tolerances; NaN-safe)."""
    return 1.0 + finite_absmax(t)


def change(out: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
    """|out - base| per element, with a NaN or inf left where it was counted as no change and a NaN in one of
    them only as inf: a NaN output that a perturbation does not move is the finite check's to report."""
    diff = (out - base).abs()
    unmoved = (torch.isnan(out) & torch.isnan(base)) | (torch.isinf(out) & (out == base))
    return torch.nan_to_num(torch.where(unmoved, torch.zeros_like(diff), diff), nan=math.inf)


def perturb(args: dict[str, Any], axes: dict[str, int], positions: torch.Tensor, gen: torch.Generator,
             scale: float, end_aligned_len: int | None = None) -> dict[str, Any]:
    """A copy of `args` with float tensors in `axes` replaced by noise at `positions` along their axis."""
    out = dict(args)
    for name, axis in axes.items():
        t = args.get(name)
        if not isinstance(t, torch.Tensor) or not t.is_floating_point():
            continue
        n = t.shape[axis]
        pos = positions - (end_aligned_len - n) if end_aligned_len is not None else positions
        pos = pos[(pos >= 0) & (pos < n)]
        if pos.numel() == 0:
            continue
        t = t.clone()
        idx = [slice(None)] * t.dim()
        idx[axis] = pos.to(t.device)
        t[tuple(idx)] = noise_like(t[tuple(idx)], gen, scale)
        out[name] = t
    return out



def permute(args: dict[str, Any], axes: dict[str, int], perm: torch.Tensor) -> dict[str, Any]:
    out = dict(args)
    for name, axis in axes.items():
        t = args.get(name)
        if isinstance(t, torch.Tensor) and t.dim() > 0 and t.shape[axis] == perm.numel():
            out[name] = t.index_select(axis if axis >= 0 else t.dim() + axis, perm.to(t.device))
    return out

