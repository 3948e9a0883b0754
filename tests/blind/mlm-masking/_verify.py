"""Verify the blind2 labels of mlm-masking with exact rules and statistical tests (5-sigma bounds)."""
import math
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from _harness_blind2 import collect, run  # noqa: E402


def batch(B, L, vocab, mask_id, seed):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab - 1, (B, L), generator=g)
    ids = ids + (ids >= mask_id).long()  # never the [MASK] id, so a [MASK] in the output is always a change
    lens = torch.randint(L // 2, L + 1, (B,), generator=g)
    pos = torch.arange(L)[None]
    special = (pos == 0) | (pos == lens[:, None] - 1) | (pos >= lens[:, None])
    return ids, special


def zcheck(problems, what, count, n, prob):
    sd = math.sqrt(n * prob * (1 - prob))
    z = (count - n * prob) / max(sd, 1e-9)
    if abs(z) > 5:
        problems.append(f"{what}: {count}/{n} = {count / max(n, 1):.4f}, expected {prob:.4f} (z = {z:.1f})")


def stats(fn, problems, p, vocab=1000, mask_id=4, B=600, L=96):
    ids, special = batch(B, L, vocab, mask_id, seed=11)
    ids0 = ids.clone()
    g = torch.Generator().manual_seed(123)
    inputs, labels = fn(ids, mask_id, vocab, special, g, p=p) if p != 0.15 else fn(ids, mask_id, vocab, special, g)
    if not torch.equal(ids, ids0):
        problems.append("input_ids modified in place")
        ids = ids0
    if inputs.shape != ids.shape or labels.shape != ids.shape:
        problems.append(f"shapes {tuple(inputs.shape)}, {tuple(labels.shape)}")
        return
    if inputs.dtype != torch.int64 or labels.dtype != torch.int64:
        problems.append(f"dtypes {inputs.dtype}, {labels.dtype} (int64 expected)")
    sel = labels != -100
    if (sel & special).any():
        problems.append(f"p={p}: {(sel & special).sum().item()} special tokens selected")
    if not torch.equal(labels[sel], ids[sel]):
        problems.append(f"p={p}: labels at selected positions are not the original ids")
    unsel = ~sel
    if not torch.equal(inputs[unsel], ids[unsel]):
        problems.append(f"p={p}: {(inputs[unsel] != ids[unsel]).sum().item()} unselected positions changed "
                        f"(labels there: {labels[unsel & (inputs != ids)][:5].tolist()})")
    normal = ~special
    n = int(normal.sum())
    zcheck(problems, f"p={p}: selection rate among non-special tokens", int(sel[normal].sum()), n, p)
    counts = (sel & normal).sum(1).double()
    nrow = normal.sum(1).double()
    ratio = ((counts - nrow * p) ** 2).sum().item() / (nrow * p * (1 - p)).sum().item()
    if not 0.6 < ratio < 1.5:
        problems.append(f"p={p}: per-row selection variance is {ratio:.2f} x the binomial one (fixed count?)")
    ns = int(sel.sum())
    if ns == 0:
        return
    to_mask = (inputs == mask_id) & sel
    changed = (inputs != ids) & ~to_mask & sel
    kept = (inputs == ids) & sel
    zcheck(problems, f"p={p}: share of selected replaced by [MASK]", int(to_mask.sum()), ns, 0.8 + 0.1 / vocab)
    zcheck(problems, f"p={p}: share of selected given another random id", int(changed.sum()), ns,
           0.1 * (1 - 2 / vocab))
    zcheck(problems, f"p={p}: share of selected left unchanged", int(kept.sum()), ns, 0.1 + 0.1 / vocab)


def random_ids_cover_vocab(fn, problems):
    vocab, mask_id = 8, 3
    ids, special = batch(800, 64, vocab, mask_id, seed=5)
    inputs, labels = fn(ids.clone(), mask_id, vocab, special, torch.Generator().manual_seed(9), p=0.5)
    sel = labels != -100
    new = inputs[sel & (inputs != ids) & (inputs != mask_id)]
    seen = set(new.tolist())
    if not seen:
        problems.append("no random replacement at all")
        return
    if min(seen) < 0 or max(seen) >= vocab:
        problems.append(f"random ids outside [0, {vocab}): {sorted(seen)}")
    missing = sorted(set(range(vocab)) - {mask_id} - seen)
    if missing:
        problems.append(f"random ids never drawn: {missing} (vocab_size={vocab}, {new.numel()} random draws)")


def determinism(fn, problems):
    ids, special = batch(64, 40, 500, 4, seed=3)
    torch.manual_seed(1)
    a = fn(ids.clone(), 4, 500, special, torch.Generator().manual_seed(77))
    torch.manual_seed(2)
    torch.rand(10)
    b = fn(ids.clone(), 4, 500, special, torch.Generator().manual_seed(77))
    if not (torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])):
        problems.append("the same generator seed gives different outputs (global RNG used?)")
    c = fn(ids.clone(), 4, 500, special, torch.Generator().manual_seed(78))
    if torch.equal(a[0], c[0]) and torch.equal(a[1], c[1]):
        problems.append("different generator seeds give identical outputs")
    try:
        torch.manual_seed(5)
        d = fn(ids.clone(), 4, 500, special, None)
        torch.manual_seed(5)
        e = fn(ids.clone(), 4, 500, special, None)
        if not torch.equal(d[0], e[0]):
            problems.append("generator=None is not reproducible through torch.manual_seed")
    except Exception as err:  # noqa: BLE001
        problems.append(f"generator=None raised {type(err).__name__}: {err}")


def check(fn):
    problems = []
    for p in (0.15, 0.3):
        stats(fn, problems, p)
    random_ids_cover_vocab(fn, problems)
    determinism(fn, problems)
    collect(problems, None)
    return problems


if __name__ == "__main__":
    sys.exit(run(pathlib.Path(__file__).parent, "mlm_mask", check, sys.argv[1:]))
