"""Blind labels for prefix-lm-mask: a per-element Python oracle over prefix/length combinations (P = 0, P = n = L,
right padding, B = 1), int32 and int64 inputs, inputs not mutated, every must-raise input."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import Case, E, Raises, main  # noqa: E402


def oracle(prefix, seq_len, lengths):
    b = len(prefix)
    n = [seq_len] * b if lengths is None else lengths
    m = torch.zeros(b, 1, seq_len, seq_len, dtype=torch.bool)
    for r in range(b):
        for i in range(seq_len):
            for j in range(seq_len):
                m[r, 0, i, j] = j < n[r] and (j <= i or j < prefix[r])
    return E(m, torch.bool)


GOOD = [
    ([2], 5, None),  # the prompt's example
    ([0, 3, 5], 5, None),  # plain causal, a prefix, fully bidirectional
    ([1, 0, 2, 4], 6, [3, 6, 2, 4]),  # right padding, P = n
    ([2, 0], 4, [4, 0]),  # a row with no real token
    ([0], 1, [1]),
    ([3, 1, 0], 7, [5, 7, 1]),
]
BAD = {
    "prefix-2d": (torch.tensor([[1, 2]]), 4, None),
    "lengths-shape": (torch.tensor([1, 2]), 4, torch.tensor([3, 3, 3])),
    "negative-prefix": (torch.tensor([-1, 2]), 4, None),
    "prefix-longer-than-length": (torch.tensor([3, 1]), 5, torch.tensor([2, 5])),
    "length-longer-than-L": (torch.tensor([1, 1]), 4, torch.tensor([4, 5])),
    "prefix-longer-than-L": (torch.tensor([5]), 4, None),
}


def cases():
    out = []
    for dtype in (torch.int64, torch.int32):
        for prefix, seq_len, lengths in GOOD:
            p = torch.tensor(prefix, dtype=dtype)
            n = None if lengths is None else torch.tensor(lengths, dtype=dtype)
            inputs = [p] if n is None else [p, n]
            run = (lambda f, p=p, s=seq_len: f(p, s)) if n is None else (lambda f, p=p, s=seq_len, n=n: f(p, s, n))
            out.append(Case(f"{dtype}-P={prefix}-L={seq_len}-n={lengths}", run, oracle(prefix, seq_len, lengths),
                            inputs))
    for name, args in BAD.items():
        out.append(Case(f"raises-{name}", lambda f, a=args: f(*a), Raises(ValueError)))
    return out


if __name__ == "__main__":
    main(__file__, "prefix_lm_mask", cases())
