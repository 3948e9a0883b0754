"""Seeded construction of a case's arguments from the format's generators; the only randomness."""

from __future__ import annotations

import math
from typing import Any

import torch

from . import vocab
from .schema_inputs import Additive, Arange, Const, Keep, ListOf, Padding, Randint, Randn, Weight

DTYPES: dict[str, torch.dtype] = {name: getattr(torch, name) for name in vocab.DTYPES}


def resolve(value: int | str, dims: dict[str, int]) -> int:
    """An int, or a dim name, or a small arithmetic expression over dim names (e.g. 'Lk - 1')."""
    if isinstance(value, int):
        return value
    try:
        return int(eval(value, {"__builtins__": {}}, dict(dims)))  # noqa: S307 - bank data only
    except Exception as exc:
        raise ValueError(f"cannot resolve size '{value}' with dims {dims}") from exc


def shape_of(shape: list, dims: dict[str, int]) -> tuple[int, ...]:
    return tuple(resolve(s, dims) for s in shape)


def _keep(g: Keep, dims: dict[str, int], gen: torch.Generator) -> torch.Tensor:
    shape = shape_of(g.keep, dims)
    keep = torch.rand(shape, generator=gen, dtype=torch.float64) < g.p
    # every row keeps at least one key unless it is chosen to be empty
    first = torch.randint(0, shape[-1], shape[:-1], generator=gen)
    keep.scatter_(-1, first.unsqueeze(-1), True)
    if g.empty_rows:
        keep[..., : g.empty_rows, :] = False
    return keep


def _padding(g: Padding, dims: dict[str, int], gen: torch.Generator) -> torch.Tensor:
    b, length = shape_of(g.padding, dims)
    lengths = torch.randint(1, length + 1, (b,), generator=gen)
    lengths[0] = length  # row 0 is full and row 1 (if any) is padded, so both kinds always appear
    if b > 1 and length > 1:
        lengths[1] = int(torch.randint(1, length, (1,), generator=gen))
    pos = torch.arange(length)
    keep = pos.unsqueeze(0) >= (length - lengths).unsqueeze(1) if g.left else pos.unsqueeze(0) < lengths.unsqueeze(1)
    return keep if g.true_is == "keep" else ~keep


def make_arg(spec: Any, dims: dict[str, int], gen: torch.Generator) -> Any:
    """Materialise one argument in float64 (float tensors are cast to the grading dtype later)."""
    if isinstance(spec, Randn):
        t = torch.randn(shape_of(spec.randn, dims), generator=gen, dtype=torch.float64) * spec.std
        return t.softmax(-1) if spec.softmax else t
    if isinstance(spec, Weight):
        out_f, in_f = shape_of(spec.weight, dims)
        bound = 1.0 / math.sqrt(in_f)
        return (torch.rand((out_f, in_f), generator=gen, dtype=torch.float64) * 2 - 1) * bound
    if isinstance(spec, Keep):
        return _keep(spec, dims, gen)
    if isinstance(spec, Additive):
        shape = shape_of(spec.additive, dims)
        keep = _keep(Keep(keep=spec.additive, p=spec.p, empty_rows=spec.empty_rows), dims, gen)
        bias = torch.randn(shape, generator=gen, dtype=torch.float64) * spec.bias
        return bias.masked_fill(~keep, float("-inf"))
    if isinstance(spec, Padding):
        return _padding(spec, dims, gen)
    if isinstance(spec, Arange):
        start = resolve(spec.start, dims)
        return torch.arange(start, start + resolve(spec.arange, dims), dtype=torch.int64)
    if isinstance(spec, Randint):
        return torch.randint(resolve(spec.low, dims), resolve(spec.high, dims), shape_of(spec.randint, dims),
                             generator=gen, dtype=torch.int64)
    if isinstance(spec, Const):
        dtype = {"float": torch.float64, "int64": torch.int64, "int32": torch.int32, "bool": torch.bool}[spec.dtype]
        return torch.tensor(spec.tensor, dtype=dtype)
    if isinstance(spec, ListOf):
        return [make_arg(s, dims, gen) for s in spec.items]
    if isinstance(spec, list):
        return list(spec)
    return spec


def make_args(specs: dict[str, Any], dims: dict[str, int], seed: int) -> dict[str, Any]:
    """All arguments of a call, in float64, drawn from one generator seeded with `seed`."""
    gen = torch.Generator().manual_seed(seed)
    return {name: make_arg(spec, dims, gen) for name, spec in specs.items()}


def noise_like(t: torch.Tensor, gen: torch.Generator, scale: float) -> torch.Tensor:
    """Gaussian noise of `t`'s shape, dtype and device, drawn in float64 from `gen`, times `scale`."""
    return (torch.randn(t.shape, generator=gen, dtype=torch.float64) * scale).to(t.device, t.dtype)


def cast(value: Any, dtype: torch.dtype, device: str) -> Any:
    """Float tensors to `dtype` on `device`; other tensors only moved; '$dtype'/'$device' and fixed dtypes
    such as '$float16' (for arguments that name a dtype) resolved."""
    if isinstance(value, torch.Tensor):
        if value.is_floating_point():
            return value.to(device=device, dtype=dtype)
        return value.to(device)
    if value == "$dtype":
        return dtype
    if isinstance(value, str) and value.startswith("$") and value[1:] in DTYPES:  # a fixed dtype, e.g. "$float16"
        return DTYPES[value[1:]]
    if value == "$device":
        return device
    if isinstance(value, dict):
        return {k: cast(v, dtype, device) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(cast(v, dtype, device) for v in value)
    return value


def clone(value: Any) -> Any:
    """A deep copy of tensors inside `value` (dicts, lists and tuples followed)."""
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(clone(v) for v in value)
    return value
