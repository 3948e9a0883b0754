"""The named checks. Each takes the grading context and its YAML parameters and returns a CheckResult.

Checks never decide the order they run in: grader.checks.CHECK_NAMES does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

from ..engine import (
    BadOutput,
    CandidateError,
    Impl,
    Prepared,
    Raised,
    Spy,
    describe,
    flatten,
    leaves_close,
    load_weights,
    max_abs,
    round_trip,
    trim_trace,
    worst,
)
from ..inputs import cast, make_args, resolve
from ..schema import Case, CodingQuestion
from . import CHECK_NAMES


@dataclass
class CheckResult:
    """The outcome of one check; `passed` is None when the check was skipped (with the reason)."""

    name: str
    passed: bool | None
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "message": self.message, "details": self.details}


@dataclass
class Context:
    """Everything a check needs: the question, the candidate, the prepared cases and the settings."""

    question: CodingQuestion
    candidate: Impl
    reference: Impl
    spy: Spy
    dtype: torch.dtype
    device: str
    seed: int
    cases: list[Prepared]         # value cases (also the diagnosis probes)
    raise_cases: list[Prepared]
    large: list[Prepared]         # large-logit variants (probes too)
    outputs: dict[str, list[Any]] = field(default_factory=dict)  # candidate leaves by case id
    properties_module: Any = None  # solutions/<id>/properties.py, when the question has one

    @property
    def meta_dtype(self) -> torch.dtype:
        """The dtype of semantic checks: float64 where the question allows it."""
        return torch.float64 if "float64" in self.question.coding.dtypes else torch.float32

    def run(self, prep: Prepared, args: Any, dtype: torch.dtype | None = None) -> list[Any]:
        return self.candidate.run(prep, args, dtype or self.dtype, self.device)

    def arg_cases(self, params: dict[str, Any], needs: list[str] | None = None) -> list[Prepared]:
        """Single-call cases chosen by `params['cases']` (default all) that have tensors for `needs`."""
        chosen = params.get("cases")
        out = []
        for p in self.cases:
            if p.is_script or (chosen and p.case.id not in chosen):
                continue
            if needs and not all(isinstance(p.master.get(n), torch.Tensor) for n in needs):
                continue
            out.append(p)
        return out


CHECKS: dict[str, Callable[[Context, dict[str, Any]], CheckResult]] = {}


def check(name: str):
    """Register a check function under `name` (which must be one of CHECK_NAMES)."""
    assert name in CHECK_NAMES, name

    def wrap(fn):
        CHECKS[name] = fn
        return fn
    return wrap


def ok(name: str, message: str, **details: Any) -> CheckResult:
    return CheckResult(name, True, message, details)


def fail(name: str, message: str, **details: Any) -> CheckResult:
    return CheckResult(name, False, message, details)


def skip(name: str, message: str) -> CheckResult:
    return CheckResult(name, None, message)


def where(prep: Prepared, seed: int) -> str:
    return f"case '{prep.case.id}' ({prep.dims()}; seed {seed})" + (f" [{prep.label}]" if prep.label else "")


# ----------------------------------------------------------------------------- structure and values


@check("output_shape")
def output_shape(ctx: Context, params: dict[str, Any]) -> CheckResult:
    first: CheckResult | None = None
    for prep in ctx.cases:
        try:
            got = ctx.run(prep, prep.inputs)
        except (BadOutput, CandidateError) as exc:
            if first is not None:  # already failing: the remaining cases only feed the diagnosis
                break
            if isinstance(exc, CandidateError):
                raise
            return fail("output_shape", f"{where(prep, ctx.seed)}: {exc}")
        ctx.outputs[prep.case.id] = got
        exp = prep.baseline
        same = len(got) == len(exp) and all(
            (isinstance(g, torch.Tensor) and isinstance(e, torch.Tensor) and g.shape == e.shape)
            or (not isinstance(e, torch.Tensor) and not isinstance(g, torch.Tensor))
            for g, e in zip(got, exp))
        if not same and first is None:
            # keep running the other cases so the diagnosis can compare a wrong-shape mistake on all of them
            first = fail("output_shape", f"{where(prep, ctx.seed)}: expected {describe(exp)}, got {describe(got)}",
                         expected=describe(exp), got=describe(got))
    return first or ok("output_shape", f"{len(ctx.cases)} case(s): outputs have the expected structure and shapes")


@check("dtype_device")
def dtype_device(ctx: Context, params: dict[str, Any]) -> CheckResult:
    for prep in ctx.cases:
        for i, (g, e) in enumerate(zip(ctx.outputs[prep.case.id], prep.baseline)):
            if isinstance(e, torch.Tensor) and (g.dtype != e.dtype or g.device.type != e.device.type):
                return fail("dtype_device", f"{where(prep, ctx.seed)}: output {i} is {g.dtype} on {g.device.type}, "
                            f"expected {e.dtype} on {e.device.type}")
    return ok("dtype_device", f"outputs are {str(ctx.dtype).replace('torch.', '')} on {ctx.device}")


@check("finite")
def finite(ctx: Context, params: dict[str, Any]) -> CheckResult:
    for prep in ctx.cases:
        for i, (g, e) in enumerate(zip(ctx.outputs[prep.case.id], prep.golden)):
            if isinstance(e, torch.Tensor) and e.is_floating_point():
                bad = torch.isfinite(e.cpu()) & ~torch.isfinite(g.detach().cpu())
                if bad.any():
                    idx = tuple(int(x) for x in bad.nonzero()[0])
                    rows = _empty_row_note(prep)
                    return fail("finite", f"{where(prep, ctx.seed)}: output {i} has {int(bad.sum())} NaN/inf "
                                f"value(s) where the oracle is finite, first at index {list(idx)}{rows}")
    return ok("finite", "no NaN or inf where the oracle is finite")


def _empty_row_note(prep: Prepared) -> str:
    for v in prep.master.values() if isinstance(prep.master, dict) else []:
        if isinstance(v, torch.Tensor) and v.dtype == torch.bool and v.dim() >= 2 and (~v.any(-1)).any():
            return " (this case has query rows with no allowed key: they must output zeros, not NaN)"
    return ""


def compare_leaves(ctx: Context, prep: Prepared, got: list[Any], name: str, atol: float = 0.0) -> CheckResult | None:
    """A failing result for the first leaf of `got` that is not close to the oracle, else None.

    `atol` is added to the tolerance of every float leaf (see `values`)."""
    for i, (g, e, tol) in enumerate(zip(got, prep.golden, prep.tols)):
        tol = tol + atol if isinstance(e, torch.Tensor) and e.is_floating_point() else tol
        if leaves_close(g, e, tol):
            continue
        label = f"output {i}" if len(got) > 1 else "output"
        if isinstance(e, torch.Tensor) and e.is_floating_point() and isinstance(g, torch.Tensor):
            w = worst(g, e)
            err = max_abs(g, e)
            return fail(name, f"{where(prep, ctx.seed)}: {label} differs from the oracle at index {list(w.index)}: "
                        f"expected {w.expected:.6g}, got {w.got:.6g} (max abs error {err:.3g}, rel {w.rel_err:.3g}; "
                        f"tolerance {tol:.3g})", max_abs_err=err, tolerance=tol, index=list(w.index))
        if isinstance(e, torch.Tensor) and isinstance(g, torch.Tensor) and g.shape == e.shape and e.numel():
            return _exact_mismatch(ctx, prep, g, e, label, name)
        return fail(name, f"{where(prep, ctx.seed)}: {label} is {describe([g])}, expected {describe([e])}")
    return None


def _exact_mismatch(ctx: Context, prep: Prepared, got: torch.Tensor, expected: torch.Tensor, label: str,
                    name: str) -> CheckResult:
    """Where an exact (bool or integer) output differs: the count, the first index and its row."""
    e = expected.detach().cpu()
    g = got.detach().cpu().to(e.dtype)
    diff = g != e
    idx = [int(i) for i in diff.nonzero()[0]]
    show = (lambda t: t.int().tolist()) if e.dtype == torch.bool else (lambda t: t.tolist())
    row = ""
    if e.dim() >= 1 and e.shape[-1] <= 32:
        lead = tuple(idx[:-1])
        row = f"; row {list(lead)}: expected {show(e[lead])}, got {show(g[lead])}"
    return fail(name, f"{where(prep, ctx.seed)}: {label} differs from the oracle in {int(diff.sum())} of "
                f"{diff.numel()} entries, first at index {idx}: expected {show(e[tuple(idx)])}, got "
                f"{show(g[tuple(idx)])}{row}", index=idx)


@check("values")
def values(ctx: Context, params: dict[str, Any]) -> CheckResult:
    """Outputs match the oracle. `atol: {float32: 1e-3}` adds an absolute tolerance in a grading dtype, for
    questions whose valid implementations differ by more than rounding (e.g. RoPE angles in float32);
    `random: true` skips the comparison for functions whose outputs are random draws."""
    if params.get("random"):  # e.g. MLM masking: any correct sampler differs from the reference's draws
        return skip("values", "the outputs are random, so they are not compared with the reference's; "
                    "the properties check tests their distribution instead")
    atol = float(params.get("atol", {}).get(str(ctx.dtype).replace("torch.", ""), 0.0))
    worst_ratio = 0.0
    for prep in ctx.cases:
        got = ctx.outputs[prep.case.id]
        bad = compare_leaves(ctx, prep, got, "values", atol)
        if bad:
            return bad
        for g, e, tol in zip(got, prep.golden, prep.tols):
            tol = tol + atol
            if isinstance(e, torch.Tensor) and e.is_floating_point() and tol > 0:
                worst_ratio = max(worst_ratio, max_abs(g, e) / tol)
    return ok("values", f"{len(ctx.cases)} case(s) match the oracle (worst error {worst_ratio:.2f} x tolerance)",
              worst_ratio=worst_ratio)


@check("raises")
def raises(ctx: Context, params: dict[str, Any]) -> CheckResult:
    first: CheckResult | None = None  # every case runs, so the diagnosis sees the behaviour on all of them
    for prep in ctx.raise_cases:
        want = prep.case.raises
        try:
            got = ctx.run(prep, prep.inputs)
        except CandidateError as err:
            names = [c.__name__ for c in type(err.exc).__mro__]
            ctx.outputs[prep.case.id] = [Raised(type(err.exc).__name__)]
            if want not in names and first is None:
                first = fail("raises", f"{where(prep, ctx.seed)}: expected {want}, got {type(err.exc).__name__}: "
                             f"{err.exc}")
            continue
        ctx.outputs[prep.case.id] = [Raised("nothing")]
        if first is None:
            first = fail("raises", f"{where(prep, ctx.seed)}: expected {want} for these arguments, but it returned "
                         f"{describe(got)}")
    if first is not None:
        return first
    return ok("raises", f"{len(ctx.raise_cases)} invalid input(s) rejected with the documented exception")


# ----------------------------------------------------------------------------- metamorphic checks


def _main_leaf(ctx: Context, prep: Prepared, args: dict[str, Any], params: dict[str, Any]) -> torch.Tensor:
    leaves = ctx.run(prep, args, ctx.meta_dtype)
    out = leaves[params.get("output", 0)]
    if not isinstance(out, torch.Tensor):
        raise BadOutput(f"expected a tensor output, got {describe([out])}")
    return out.detach()


def _meta_inputs(ctx: Context, prep: Prepared) -> dict[str, Any]:
    return round_trip(prep.master, ctx.meta_dtype, ctx.device)[1 if ctx.meta_dtype == torch.float64 else 0]


def _magnitude(t: torch.Tensor) -> float:
    """1 + the largest finite |value| (the scale of absolute tolerances; NaN-safe)."""
    finite = t[torch.isfinite(t)]
    return 1.0 + (float(finite.abs().max()) if finite.numel() else 0.0)


def _noise_like(t: torch.Tensor, gen: torch.Generator, scale: float) -> torch.Tensor:
    return (torch.randn(t.shape, generator=gen, dtype=torch.float64) * scale).to(t.device, t.dtype)


def _perturb(args: dict[str, Any], axes: dict[str, int], positions: torch.Tensor, gen: torch.Generator,
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
        t[tuple(idx)] = _noise_like(t[tuple(idx)], gen, scale)
        out[name] = t
    return out


def _keep_mask(ctx: Context, args: dict[str, Any], params: dict[str, Any], lq: int, lk: int) -> torch.Tensor:
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
                params: dict[str, Any], lk: int, base: torch.Tensor, lead: tuple[int, ...]) -> list[list[bool]]:
    """Which keys each query (at leading index `lead`) depends on, found by perturbing one key at a time."""
    gen = torch.Generator().manual_seed(prep.seed + 17)
    rows: list[list[bool]] = [[False] * lk for _ in range(base.shape[-2])]
    for j in range(lk):
        out = _main_leaf(ctx, prep, _perturb(args, keys, torch.tensor([j]), gen, 3.0), params)
        changed = torch.nan_to_num((out - base).abs().amax(-1), nan=math.inf)[lead]
        for i, c in enumerate(changed.tolist()):
            rows[i][j] = c > 1e-6 and not (i == j and tied)
    return rows


def _invariance(ctx: Context, params: dict[str, Any], name: str, causal_queries: bool) -> CheckResult:
    """Perturb positions a query may not see; its output must not move (masked keys, or the causal future)."""
    keys: dict[str, int] = params.get("keys", {"k": -2, "v": -2})
    queries: dict[str, int] = params.get("queries", {"q": -2} if causal_queries else {})
    tied = {n: a for n, a in queries.items() if n in keys}  # self-attention: one tensor gives queries and keys
    preps = ctx.arg_cases(params, needs=[n for n in (params.get("mask"),) if n])
    if not preps:
        return skip(name, "no case of this question has the inputs this check needs")
    tol = 1e-6 if ctx.meta_dtype == torch.float64 else 1e-4
    for prep in preps:
        args = _meta_inputs(ctx, prep)
        base = _main_leaf(ctx, prep, args, params)
        key_arg = next(iter(keys))
        lk = args[key_arg].shape[keys[key_arg]]
        lq = base.shape[-2]
        keep = _keep_mask(ctx, args, params, lq, lk)
        gen = torch.Generator().manual_seed(prep.seed + 1)
        if causal_queries:  # absolute positions >= p change; queries are end-aligned with the keys
            trials = [torch.arange(p, lk) for p in sorted({lk - 1, lk // 2, 1}) if 0 < p < lk]
        else:  # the keys one query row may not see (a few rows), plus a random half of all keys
            flat = keep.reshape(-1, lk)
            rows = [r for r in torch.randperm(flat.shape[0], generator=gen).tolist() if not flat[r].all()][:3]
            trials = [(~flat[r]).nonzero().flatten() for r in rows]
            trials.append(torch.randperm(lk, generator=gen)[: max(1, lk // 2)])
        for positions in trials:
            pert = _perturb(args, keys, positions, gen, 1e3)
            q_abs = torch.arange(lq) + (lk - lq)
            if causal_queries:
                pert = _perturb(pert, queries, positions, gen, 1e3, end_aligned_len=lk)
                affected = (q_abs >= positions.min()).expand(keep.shape[:-1])
            else:
                affected = keep[..., positions].any(-1)
                if tied:
                    affected = affected | torch.isin(q_abs, positions)
            out = _main_leaf(ctx, prep, pert, params)
            unaffected = ~affected.to(out.device)
            while unaffected.dim() < out.dim() - 1:
                unaffected = unaffected.unsqueeze(0)
            unaffected = unaffected.expand(out.shape[:-1])
            diff = torch.nan_to_num((out - base).abs().amax(-1), nan=math.inf)
            bad = (diff > tol * _magnitude(base)) & unaffected
            if not bad.any():
                continue
            where_bad = tuple(int(i) for i in bad.nonzero()[0])
            lead, q = where_bad[:-1], where_bad[-1]
            if causal_queries:
                what = (f"changing positions {int(positions.min())}..{lk - 1} (keys, values and queries) "
                        f"changed the output of earlier query {q}")
            else:
                what = (f"changing keys {sorted(positions.tolist())} changed the output of query {q}, "
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
def masked_keys_ignored(ctx: Context, params: dict[str, Any]) -> CheckResult:
    return _invariance(ctx, params, "masked_keys_ignored", causal_queries=False)


@check("causal_future_ignored")
def causal_future_ignored(ctx: Context, params: dict[str, Any]) -> CheckResult:
    return _invariance(ctx, {**params, "causal": True}, "causal_future_ignored", causal_queries=True)


@check("batch_independent")
def batch_independent(ctx: Context, params: dict[str, Any]) -> CheckResult:
    names: list[str] = params.get("args", ["q", "k", "v"])
    preps = [p for p in ctx.arg_cases(params, needs=names[:1]) if p.master[names[0]].shape[0] > 1]
    if not preps:
        return skip("batch_independent", "no case has more than one batch item")
    tol = 1e-6 if ctx.meta_dtype == torch.float64 else 1e-4
    for prep in preps:
        args = _meta_inputs(ctx, prep)
        base = _main_leaf(ctx, prep, args, params)
        gen = torch.Generator().manual_seed(prep.seed + 2)
        last = args[names[0]].shape[0] - 1
        pert = _perturb(args, {n: 0 for n in names}, torch.tensor([last]), gen, 3.0)
        out = _main_leaf(ctx, prep, pert, params)
        diff = (out[:last] - base[:last]).abs()
        if (torch.nan_to_num(diff, nan=math.inf) > tol * _magnitude(base)).any():
            b = int(torch.nan_to_num(diff, nan=math.inf).reshape(last, -1).amax(-1).argmax())
            return fail("batch_independent", f"{where(prep, ctx.seed)}: changing batch item {last} changed the "
                        f"output of batch item {b} by {float(torch.nan_to_num(diff, nan=math.inf).max()):.3g} "
                        "(batch items leak into each other: check reshapes and mask broadcasting)")
    return ok("batch_independent", f"{len(preps)} case(s): batch items do not influence each other")


def _permute(args: dict[str, Any], axes: dict[str, int], perm: torch.Tensor) -> dict[str, Any]:
    out = dict(args)
    for name, axis in axes.items():
        t = args.get(name)
        if isinstance(t, torch.Tensor) and t.dim() > 0 and t.shape[axis] == perm.numel():
            out[name] = t.index_select(axis if axis >= 0 else t.dim() + axis, perm.to(t.device))
    return out


@check("permutation_equivariant")
def permutation_equivariant(ctx: Context, params: dict[str, Any]) -> CheckResult:
    queries: dict[str, int] = params.get("queries", {})
    keys: dict[str, int] = params.get("keys", {})
    tokens: dict[str, int] = params.get("tokens", {})
    probe = next(iter({**queries, **keys, **tokens}))
    preps = ctx.arg_cases(params, needs=[probe])
    tol = 1e-6 if ctx.meta_dtype == torch.float64 else 1e-4
    for prep in preps:
        args = _meta_inputs(ctx, prep)
        base = _main_leaf(ctx, prep, args, params)
        gen = torch.Generator().manual_seed(prep.seed + 3)
        trials = []
        if queries:
            lq = args[next(iter(queries))].shape[next(iter(queries.values()))]
            trials.append(("queries", queries, torch.randperm(lq, generator=gen), True))
        if keys:
            lk = args[next(iter(keys))].shape[next(iter(keys.values()))]
            trials.append(("keys and values", keys, torch.randperm(lk, generator=gen), False))
        if tokens:
            lt = args[next(iter(tokens))].shape[next(iter(tokens.values()))]
            trials.append(("tokens", tokens, torch.randperm(lt, generator=gen), True))
        for label, axes, perm, permutes_out in trials:
            out = _main_leaf(ctx, prep, _permute(args, axes, perm), params)
            want = base.index_select(base.dim() - 2, perm.to(base.device)) if permutes_out else base
            diff = float(torch.nan_to_num((out - want).abs(), nan=math.inf).max())
            if diff > tol * _magnitude(base):
                effect = "should permute the outputs the same way" if permutes_out else "should not change the output"
                return fail("permutation_equivariant", f"{where(prep, ctx.seed)}: permuting the {label} {effect}, "
                            f"but the result is off by {diff:.3g} (keys and values misaligned, or positions mixed "
                            "across rows?)")
    return ok("permutation_equivariant", f"{len(preps)} case(s): equivariant to query order, invariant to key order")


@check("group_structure")
def group_structure(ctx: Context, params: dict[str, Any]) -> CheckResult:
    """Perturbing key/value head j changes exactly the query heads of its group (GQA/MQA).

    `kv_args` maps each argument holding key/value heads to its head axis; `out_axis` is the head
    axis of the output. Query head h belongs to kv head h // (Hq // Hkv) (`mapping: contiguous`,
    the default) or h % Hkv (`mapping: interleaved`).
    """
    kv_args: dict[str, int] = params.get("kv_args", {"k": 1, "v": 1})
    out_axis: int = params.get("out_axis", 1)
    mapping: str = params.get("mapping", "contiguous")
    preps = ctx.arg_cases(params, needs=list(kv_args))
    if not preps:
        return skip("group_structure", "no case has the key/value arguments")
    tol = 1e-6 if ctx.meta_dtype == torch.float64 else 1e-4
    for prep in preps:
        args = _meta_inputs(ctx, prep)
        first = next(iter(kv_args))
        hkv = args[first].shape[kv_args[first]]
        base = _main_leaf(ctx, prep, args, params)
        hq = base.shape[out_axis]
        if hkv == 0 or hq % hkv:
            continue
        gen = torch.Generator().manual_seed(prep.seed + 5)
        for j in range(hkv):
            out = _main_leaf(ctx, prep, _perturb(args, kv_args, torch.tensor([j]), gen, 3.0), params)
            diff = torch.nan_to_num((out - base).abs(), nan=math.inf).movedim(out_axis, 0).reshape(hq, -1)
            changed = [h for h in range(hq) if float(diff[h].max()) > tol * _magnitude(base)]
            group = hq // hkv
            want = [h for h in range(hq) if (h // group if mapping == "contiguous" else h % hkv) == j]
            if changed != want:
                rule = f"h // {group}" if mapping == "contiguous" else f"h % {hkv}"
                return fail("group_structure", f"{where(prep, ctx.seed)}: perturbing key/value head {j} of {hkv} "
                            f"changed query heads {changed}, but it should change exactly {want} (query head h "
                            f"uses key/value head {rule}; {hq} query heads in groups of {group})",
                            kv_head=j, changed=changed, expected=want)
    return ok("group_structure", f"{len(preps)} case(s): each key/value head drives exactly its group of query heads")


# ----------------------------------------------------------------------------- gradients


def _grad_inputs(ctx: Context, prep: Prepared, wrt: list[str]) -> dict[str, Any]:
    args = round_trip(prep.master, torch.float64, ctx.device)[1]
    for n in wrt:
        args[n] = args[n].detach().clone().requires_grad_(True)
    return args


def _grads(impl: Impl, ctx: Context, prep: Prepared, wrt: list[str]) -> tuple[list[torch.Tensor], list[str]]:
    """Gradients of a fixed random projection of every float output w.r.t. `wrt` (and module weights)."""
    args = _grad_inputs(ctx, prep, wrt)
    params_out: list[torch.nn.Parameter] = []
    names = list(wrt)
    if prep.case.init is not None:  # a module: also its parameters' gradients, by name
        instance = impl.call(impl.obj, cast(prep.init, torch.float64, ctx.device), "gradients")
        load_weights(instance, prep.weights, torch.float64, ctx.device)
        for n, p in sorted(instance.named_parameters()):
            names.append(n)
            params_out.append(p)
        leaves = [impl.call(instance, args, f"case {prep.case.id}, gradients")]
    else:
        leaves = [impl.call(impl.obj, args, f"case {prep.case.id}, gradients")]
    outs = [t for t in flatten(leaves) if isinstance(t, torch.Tensor) and t.is_floating_point()]
    gen = torch.Generator().manual_seed(prep.seed + 4)
    total = sum((o.nan_to_num(posinf=0.0, neginf=0.0) * _noise_like(o, gen, 1.0)).sum() for o in outs)
    inputs = [args[n] for n in wrt] + params_out
    grads = torch.autograd.grad(total, inputs, allow_unused=True)
    return [g if g is not None else torch.zeros_like(x) for g, x in zip(grads, inputs)], names


@check("gradients")
def gradients(ctx: Context, params: dict[str, Any]) -> CheckResult:
    if "float64" not in ctx.question.coding.dtypes:
        return skip("gradients", "this question is not graded in float64")
    wrt: list[str] = params.get("wrt", ["q", "k", "v"])
    preps = ctx.arg_cases(params, needs=wrt)[:1] if not params.get("cases") else ctx.arg_cases(params, needs=wrt)
    for prep in preps:
        want, names = _grads(ctx.reference, ctx, prep, wrt)
        try:
            got, _ = _grads(ctx.candidate, ctx, prep, wrt)
        except RuntimeError as exc:  # raised by autograd while differentiating the candidate's output
            if "does not require grad" in str(exc) or "element 0 of tensors" in str(exc):
                return fail("gradients", f"{where(prep, ctx.seed)}: the output is not differentiable w.r.t. the "
                            "inputs (detached, computed under no_grad, or converted through NumPy)")
            first = str(exc).strip().splitlines()[0]
            return fail("gradients", f"{where(prep, ctx.seed)}: backpropagating through your output failed: {first}")
        for name, g, w in zip(names, got, want):
            err = max_abs(g, w)
            tol = 1e-6 * (1 + float(w.abs().max()))
            if not torch.isfinite(g).all() or err > tol:
                nonfinite = "" if torch.isfinite(g).all() else " (the gradient has NaN/inf)"
                return fail("gradients", f"{where(prep, ctx.seed)}: gradient w.r.t. `{name}` is off by {err:.3g} "
                            f"(tolerance {tol:.3g}){nonfinite}", max_abs_err=err)
    return ok("gradients", f"float64 gradients w.r.t. {', '.join(wrt)} match the reference")


# ----------------------------------------------------------------------------- recorded behaviour


@check("inputs_not_mutated")
def inputs_not_mutated(ctx: Context, params: dict[str, Any]) -> CheckResult:
    m = ctx.spy.record.mutations
    if m:
        return fail("inputs_not_mutated", f"{m[0]}; callers keep using their tensors, so work on copies "
                    "(x = x * s, not x *= s or x.mul_(s))")
    return ok("inputs_not_mutated", "no argument was modified in place")


@check("forbidden_ops")
def forbidden_ops(ctx: Context, params: dict[str, Any]) -> CheckResult:
    groups = ctx.question.coding.forbidden
    if not groups:
        return skip("forbidden_ops", "this question forbids nothing")
    used = ctx.spy.record.forbidden
    if used:
        return fail("forbidden_ops", f"uses {', '.join(used)}, which this question forbids: implement it yourself")
    return ok("forbidden_ops", f"none of the forbidden operations ({', '.join(groups)}) was used")


@check("memory")
def memory(ctx: Context, params: dict[str, Any]) -> CheckResult:
    """No tensor with `limit` or more elements per `per` (e.g. Lq*Lk per batch-head) is created."""
    preps = ctx.arg_cases(params)
    for prep in preps:
        dims = {**ctx.question.coding.dims, **prep.case.dims}
        limit = resolve(params.get("limit", "Lq * Lk"), dims) * resolve(params.get("per", "B * H"), dims)
        ctx.spy.record.largest.clear()
        ctx.run(prep, prep.inputs)
        for numel, op, shape in ctx.spy.record.largest:
            if numel >= limit:
                return fail("memory", f"{where(prep, ctx.seed)}: {op} created a tensor of shape {list(shape)} "
                            f"({numel} elements, the limit is below {limit}: as large as the whole score matrix). "
                            "Process keys block by block and keep only running statistics.")
    return ok("memory", f"{len(preps)} case(s): no intermediate as large as the score matrix")


@check("stable_large_logits")
def stable_large_logits(ctx: Context, params: dict[str, Any]) -> CheckResult:
    for prep in ctx.large:
        got = ctx.run(prep, prep.inputs)
        ctx.outputs[prep.case.id] = got
        for i, (g, e) in enumerate(zip(got, prep.golden)):
            if isinstance(e, torch.Tensor) and e.is_floating_point() and isinstance(g, torch.Tensor):
                bad = torch.isfinite(e.cpu()) & ~torch.isfinite(g.detach().cpu())
                if bad.any():
                    return fail("stable_large_logits", f"{where(prep, ctx.seed)}: output {i} has NaN/inf with large "
                                "logits (exp overflows: subtract the row max before exponentiating)")
        bad_values = compare_leaves(ctx, prep, got, "stable_large_logits")
        if bad_values:
            return bad_values
    if not ctx.large:
        return skip("stable_large_logits", "no large-logit case")
    return ok("stable_large_logits", f"finite and correct with logits scaled up ({ctx.large[0].label})")


@check("properties")
def properties(ctx: Context, params: dict[str, Any]) -> CheckResult:
    """Question-specific invariants, written as functions in solutions/<id>/properties.py.

    Each listed function gets `call` (runs the candidate on keyword arguments in the semantic-check dtype
    and returns its output leaves) and the float64 arguments of one case; it returns None when the
    property holds, else a one-line message saying what was observed, or a (message, mistake id) pair when
    the observation identifies a known mistake (the diagnosis of outputs that are random, which cannot be
    matched against the mistakes' outputs). For a class entry point, `call.new(**init)` constructs the
    candidate's object and returns it wrapped so that its method calls and attribute reads run like any
    candidate call (recorded, errors attributed to the candidate).
    """
    module = ctx.properties_module
    names: list[str] = params.get("run", [])
    chosen = params.get("cases")
    # scripted (stateful) cases run only when named: their properties drive the object through `call.new`
    preps = [p for p in ctx.cases if p.case.id in chosen] if chosen else ctx.arg_cases(params)
    if not preps or module is None:
        return skip("properties", "no case or no properties file for this question")
    for prep in preps[:1] if not chosen else preps:
        def call(_prep: Prepared = prep, **kwargs: Any) -> list[Any]:
            return ctx.run(_prep, kwargs, ctx.meta_dtype)
        call.new = _Driven.factory(ctx, f"case {prep.case.id}, properties")  # type: ignore[attr-defined]
        for name in names:
            message = getattr(module, name)(call, _meta_inputs(ctx, prep))
            mistake = None
            if isinstance(message, tuple):
                message, mistake = message
            if message:
                doc = (getattr(module, name).__doc__ or name).strip().splitlines()[0]
                details: dict[str, Any] = {"property": name}
                if mistake:
                    details["mistake"] = mistake
                return fail("properties", f"{where(prep, ctx.seed)}: {doc} — {message}", **details)
    return ok("properties", f"{len(names)} propert{'y' if len(names) == 1 else 'ies'} hold: {', '.join(names)}")


class _Driven:
    """A candidate object driven by trusted property code: every method call and attribute read goes
    through the candidate's call wrapper (forbidden-op and mutation recording, error attribution)."""

    def __init__(self, ctx: Context, obj: Any, where_: str):
        self._ctx, self._obj, self._where = ctx, obj, where_

    @staticmethod
    def factory(ctx: Context, where_: str) -> Callable[..., _Driven]:
        def new(**init: Any) -> _Driven:
            return _Driven(ctx, ctx.candidate.call(ctx.candidate.obj, init, f"{where_}, constructor"), where_)
        return new

    def __getattr__(self, name: str) -> Any:
        where_ = f"{self._where}, `{name}`"
        value = self._ctx.candidate.call(lambda: getattr(self._obj, name), {}, where_)
        if callable(value):
            return lambda **kwargs: self._ctx.candidate.call(value, kwargs, where_)
        return value


def _against(name: str):
    """PyTorch's own kernel that a speed check compares with, by name."""

    kernels = {
        "sdpa": lambda a: F.scaled_dot_product_attention(a["q"], a["k"], a["v"]),
        "sdpa_causal": lambda a: F.scaled_dot_product_attention(a["q"], a["k"], a["v"], is_causal=True),
        "sdpa_gqa": lambda a: F.scaled_dot_product_attention(a["q"], a["k"], a["v"], enable_gqa=True),
    }
    return kernels[name]


def _time_cuda(fn, repeat: int = 10, warmup: int = 3) -> tuple[float, int]:
    """(median milliseconds over `repeat` runs timed with CUDA events, peak extra bytes allocated)."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    fn()
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() - base
    times = []
    for _ in range(repeat):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2], peak


@check("speed")
def speed(ctx: Context, params: dict[str, Any]) -> CheckResult:
    """CUDA only: the candidate's time and peak memory against PyTorch's kernel on the same inputs."""
    if ctx.device != "cuda":
        return skip("speed", "speed is measured on CUDA only (grade with --device cuda); not counted as passed")

    dims = {**ctx.question.coding.dims, **params.get("dims", {})}
    specs = Case.model_validate({"id": "speed", "args": params["args"]}).args
    args = cast(make_args(specs, dims, ctx.seed), ctx.dtype, ctx.device)
    fn = ctx.candidate.obj
    shapes = ", ".join(f"{k}{list(v.shape)}" for k, v in args.items() if isinstance(v, torch.Tensor))
    try:
        mine, mine_peak = _time_cuda(lambda: fn(**args))
    except torch.cuda.OutOfMemoryError as exc:  # a result at this size, not a crash: say what it means
        torch.cuda.empty_cache()
        first = str(exc).split(". ")[0]
        return fail("speed", f"{shapes}: ran out of GPU memory ({first}). Look for the largest intermediate "
                    "tensor (a whole [Lq, Lk] score matrix grows with the square of the sequence length), "
                    "or for other processes holding the GPU's memory", oom=True)
    except Exception as exc:
        raise CandidateError(exc, trim_trace(exc, ctx.spy.files)) from None
    theirs, their_peak = _time_cuda(lambda: _against(params.get("against", "sdpa"))(args))
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
