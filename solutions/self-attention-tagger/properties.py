"""Token-id inputs cannot be perturbed by the generic checks, so padding and batch invariance are tested here."""

from __future__ import annotations

import torch


def _changed(a, b, where):
    diff = float((a - b)[where].abs().max()) if where.any() else 0.0
    return diff > 1e-6 * (1 + float(a.abs().max()))


def padding_ignored(call, args):
    """changing the token ids at padded positions leaves the logits of every real token unchanged"""
    ids, mask = args["ids"], args["mask"]
    base = call(ids=ids, mask=mask)[0]
    top = max(int(ids.max()) + 1, 2)
    shift = torch.randint(1, top, ids.shape, generator=torch.Generator().manual_seed(10_007)).to(ids.device)
    out = call(ids=torch.where(mask, ids, (ids + shift) % top), mask=mask)[0]  # every pad id changes
    if _changed(out, base, mask):
        return "the logits of real tokens changed when only the padding changed: pad keys are not masked"
    return None


def batch_independent(call, args):
    """changing the last example of the batch leaves the other examples' logits unchanged"""
    ids, mask = args["ids"], args["mask"]
    base = call(ids=ids, mask=mask)[0]
    changed = ids.clone()
    changed[-1] = (ids[-1] + 1) % max(int(ids.max()) + 1, 2)  # every id of the last example changes
    out = call(ids=changed, mask=mask)[0]
    keep = torch.zeros_like(mask)
    keep[:-1] = True
    if _changed(out, base, keep):
        return "changing the last example changed another example's logits: check reshapes and mask broadcasting"
    return None
