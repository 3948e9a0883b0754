"""The numeric policy, pinned without a subprocess: k x baseline error + rounding floor, and how leaves compare."""

from __future__ import annotations

import math

import pytest
import torch

from grader.tolerance import finite_absmax, leaves_close, max_abs, rounding_floor, tf32_floor, tolerance, worst

# values exactly representable in every float dtype, so the floor is only the +0.3/-0.3 round trip
GOLDEN = torch.tensor([[0.5, -0.25, 0.75], [1.0, -1.0, 0.125]], dtype=torch.float64)
DELTA = torch.tensor([[1.0, -1.0, 0.5], [0.25, 1.0, -0.75]], dtype=torch.float64) * 1e-3  # max |DELTA| = 1e-3


def _candidate(ratio: float) -> torch.Tensor:
    return GOLDEN + ratio * DELTA


@pytest.mark.parametrize("ratio, passes", [(0.0, True), (1.0, True), (2.9, True), (3.1, False), (10.0, False)])
def test_k_is_three_times_the_baseline_error(ratio: float, passes: bool) -> None:
    baseline = (GOLDEN + DELTA).to(torch.float32)  # the reference in float32, 1e-3 off the oracle
    tol = tolerance(GOLDEN, baseline, torch.float32)
    assert rounding_floor(GOLDEN, torch.float32) < 0.01 * 1e-3  # the floor cannot blur 2.9x from 3.1x
    assert leaves_close(_candidate(ratio).to(torch.float32), GOLDEN, tol) is passes


def test_tolerance_is_k_times_baseline_error_plus_floor() -> None:
    baseline = (GOLDEN + DELTA).float()
    err, floor = max_abs(baseline, GOLDEN), rounding_floor(GOLDEN, torch.float32)
    assert err == pytest.approx(1e-3, rel=1e-4)
    assert tolerance(GOLDEN, baseline, torch.float32) == pytest.approx(3 * err + floor, rel=1e-12)
    assert tolerance(GOLDEN, baseline, torch.float32, k=5.0) == pytest.approx(5 * err + floor, rel=1e-12)


def test_tolerance_of_exact_leaves_is_zero() -> None:
    assert tolerance(torch.tensor([1, 2]), torch.tensor([1, 2]), torch.float32) == 0.0
    assert tolerance(True, True, torch.float32) == 0.0


def test_floor_follows_the_dtype_the_baseline_comes_in() -> None:
    """A float32 output of a bfloat16 run (a float32 log-sum-exp) gets float32's floor, not bfloat16's."""
    g = torch.tensor([1 / 3, 2 / 3], dtype=torch.float64)
    as_f32 = tolerance(g, g.float(), torch.bfloat16)
    as_bf16 = tolerance(g, g.to(torch.bfloat16), torch.bfloat16)
    assert as_f32 < as_bf16


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_rounding_floor_is_twice_the_round_trip_error(dtype: torch.dtype) -> None:
    g = torch.linspace(-3, 3, 101, dtype=torch.float64)
    r = ((g.to(dtype) + 0.3) - 0.3).to(torch.float64)
    assert rounding_floor(g, dtype) == pytest.approx(2 * float((r - g).abs().max()), rel=1e-12)
    # an output that is the oracle rounded to the dtype always passes with a perfect baseline
    assert leaves_close(g.to(dtype), g, tolerance(g, g.to(dtype), dtype))


def test_rounding_floor_pinned_values() -> None:
    g = torch.tensor([1 / 3], dtype=torch.float64)
    one_third_f16 = 0.333251953125
    assert rounding_floor(g, torch.float16) == pytest.approx(2 * abs(one_third_f16 - 1 / 3), rel=1e-9)
    assert rounding_floor(g, torch.bfloat16) > rounding_floor(g, torch.float16) > rounding_floor(g, torch.float32)
    assert 0 < rounding_floor(g, torch.float32) < 1e-7


def test_float64_floor_allows_reordered_sums() -> None:
    g = torch.tensor([100.0, -2.0], dtype=torch.float64)
    assert rounding_floor(g, torch.float64) == pytest.approx(1e-12 * 101, rel=1e-6)
    assert leaves_close(g + 5e-11, g, tolerance(g, g, torch.float64))
    assert not leaves_close(g + 5e-10, g, tolerance(g, g, torch.float64))


def test_floor_ignores_non_finite_values() -> None:
    assert rounding_floor(torch.tensor([math.inf, math.nan], dtype=torch.float64), torch.float16) == 0.0
    with_inf = torch.tensor([1 / 3, math.inf], dtype=torch.float64)
    assert rounding_floor(with_inf, torch.float16) == rounding_floor(with_inf[:1], torch.float16)


def test_max_abs_skips_non_finite_positions() -> None:
    a = torch.tensor([1.0, math.nan, math.inf, 2.0])
    b = torch.tensor([1.5, 0.0, math.inf, 2.25])
    assert max_abs(a, b) == 0.5
    assert max_abs(torch.tensor([math.nan]), torch.tensor([1.0])) == 0.0


def test_leaves_close_requires_the_same_non_finite_pattern() -> None:
    e = torch.tensor([0.0, math.inf, -math.inf, math.nan])
    assert leaves_close(e.clone(), e, 0.0)
    assert not leaves_close(torch.tensor([0.0, math.inf, math.inf, math.nan]), e, 1.0)  # sign of inf
    assert not leaves_close(torch.tensor([0.0, math.inf, -math.inf, 0.0]), e, 1.0)      # NaN vs finite
    assert not leaves_close(torch.tensor([math.nan, math.inf, -math.inf, math.nan]), e, 1.0)


def test_leaves_close_shapes_kinds_and_exact_leaves() -> None:
    e = torch.zeros(2, 3)
    assert not leaves_close(torch.zeros(3, 2), e, 1.0)
    assert not leaves_close(0.0, e, 1.0)
    assert leaves_close(torch.tensor([1, 2]), torch.tensor([1, 2]), 0.0)
    assert not leaves_close(torch.tensor([1, 3]), torch.tensor([1, 2]), 10.0)  # integers compare exactly
    assert leaves_close(torch.tensor([True]), torch.tensor([True]), 0.0)
    assert leaves_close(1.0 + 1e-10, 1.0, 0.0)          # floats: 1e-9 relative at least
    assert not leaves_close(1.1, 1.0, 0.05)
    assert leaves_close(1.04, 1.0, 0.05)
    assert leaves_close(3, 3, 0.0) and not leaves_close(3, 4, 0.0)
    assert not leaves_close(1, True, 0.0) and leaves_close(None, None, 0.0)


def test_worst_names_the_largest_error_and_treats_nan_as_infinite() -> None:
    e = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = worst(torch.tensor([[1.0, 2.5], [3.0, 4.1]]), e)
    assert w.index == (0, 1) and w.expected == 2.0 and w.got == 2.5
    assert w.abs_err == pytest.approx(0.5) and w.rel_err == pytest.approx(0.25)
    assert worst(torch.tensor([[1.0, 2.5], [math.nan, 4.0]]), e).index == (1, 0)


def test_finite_absmax() -> None:
    assert finite_absmax(torch.tensor([-3.0, math.inf, 2.0])) == 3.0
    assert finite_absmax(torch.tensor([math.nan]), empty=1.0) == 1.0


def test_float_scalars_pass_at_exactly_the_tolerance() -> None:
    assert leaves_close(1.5, 1.0, 0.5) and not leaves_close(1.5, 1.0, 0.4999)
    assert leaves_close(torch.tensor([1.5]), torch.tensor([1.0]), 0.5)
    assert not leaves_close(torch.tensor([1.5]), torch.tensor([1.0]), 0.4999)


def test_exact_leaves_compare_across_integer_dtypes() -> None:
    assert leaves_close(torch.tensor([1, 2], dtype=torch.int32), torch.tensor([1, 2]), 0.0)
    assert leaves_close(torch.tensor([1, 0], dtype=torch.uint8), torch.tensor([True, False]), 0.0)


def test_tolerance_floor_uses_the_baseline_dtype_not_the_grading_dtype() -> None:
    g = torch.tensor([1 / 3, 2 / 3], dtype=torch.float64)
    assert tolerance(g, g.float(), torch.bfloat16) < rounding_floor(g, torch.bfloat16)
    assert tolerance(g, g.to(torch.bfloat16), torch.float32) >= rounding_floor(g, torch.bfloat16)


def test_worst_counts_a_finite_value_where_the_oracle_is_nan_as_infinite() -> None:
    e = torch.tensor([1.0, math.nan, 3.0])
    w = worst(torch.tensor([1.5, 2.0, 3.0]), e)
    assert w.index == (1,) and w.abs_err == math.inf


def test_finite_absmax_defaults_to_zero() -> None:
    assert finite_absmax(torch.tensor([math.nan, math.inf])) == 0.0
    assert finite_absmax(torch.tensor([-2.0, 1.0])) == 2.0


def test_tf32_floor_only_for_float32_on_cuda_with_tf32_allowed() -> None:
    # pure policy (no CUDA call): 1e-3 relative to the output's largest finite value, at least 1e-3
    big = torch.tensor([[4.0, -8.0], [math.inf, 2.0]])
    before = torch.backends.cuda.matmul.allow_tf32
    try:
        torch.backends.cuda.matmul.allow_tf32 = True
        assert tf32_floor(big, torch.float32, "cuda") == pytest.approx(8e-3)
        assert tf32_floor(big / 100, torch.float32, "cuda") == pytest.approx(1e-3)
        assert tf32_floor(big, torch.float32, "cpu") == 0.0
        assert tf32_floor(big, torch.float16, "cuda") == 0.0
        assert tf32_floor(torch.tensor([3, 4]), torch.float32, "cuda") == 0.0
        assert tf32_floor(2.0, torch.float32, "cuda") == 0.0
        torch.backends.cuda.matmul.allow_tf32 = False
        assert tf32_floor(big, torch.float32, "cuda") == 0.0
    finally:
        torch.backends.cuda.matmul.allow_tf32 = before


def test_float64_floor_is_1e_12_relative_to_one_plus_the_largest_value() -> None:
    golden = torch.tensor([0.5, -1.0, 0.25], dtype=torch.float64)
    assert rounding_floor(golden, torch.float64) == pytest.approx(1e-12 * (1 + 1.0), rel=1e-3)
    assert rounding_floor(golden * 10, torch.float64) == pytest.approx(1e-12 * (1 + 10.0), rel=1e-3)


def test_a_non_float_baseline_takes_the_floor_of_the_grading_dtype() -> None:
    golden = torch.tensor([1.25, -2.5, 3.0], dtype=torch.float64)
    baseline = torch.tensor([1, -2, 3])  # an integer leaf where the oracle has floats
    want = 3 * 0.5 + rounding_floor(golden, torch.float16)
    assert tolerance(golden, baseline, torch.float16) == pytest.approx(want, rel=1e-12)


def test_worst_relative_error_against_an_expected_zero() -> None:
    w = worst(torch.tensor([0.0, 1.0]), torch.tensor([0.0, 0.0]))
    assert (w.index, w.abs_err) == ((1,), 1.0) and w.rel_err == pytest.approx(1e12)  # |err| / 1e-12


def test_float_scalars_allow_a_relative_1e_9() -> None:
    assert leaves_close(1e6 + 5e-4, 1e6, 0.0) and not leaves_close(1e6 + 2e-3, 1e6, 0.0)
    assert leaves_close(0.0, 0.0, 0.0) and not leaves_close(1e-12, 0.0, 0.0)


def test_worst_names_the_element_in_every_dimension():
    e = torch.zeros(2, 3, 4)
    g = e.clone()
    g[1, 2, 3] = 5.0
    g[0, 1, 0] = 1.0
    assert worst(g, e).index == (1, 2, 3)
    assert worst(torch.tensor(2.0), torch.tensor(1.0)).index == ()
