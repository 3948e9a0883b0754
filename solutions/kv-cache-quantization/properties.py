"""The error bound of symmetric int8 quantisation, checked on the candidate's own codes and scales."""

import torch


def _worst(x: torch.Tensor, codes: torch.Tensor, scale: torch.Tensor) -> float:
    """The largest |x - codes * scale| in units of that element's half step (the bound is 1)."""
    x, c, s = x.double(), codes.double(), scale.double()
    slack = 1e-5 * s + 1e-7 * x.abs()  # float32 arithmetic on float64 inputs
    return float(((x - c * s).abs() / (s / 2 + slack)).max()) if x.numel() else 0.0


def dequantised_within_half_a_step(call, args):
    """Every element decodes to within half a quantisation step: |x - codes * scale| <= scale / 2."""
    k_codes, k_scale, v_codes, v_scale = call(**args)
    if k_codes.dtype != torch.int8 or v_codes.dtype != torch.int8:
        return f"codes must be int8, got {k_codes.dtype} and {v_codes.dtype}"
    for name, codes in (("k", k_codes), ("v", v_codes)):
        if codes.numel() and int(codes.min()) < -127:
            return f"{name} codes reach {int(codes.min())}: the symmetric range is [-127, 127]"
    for name, scale in (("k", k_scale), ("v", v_scale)):
        if scale.numel() and not bool((scale > 0).all()):
            return f"{name}_scale has entries <= 0 (an all-zero group must get scale 1)"
    for name, x, codes, scale in (("k", args["k"], k_codes, k_scale), ("v", args["v"], v_codes, v_scale)):
        worst = _worst(x, codes, scale)
        if worst > 1:
            return f"{name} decodes up to {worst:.3g} half-steps away from the input (the bound is 1 half-step)"
    return None
