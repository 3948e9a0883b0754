"""Blind labels for build-attention-mask: exact bool oracle (not padding AND j <= o + i when causal)."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import Case, E, Raises, main  # noqa: E402


def oracle(kpm, lq, causal, off):
    b, lk = kpm.shape
    m = (~kpm)[:, None, None, :].expand(b, 1, lq, lk)
    if causal:
        o = lk - lq if off is None else off
        m = m & (torch.arange(lk)[None, :] <= torch.arange(lq)[:, None] + o)
    return m


def cases():
    g = torch.Generator().manual_seed(12)
    out = []
    for b, lk in ((2, 6), (3, 1), (1, 9), (4, 5)):
        kpm = torch.rand(b, lk, generator=g) < 0.3
        kpm[0, : (lk + 1) // 2] = True  # left padding on row 0
        if b > 2:
            kpm[1] = True  # all padding
        settings = [
            (lk, True, None),
            (1, True, None),
            (max(lk - 2, 1), True, None),
            (1, True, 0),
            (2 if lk >= 3 else 1, True, 1 if lk >= 3 else 0),
            (lk, False, None),
            (lk + 3, False, None),
            (2, False, 99),
            (1, True, lk - 1),
        ]
        for lq, causal, off in settings:
            exp = E(oracle(kpm, lq, causal, off), torch.bool)
            out.append(
                Case(
                    f"{(b, lk)}-lq={lq}-causal={causal}-off={off}",
                    lambda f, a=(kpm, lq, causal, off): f(*a),
                    exp,
                    [kpm],
                )
            )
        for lq, off in ((lk + 1, None), (1, -1), (2, lk - 1), (1, lk)):
            out.append(
                Case(
                    f"{(b, lk)}-raise-lq={lq}-off={off}",
                    lambda f, a=(kpm, lq, True, off): f(*a),
                    Raises(ValueError),
                    [kpm],
                )
            )
    return out


if __name__ == "__main__":
    main(__file__, "build_attention_mask", cases())
