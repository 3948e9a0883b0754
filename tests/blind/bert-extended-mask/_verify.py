"""Blind labels for bert-extended-mask: exact comparison with 0 / finfo(dtype).min in [B, 1, 1, L]."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import Case, E, main  # noqa: E402


def oracle(mask, dtype):
    keep = mask.bool()[:, None, None, :]
    val = torch.zeros(keep.shape, dtype=torch.float64).masked_fill(~keep, torch.finfo(dtype).min)
    return E(val, dtype, tol=0.0)


def cases():
    g = torch.Generator().manual_seed(1)
    out = []
    for dtype in (torch.float32, torch.float16, torch.bfloat16, torch.float64):
        for mdtype in (torch.int64, torch.bool, torch.int32):
            for b, length in ((2, 5), (3, 1), (1, 7)):
                m = (torch.rand(b, length, generator=g) > 0.4).to(mdtype)
                m[0] = 0  # an all-padding row
                if b > 1:
                    m[-1] = 1
                out.append(
                    Case(f"{dtype}-{mdtype}-{b}x{length}", lambda f, m=m, d=dtype: f(m, d), oracle(m, dtype), [m])
                )
    return out


if __name__ == "__main__":
    main(__file__, "extended_attention_mask", cases())
