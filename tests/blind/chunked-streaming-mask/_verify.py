"""Blind labels for chunked-streaming-mask: loop oracle over (T, chunk_size, left_chunks), bool dtype, the
device argument (checked on the meta device), and chunk_size < 1 raising ValueError."""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import Case, E, Raises, main  # noqa: E402


def oracle(T, cs, left):
    m = torch.zeros(T, T, dtype=torch.bool)
    for i in range(T):
        for j in range(T):
            ci, cj = i // cs, j // cs
            m[i, j] = cj <= ci and (left < 0 or ci - cj <= left)
    return m


def cases():
    out = []
    for T in (1, 2, 5, 7, 8, 12, 13):
        for cs in (1, 2, 3, 4, 16):
            for left in (-1, -3, 0, 1, 2, 10):
                out.append(Case(f"T{T}-cs{cs}-left{left}", lambda f, a=(T, cs, left): f(*a), E(oracle(T, cs, left), torch.bool)))
    out.append(Case("default-left", lambda f: f(9, 2), E(oracle(9, 2, -1), torch.bool)))
    out.append(Case("keyword-args", lambda f: f(T=10, chunk_size=3, left_chunks=1, device="cpu"), E(oracle(10, 3, 1), torch.bool)))
    out.append(Case("T0", lambda f: f(0, 2), E(oracle(0, 2, -1), torch.bool)))
    out.append(Case("device-meta", lambda f: f(6, 2, 1, device=torch.device("meta")).device.type, "meta"))
    out.append(Case("device-meta-str", lambda f: f(5, 3, device="meta").device.type, "meta"))
    for cs in (0, -1, -4):
        out.append(Case(f"raise-cs{cs}", lambda f, c=cs: f(6, c), Raises(ValueError)))
        out.append(Case(f"raise-cs{cs}-left0", lambda f, c=cs: f(6, c, 0), Raises(ValueError)))
    return out


if __name__ == "__main__":
    main(__file__, "chunk_causal_mask", cases())
