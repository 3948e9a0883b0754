"""Masking and causality: keys a query may not see (masked, outside a window, or in the causal future) can
change freely without changing its output. Found by perturbation, so any way of masking is graded alike."""

from __future__ import annotations

import math
from typing import Any

import torch

from ..outcome import CheckResult
from ..plan import Prepared
from .base import Context, Outputs, Params, check, fail, ok, skip, where
from .perturb import change, magnitude, main_leaf, perturb, semantic_inputs


def keep_mask(args: dict[str, Any], params: Params, lq: int, lk: int) -> torch.Tensor:
    """The bool pattern [..., Lq, Lk] (True = may attend) the question's conventions imply."""
    keep = torch.ones(lq, lk, dtype=torch.bool)
    name = params.get("mask")
    if name:
        m = args[name].cpu()
        if m.dtype != torch.bool:
            m = m > float("-inf")
        elif params.get("mask_true_is", "keep") == "pad":
            m = ~m
        layout = params.get("mask_layout", "scores")
        if layout == "keys":  # [B, Lk] -> [B, 1, Lk]
            m = m.unsqueeze(-2)
        elif layout == "keys_per_head":  # [B, Lk] for per-head outputs [B, H, Lq, ...] -> [B, 1, 1, Lk]
            m = m[:, None, None, :]
        keep = keep & m
    causal = params.get("causal")
    if isinstance(causal, str):  # the name of a bool argument of the case
        causal = bool(args[causal])
    if causal:
        i = torch.arange(lq).unsqueeze(1)
        j = torch.arange(lk).unsqueeze(0)
        keep = keep & (j <= (lk - lq) + i)
    if params.get("window"):
        # a band: query i (absolute position lk - lq + i) sees keys less than w positions before it and,
        # when not causal, less than w positions after it
        w = int(args[params["window"]]) if isinstance(params["window"], str) else int(params["window"])
        i = torch.arange(lq).unsqueeze(1) + (lk - lq)
        j = torch.arange(lk).unsqueeze(0)
        keep = keep & (j > i - w)
        if not causal:
            keep = keep & (j < i + w)
    head = params.get("head_dim")
    if head is not None and keep.dim() >= 3:  # outputs without a head axis: a query sees a key via any head
        keep = keep.any(head)
    return keep


def _dependency(ctx: Context, prep: Prepared, args: dict[str, Any], keys: dict[str, int], tied: dict[str, int],
                params: Params, lk: int, base: torch.Tensor, lead: tuple[int, ...]) -> list[list[bool]]:
    """Which keys each query (at leading index `lead`) depends on, found by perturbing one key at a time."""
    gen = torch.Generator().manual_seed(prep.seed + 17)
    rows: list[list[bool]] = [[False] * lk for _ in range(base.shape[-2])]
    for j in range(lk):
        out = main_leaf(ctx, prep, perturb(args, keys, torch.tensor([j]), gen, 3.0), params)
        changed = change(out, base).amax(-1)[lead]
        for i, c in enumerate(changed.tolist()):
            rows[i][j] = c > 1e-6 and not (i == j and tied)
    return rows


def _invariance(ctx: Context, params: Params, name: str, causal_queries: bool) -> CheckResult:
    """Perturb positions a query may not see; its output must not move (masked keys, or the causal future)."""
    keys: dict[str, int] = params.get("keys", {"k": -2, "v": -2})
    queries: dict[str, int] = params.get("queries", {"q": -2} if causal_queries else {})
    tied = {n: a for n, a in queries.items() if n in keys}  # self-attention: one tensor gives queries and keys
    preps = ctx.arg_cases(params, needs=[n for n in (params.get("mask"),) if n])
    if not preps:
        return skip(name, "no case of this question has the inputs this check needs")
    tol = ctx.semantic_tol
    for prep in preps:
        args = semantic_inputs(ctx, prep)
        base = main_leaf(ctx, prep, args, params)
        key_arg = next(iter(keys))
        lk = args[key_arg].shape[keys[key_arg]]
        lq = base.shape[-2]
        keep = keep_mask(args, params, lq, lk)
        gen = torch.Generator().manual_seed(prep.seed + 1)
        if causal_queries:  # absolute positions >= p change; queries are end-aligned with the keys
            trials = [torch.arange(p, lk) for p in sorted({lk - 1, lk // 2, 1}) if 0 < p < lk]
        else:  # the keys one query row may not see (a few rows), plus a random half of all keys
            flat = keep.reshape(-1, lk)
            rows = [r for r in torch.randperm(flat.shape[0], generator=gen).tolist() if not flat[r].all()][:3]
            trials = [(~flat[r]).nonzero().flatten() for r in rows]
            trials.append(torch.randperm(lk, generator=gen)[: max(1, lk // 2)])
        # `nonfinite`: the prompt lets masked positions hold any values, NaN and inf included
        scales = (1e3, math.nan, math.inf) if params.get("nonfinite") and not causal_queries else (1e3,)
        for positions, scale in ((p, s) for p in trials for s in scales):
            pert = perturb(args, keys, positions, gen, scale)
            q_abs = torch.arange(lq) + (lk - lq)
            if causal_queries:
                pert = perturb(pert, queries, positions, gen, 1e3, end_aligned_len=lk)
                affected = (q_abs >= positions.min()).expand(keep.shape[:-1])
            else:
                affected = keep[..., positions].any(-1)
                if tied:
                    affected = affected | torch.isin(q_abs, positions)
            out = main_leaf(ctx, prep, pert, params)
            unaffected = ~affected.to(out.device)
            while unaffected.dim() < out.dim() - 1:
                unaffected = unaffected.unsqueeze(0)
            unaffected = unaffected.expand(out.shape[:-1])
            diff = change(out, base).amax(-1)
            bad = (diff > tol * magnitude(base)) & unaffected
            if not bad.any():
                continue
            where_bad = tuple(int(i) for i in bad.nonzero()[0])
            lead, q = where_bad[:-1], where_bad[-1]
            if causal_queries:
                what = (f"changing positions {int(positions.min())}..{lk - 1} (keys, values and queries) "
                        f"changed the output of earlier query {q}")
            else:
                filled = "" if scale == 1e3 else f" (filled with {scale:g})"
                what = (f"changing keys {sorted(positions.tolist())}{filled} changed the output of query {q}, "
                        "which may not attend to any of them")
            expected = keep.expand(*out.shape[:-2], lq, lk) if keep.dim() <= out.dim() else keep
            details: dict[str, Any] = {"expected_grid": expected[lead].tolist() if expected.dim() > 2 else
                                       expected.tolist(), "grid_at": list(lead)}
            if lq <= 16 and lk <= 24:
                details["actual_grid"] = _dependency(ctx, prep, args, keys, tied, params, lk, base, lead)
            return fail(name, f"{where(prep, ctx.seed)}: {what} (at index {list(lead)}; max change "
                        f"{float(diff[bad].max()):.3g})", **details)
    return ok(name, f"{len(preps)} case(s): outputs ignore every position they may not see")


@check("masked_keys_ignored")
def masked_keys_ignored(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    """Keys a query may not see are replaced by large noise; its output must not move. Params: `mask` (the mask
    argument), `keys` ({argument: axis}), `queries`, `cases`; `nonfinite: true` also fills them with NaN and inf,
    where the prompt lets masked positions hold any values."""
    return _invariance(ctx, params, "masked_keys_ignored", causal_queries=False)


@check("causal_future_ignored")
def causal_future_ignored(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    return _invariance(ctx, {**params, "causal": True}, "causal_future_ignored", causal_queries=True)

