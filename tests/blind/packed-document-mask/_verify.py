"""Blind labels for packed-document-mask: a per-token Python oracle, empty documents, padding, causal on/off,
int32 and int64 cu_seqlens, inputs not mutated, every must-raise input."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import Case, E, Raises, main  # noqa: E402


def oracle(cu, total, causal):
    cu = [int(x) for x in cu]
    t = cu[-1] if total is None else total
    doc = [-1] * t
    pos = [0] * t
    for d, (a, b) in enumerate(zip(cu, cu[1:])):
        for i in range(a, b):
            doc[i], pos[i] = d, i - a
    mask = torch.zeros(t, t, dtype=torch.bool)
    for i in range(t):
        for j in range(t):
            mask[i, j] = doc[i] >= 0 and doc[i] == doc[j] and (j <= i or not causal)
    return E(mask, torch.bool), E(torch.tensor(pos, dtype=torch.int64), torch.int64)


GOOD = [
    ([0, 3, 5], 6),  # the prompt's example
    ([0, 3, 5], None),
    ([0, 4], None),
    ([0, 2, 2, 5, 6], 9),  # an empty document in the middle
    ([0, 0, 3], 3),  # an empty first document
    ([0, 3, 5, 5], None),  # a trailing empty document, no padding
    ([0, 1, 2, 3], 5),  # one-token documents
    ([0], 3),  # no document at all: only padding
    ([0], None),  # nothing at all
    ([0, 7], 7),
]
BAD = {
    "2-D": torch.tensor([[0, 3, 5]]),
    "empty": torch.tensor([], dtype=torch.int64),
    "no-leading-zero": torch.tensor([1, 3, 5]),
    "decreasing": torch.tensor([0, 4, 2, 6]),
}


def cases():
    out = []
    for dtype in (torch.int64, torch.int32):
        for cu, total in GOOD:
            for causal in (True, False):
                t = torch.tensor(cu, dtype=dtype)

                def run(f, t=t, total=total, causal=causal):
                    return f(t, total, causal) if total is not None else f(t, causal=causal)

                out.append(Case(f"{dtype}-cu={cu}-T={total}-causal={causal}", run, oracle(cu, total, causal), [t]))
        t = torch.tensor([0, 2, 5], dtype=dtype)
        out.append(Case(f"{dtype}-default-causal", lambda f, t=t: f(t, 6), oracle([0, 2, 5], 6, True), [t]))
    for name, t in BAD.items():
        out.append(Case(f"raises-{name}", lambda f, t=t: f(t), Raises(ValueError)))
    out.append(Case("raises-total_len-short", lambda f: f(torch.tensor([0, 3, 5]), 4), Raises(ValueError)))
    return out


if __name__ == "__main__":
    main(__file__, "packed_document_mask", cases())
