"""Invariances: batch items are independent, permuting queries permutes outputs and permuting keys with their
values changes nothing, each key/value head drives its group of query heads, and question-specific properties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..invoke import BadOutput, describe
from ..outcome import CheckResult
from ..plan import Prepared
from .base import Context, Outputs, Params, call_site, check, fail, ok, skip, where
from .perturb import change, magnitude, main_leaf, permute, perturb, semantic_inputs


@check("batch_independent")
def batch_independent(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    names: list[str] = params.get("args", ["q", "k", "v"])
    preps = [p for p in ctx.arg_cases(params, needs=names[:1]) if p.master[names[0]].shape[0] > 1]
    if not preps:
        return skip("batch_independent", "no case has more than one batch item")
    tol = ctx.semantic_tol
    for prep in preps:
        args = semantic_inputs(ctx, prep)
        base = main_leaf(ctx, prep, args, params)
        gen = torch.Generator().manual_seed(prep.seed + 2)
        last = args[names[0]].shape[0] - 1
        pert = perturb(args, {n: 0 for n in names}, torch.tensor([last]), gen, 3.0)
        out = main_leaf(ctx, prep, pert, params)
        diff = change(out[:last], base[:last])
        if (diff > tol * magnitude(base)).any():
            b = int(diff.reshape(last, -1).amax(-1).argmax())
            return fail("batch_independent", f"{where(prep, ctx.seed)}: changing batch item {last} changed the "
                        f"output of batch item {b} by {float(diff.max()):.3g} "
                        "(batch items leak into each other: check reshapes and mask broadcasting)")
    return ok("batch_independent", f"{len(preps)} case(s): batch items do not influence each other")



@check("permutation_equivariant")
def permutation_equivariant(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
    queries: dict[str, int] = params.get("queries", {})
    keys: dict[str, int] = params.get("keys", {})
    tokens: dict[str, int] = params.get("tokens", {})
    probe = next(iter({**queries, **keys, **tokens}))
    preps = ctx.arg_cases(params, needs=[probe])
    tol = ctx.semantic_tol
    for prep in preps:
        args = semantic_inputs(ctx, prep)
        base = main_leaf(ctx, prep, args, params)
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
            out = main_leaf(ctx, prep, permute(args, axes, perm), params)
            want = base.index_select(base.dim() - 2, perm.to(base.device)) if permutes_out else base
            diff = float(change(out, want).max())
            if diff > tol * magnitude(base):
                effect = "should permute the outputs the same way" if permutes_out else "should not change the output"
                return fail("permutation_equivariant", f"{where(prep, ctx.seed)}: permuting the {label} {effect}, "
                            f"but the result is off by {diff:.3g} (keys and values misaligned, or positions mixed "
                            "across rows?)")
    return ok("permutation_equivariant", f"{len(preps)} case(s): equivariant to query order, invariant to key order")


@check("group_structure")
def group_structure(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
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
    tol = ctx.semantic_tol
    for prep in preps:
        args = semantic_inputs(ctx, prep)
        first = next(iter(kv_args))
        hkv = args[first].shape[kv_args[first]]
        base = main_leaf(ctx, prep, args, params)
        hq = base.shape[out_axis]
        if hkv == 0 or hq % hkv:
            continue
        gen = torch.Generator().manual_seed(prep.seed + 5)
        for j in range(hkv):
            out = main_leaf(ctx, prep, perturb(args, kv_args, torch.tensor([j]), gen, 3.0), params)
            diff = change(out, base).movedim(out_axis, 0).reshape(hq, -1)
            changed = [h for h in range(hq) if float(diff[h].max()) > tol * magnitude(base)]
            group = hq // hkv
            want = [h for h in range(hq) if (h // group if mapping == "contiguous" else h % hkv) == j]
            if changed != want:
                rule = f"h // {group}" if mapping == "contiguous" else f"h % {hkv}"
                return fail("group_structure", f"{where(prep, ctx.seed)}: perturbing key/value head {j} of {hkv} "
                            f"changed query heads {changed}, but it should change exactly {want} (query head h "
                            f"uses key/value head {rule}; {hq} query heads in groups of {group})",
                            kv_head=j, changed=changed, expected=want)
    return ok("group_structure", f"{len(preps)} case(s): each key/value head drives exactly its group of query heads")



@check("properties")
def properties(ctx: Context, params: Params, outputs: Outputs) -> CheckResult:
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
            return _shaped_as_reference(ctx, _prep, kwargs, ctx.run(_prep, kwargs, ctx.semantic_dtype))
        call.new = _Driven.factory(ctx, f"case {prep.case.id}, properties")  # type: ignore[attr-defined]
        for name in names:
            message = getattr(module, name)(call, semantic_inputs(ctx, prep))
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


def _shaped_as_reference(ctx: Context, prep: Prepared, kwargs: dict[str, Any], leaves: list[Any]) -> list[Any]:
    """`leaves`, unless their structure or shapes differ from the reference's on the same arguments: then the
    candidate's BadOutput, before trusted property code trips over them (which would read as a grader bug)."""
    try:
        theirs = ctx.reference.run(prep.script, kwargs, ctx.semantic_dtype, ctx.device)
    except Exception:  # arguments the reference rejects (a property testing an error): nothing to compare
        return leaves
    shape = [tuple(x.shape) if isinstance(x, torch.Tensor) else None for x in leaves]
    if shape != [tuple(x.shape) if isinstance(x, torch.Tensor) else None for x in theirs]:
        raise BadOutput(f"properties: {call_site(prep, kwargs, ctx.seed)}: returned {describe(leaves)}, "
                        f"expected {describe(theirs)}")
    return leaves


class _Driven:
    """A candidate object driven by trusted property code, by its handle: every method call and attribute read
    is the candidate's call (forbidden-op and mutation recording, error attribution); what it returns is plain
    data, or another driven object."""

    def __init__(self, ctx: Context, handle: int, where_: str):
        self._ctx, self._handle, self._where = ctx, handle, where_

    @staticmethod
    def factory(ctx: Context, where_: str) -> Callable[..., _Driven]:
        def new(**init: Any) -> _Driven:
            return _Driven(ctx, ctx.candidate.construct(init, where_), where_)
        return new

    def __getattr__(self, name: str) -> Any:
        where_ = f"{self._where}, `{name}`"
        kind, value = self._ctx.candidate.attribute(self._handle, name, where_)
        if kind == "method":
            return lambda **kwargs: self._wrap(*self._ctx.candidate.invoke(value, kwargs, where_), where_)
        return self._wrap(kind, value, where_)

    def _wrap(self, kind: str, value: Any, where_: str) -> Any:
        return _Driven(self._ctx, value, where_) if kind == "object" else value
