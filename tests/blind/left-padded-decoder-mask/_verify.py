"""Blind labels for left-padded-decoder-mask: exact oracle (tril AND real key; positions from the first real token,
pads 1) and the ValueError cases (not 2-D, a 0 after a 1)."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import Case, E, Raises, main  # noqa: E402


def oracle(am):
    real = am.bool()
    length = real.shape[1]
    mask = torch.ones(length, length, dtype=torch.bool).tril()[None, None] & real[:, None, None, :]
    pos = torch.ones(real.shape, dtype=torch.int64)
    for r in range(real.shape[0]):
        n = int((~real[r]).sum())
        pos[r, n:] = torch.arange(length - n)
    return E(mask, torch.bool), E(pos, torch.int64)


def left_padded(pads, length, dtype):
    return torch.stack([torch.arange(length) >= p for p in pads]).to(dtype)


def cases():
    out = []
    ex = torch.tensor([[0, 0, 1, 1, 1]])
    assert oracle(ex)[1].value.tolist() == [[1, 1, 0, 1, 2]]
    for dtype in (torch.int64, torch.bool):
        for pads, length in (([2, 0, 5], 5), ([0], 1), ([1], 1), ([3, 1, 0, 6], 6), ([0, 0], 4)):
            am = left_padded(pads, length, dtype)
            out.append(Case(f"{dtype}-pads={pads}-L={length}", lambda f, a=am: f(a), oracle(am), [am]))
        bad = {
            "right-padded": torch.tensor([[1, 1, 0], [0, 1, 1]]),
            "hole": torch.tensor([[0, 1, 0, 1]]),
            "1-D": torch.tensor([0, 1, 1]),
            "3-D": torch.ones(2, 1, 3, dtype=torch.int64),
        }
        for nm, am in bad.items():
            am = am.to(dtype)
            out.append(Case(f"{dtype}-raise-{nm}", lambda f, a=am: f(a), Raises(ValueError), [am]))
    return out


if __name__ == "__main__":
    main(__file__, "decoder_mask_and_positions", cases())
