"""Calling candidates: how leaves are described in messages, and how a candidate module gets the reference's weights."""

from __future__ import annotations

import pytest
import torch

from grader.invoke import BadOutput, Raised, WeightError, describe, flatten, load_weights


def test_describe_names_each_leaf_kind() -> None:
    leaves = [torch.zeros(2, 3), Raised("ValueError"), None, 1.5, torch.tensor(1)]
    assert describe(leaves) == "Tensor[2, 3], raised ValueError, None, 1.5, Tensor[]"
    assert describe([]) == "nothing"


def test_flatten_keeps_leaves_in_order_and_rejects_other_outputs() -> None:
    a, b = torch.zeros(1), torch.ones(2)
    assert flatten((a, [None, (b, 3)])) == [a, None, b, 3]
    with pytest.raises(BadOutput, match="returned a builtins.dict, which is not a tensor"):
        flatten({"x": a})


class _Proj(torch.nn.Module):
    def __init__(self, out_f: int = 3, in_f: int = 2, bias: bool = True):
        super().__init__()
        self.proj = torch.nn.Linear(in_f, out_f, bias=bias)

    def forward(self, x):
        return self.proj(x)


def _weights(out_f: int = 3, in_f: int = 2) -> dict[str, torch.Tensor]:
    w = torch.arange(out_f * in_f, dtype=torch.float64).reshape(out_f, in_f) / 8
    return {"proj.weight": w, "proj.bias": torch.full((out_f,), 0.5, dtype=torch.float64)}


def test_weights_are_loaded_by_name_in_the_grading_dtype() -> None:
    m = _Proj()
    load_weights(m, _weights(), torch.float32, "cpu")
    assert m.proj.weight.dtype == torch.float32 and m.proj.bias.dtype == torch.float32
    assert torch.equal(m.proj.weight, _weights()["proj.weight"].float())
    assert torch.equal(m.proj.bias, torch.full((3,), 0.5))
    load_weights(m, _weights(), torch.float64, "cpu")
    assert m.proj.weight.dtype == torch.float64 and torch.equal(m.proj.weight, _weights()["proj.weight"])


def test_no_weights_leaves_the_module_alone() -> None:
    m = _Proj()
    before = {k: v.clone() for k, v in m.state_dict().items()}
    load_weights(m, None, torch.float64, "cpu")
    assert all(torch.equal(before[k], v) and v.dtype == torch.float32 for k, v in m.state_dict().items())


def test_missing_and_unexpected_parameter_names_are_both_named() -> None:
    with pytest.raises(WeightError) as err:
        load_weights(_Proj(bias=False), {**_weights(), "other": torch.zeros(1)}, torch.float32, "cpu")
    assert str(err.value) == "parameter names differ from the question's: missing other, proj.bias"
    with pytest.raises(WeightError) as err:
        load_weights(_Proj(), {"proj.weight": _weights()["proj.weight"]}, torch.float32, "cpu")
    assert str(err.value) == "parameter names differ from the question's: unexpected proj.bias"
    with pytest.raises(WeightError) as err:
        load_weights(_Proj(), {"a": torch.zeros(1), "b": torch.zeros(1)}, torch.float32, "cpu")
    assert str(err.value) == ("parameter names differ from the question's: missing a, b; "
                              "unexpected proj.bias, proj.weight")


def test_a_shape_mismatch_names_the_parameter_and_both_shapes() -> None:
    with pytest.raises(WeightError) as err:
        load_weights(_Proj(out_f=3, in_f=4), _weights(), torch.float32, "cpu")
    assert str(err.value) == "parameter `proj.weight` has shape [3, 4], expected [3, 2]"
