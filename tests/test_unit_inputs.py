"""Each input generator, seeded construction, sizes and casting, without a subprocess."""

from __future__ import annotations

import math

import pytest
import torch

from grader.inputs import cast, clone, make_arg, make_args, resolve, shape_of
from grader.schema_inputs import Additive, Arange, Const, Keep, ListOf, Padding, Randint, Randn, Weight

DIMS = {"B": 3, "H": 2, "L": 6, "D": 4}


def _arg(spec, seed: int = 0):
    return make_arg(spec, DIMS, torch.Generator().manual_seed(seed))


def test_resolve_and_shape() -> None:
    assert resolve(5, DIMS) == 5 and resolve("L", DIMS) == 6 and resolve("L - 1", DIMS) == 5
    assert resolve("B * H", DIMS) == 6 and shape_of(["B", 2, "D // 2"], DIMS) == (3, 2, 2)
    with pytest.raises(ValueError, match="cannot resolve size 'X'"):
        resolve("X", DIMS)
    with pytest.raises(ValueError):
        resolve("__import__('os')", DIMS)


def test_randn_shape_std_softmax_and_dtype() -> None:
    t = make_arg(Randn(randn=[400, 50], std=2.0), {}, torch.Generator().manual_seed(1))
    assert t.shape == (400, 50) and t.dtype == torch.float64
    assert 1.9 < float(t.std()) < 2.1 and abs(float(t.mean())) < 0.05
    p = _arg(Randn(randn=["B", "L"], softmax=True))
    assert (p > 0).all() and torch.allclose(p.sum(-1), torch.ones(3, dtype=torch.float64))


def test_weight_is_uniform_within_one_over_sqrt_fan_in() -> None:
    w = make_arg(Weight(weight=[64, 100]), {}, torch.Generator().manual_seed(0))
    assert w.shape == (64, 100)
    assert float(w.abs().max()) <= 0.1 and float(w.abs().max()) > 0.099
    assert float(w.min()) < 0 < float(w.max())


def test_keep_gives_every_row_a_key_unless_chosen_empty() -> None:
    k = make_arg(Keep(keep=[50, 4, 8], p=0.05), {}, torch.Generator().manual_seed(0))
    assert k.dtype == torch.bool and k.shape == (50, 4, 8)
    assert k.any(-1).all()                                 # at least one key per row, even at p = 0.05
    assert float(k.float().mean()) < 0.3
    e = make_arg(Keep(keep=[5, 4, 8], p=1.0, empty_rows=2), {}, torch.Generator().manual_seed(0))
    assert not e[:, :2].any() and e[:, 2:].all()           # the first empty_rows rows of each matrix are empty
    dense = make_arg(Keep(keep=[200, 50], p=0.7), {}, torch.Generator().manual_seed(0))
    assert 0.68 < float(dense.float().mean()) < 0.74


def test_the_guaranteed_key_can_be_any_key() -> None:
    # p so small that nearly every row keeps only its guaranteed key, drawn uniformly over the keys
    k = make_arg(Keep(keep=[1000, 4, 8], p=1e-9), {}, torch.Generator().manual_seed(0))
    assert torch.equal(k.sum(-1), torch.ones(1000, 4, dtype=torch.long))
    counts = k.flatten(0, 1).sum(0)
    assert counts.min() > 400 and counts.max() < 600     # each of the 8 keys about 500 times, the first and last too


def test_additive_is_minus_inf_where_masked_and_a_small_bias_elsewhere() -> None:
    a = make_arg(Additive(additive=[100, 40], p=0.5, bias=0.5), {}, torch.Generator().manual_seed(0))
    masked = torch.isneginf(a)
    assert masked.any() and (~masked).any(-1).all()
    assert torch.isfinite(a[~masked]).all() and 0.4 < float(a[~masked].std()) < 0.6


@pytest.mark.parametrize("left", [False, True])
@pytest.mark.parametrize("true_is", ["keep", "pad"])
def test_padding_rows_are_full_and_padded_on_the_right_side(left: bool, true_is: str) -> None:
    m = make_arg(Padding(padding=["B", "L"], left=left, true_is=true_is), DIMS, torch.Generator().manual_seed(3))
    keep = m if true_is == "keep" else ~m
    assert m.dtype == torch.bool and m.shape == (3, 6)
    assert keep[0].all()                                    # row 0 is full
    assert not keep[1].all() and keep[1].any()              # row 1 is padded, never empty
    for row in keep:                                        # kept positions are contiguous at one end
        n = int(row.sum())
        want = torch.arange(6) >= 6 - n if left else torch.arange(6) < n
        assert torch.equal(row, want)


@pytest.mark.parametrize("left", [False, True])
def test_padding_lengths_are_uniform_over_one_to_the_full_length(left: bool) -> None:
    def keep(b: int, length: int, seed: int) -> torch.Tensor:
        return make_arg(Padding(padding=[b, length], left=left), {}, torch.Generator().manual_seed(seed))

    kept = keep(300, 6, 0).sum(-1)
    assert kept[0] == 6 and 1 <= kept[1] <= 5
    assert set(kept.tolist()) == {1, 2, 3, 4, 5, 6}           # every length, the shortest (one key) included
    assert 0.10 < float((kept[2:] == 6).float().mean()) < 0.23  # a full row about one time in six
    assert torch.equal(keep(300, 6, 4), keep(300, 6, 4))       # seeded by the case's generator only
    assert all(keep(2, 6, s).sum(-1)[1] < 6 for s in range(20))  # with two rows the second is always padded
    assert all(keep(3, 2, s).sum(-1).tolist()[:2] == [2, 1] for s in range(20))
    assert keep(1, 6, 0).all() and keep(3, 1, 0).all()          # one row: full; one position: nothing to pad


def test_arange_randint_const_listof_and_plain_values() -> None:
    assert torch.equal(_arg(Arange(arange="L", start="B")), torch.arange(3, 9))
    r = make_arg(Randint(randint=[1000], low=2, high="L"), DIMS, torch.Generator().manual_seed(0))
    assert r.dtype == torch.int64 and int(r.min()) == 2 and int(r.max()) == 5    # high is exclusive
    assert _arg(Const(tensor=[[1, 0]], dtype="bool")).dtype == torch.bool
    assert _arg(Const(tensor=[1.5])).dtype == torch.float64
    assert _arg(Const(tensor=[3], dtype="int64")).dtype == torch.int64
    items = _arg(ListOf.model_validate({"list": [{"randn": ["D"]}, {"arange": 2}]}))
    assert items[0].shape == (4,) and torch.equal(items[1], torch.arange(2))
    assert _arg(7) == 7 and _arg(None) is None and _arg([1, 2]) == [1, 2]


def test_make_args_is_seeded() -> None:
    specs = {"q": Randn(randn=["B", "L", "D"]), "mask": Keep(keep=["B", "L", "L"])}
    a, b, c = make_args(specs, DIMS, 5), make_args(specs, DIMS, 5), make_args(specs, DIMS, 6)
    assert torch.equal(a["q"], b["q"]) and torch.equal(a["mask"], b["mask"])
    assert not torch.equal(a["q"], c["q"])


def test_cast_converts_floats_and_resolves_placeholders() -> None:
    value = {"x": torch.ones(2, dtype=torch.float64), "i": torch.arange(2), "d": "$dtype", "h": "$float16",
             "dev": "$device", "nested": [torch.zeros(1, dtype=torch.float64), ("$dtype", 3)], "s": "text"}
    out = cast(value, torch.bfloat16, "cpu")
    assert out["x"].dtype == torch.bfloat16 and out["i"].dtype == torch.int64
    assert out["d"] is torch.bfloat16 and out["h"] is torch.float16 and out["dev"] == "cpu"
    assert out["nested"][0].dtype == torch.bfloat16 and out["nested"][1] == (torch.bfloat16, 3)
    assert out["s"] == "text"


def test_clone_copies_tensors_deeply() -> None:
    value = {"a": [torch.zeros(2)], "b": (torch.ones(1),), "c": 1}
    copy = clone(value)
    copy["a"][0].add_(1)
    copy["b"][0].mul_(math.pi)
    assert float(value["a"][0].sum()) == 0 and float(value["b"][0]) == 1.0 and copy["c"] == 1


def test_size_expressions_reach_the_dims_and_no_builtins() -> None:
    # arithmetic over dim names only: a builtin is not a size, even one that would give a sensible number
    for expr in ("max(B, L)", "abs(-3)", "len('abc')", "int(L)"):
        with pytest.raises(ValueError, match="cannot resolve size"):
            resolve(expr, DIMS)


def test_softmax_rows_are_over_the_last_axis_of_any_rank() -> None:
    p = _arg(Randn(randn=["B", "H", "L"], softmax=True))
    assert p.shape == (3, 2, 6)
    assert torch.allclose(p.sum(-1), torch.ones(3, 2, dtype=torch.float64))


# every random generator, given its sizes by dim names
SEEDED = {
    "randn": Randn(randn=["B", "L"]),
    "weight": Weight(weight=["D", "L"]),
    "keep": Keep(keep=["B", "L", "L"]),
    "additive": Additive(additive=["B", "L", "L"]),
    "padding": Padding(padding=["B", "L"]),
    "randint": Randint(randint=["B", "L"], low="H", high="L"),
    "list": ListOf.model_validate({"list": [{"randn": ["D"]}, {"weight": ["H", "D"]}]}),
}


def _flat(value) -> torch.Tensor:
    return torch.cat([_flat(v) for v in value]) if isinstance(value, list) else value.flatten().double()


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_each_random_generator_draws_from_the_case_seed_only(name: str) -> None:
    def draw(seed: int, global_seed: int) -> torch.Tensor:
        torch.manual_seed(global_seed)        # the global generator must not matter
        return _flat(make_args({"x": SEEDED[name]}, DIMS, seed)["x"])

    first = draw(5, 0)
    assert torch.equal(first, draw(5, 1))
    assert any(not torch.equal(first, draw(s, 0)) for s in (6, 7, 8))


def test_weight_sizes_may_name_dims() -> None:
    w = _arg(Weight(weight=["D", "L"]))
    assert w.shape == (4, 6) and w.dtype == torch.float64 and float(w.abs().max()) <= 1 / math.sqrt(6)


def test_additive_follows_its_p_and_stays_float64() -> None:
    for p in (0.2, 0.9):
        a = make_arg(Additive(additive=[200, 50], p=p), {}, torch.Generator().manual_seed(0))
        assert a.dtype == torch.float64
        allowed = float(torch.isfinite(a).double().mean())   # p of the keys, plus the one guaranteed per row
        assert abs(allowed - (p + (1 - p) / 50)) < 0.03
        assert torch.isfinite(a).any(-1).all()              # no row is blocked everywhere
        assert not torch.isnan(a).any() and torch.isneginf(a[~torch.isfinite(a)]).all()


def test_randint_bounds_and_shape_may_name_dims() -> None:
    r = make_arg(Randint(randint=["B", "L"], low="H", high="L"), DIMS, torch.Generator().manual_seed(0))
    assert r.shape == (3, 6) and r.dtype == torch.int64
    assert int(r.min()) >= 2 and int(r.max()) <= 5
