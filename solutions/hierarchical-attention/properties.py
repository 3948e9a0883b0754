"""Token-id inputs cannot be perturbed by the generic checks: padding, sentence order and batch invariance."""

from __future__ import annotations

import torch


def _differ(a, b):
    return float((a - b).abs().max()) > 1e-6 * (1 + float(a.abs().max())) if a.numel() else False


def _ids_elsewhere(ids, keep, seed):
    """`ids` where `keep`, a different id everywhere else (a shift modulo the largest id, never 0)."""
    top = int(ids.max()) + 1
    shift = torch.randint(1, max(top, 2), ids.shape, generator=torch.Generator().manual_seed(10_007 + seed))
    return torch.where(keep, ids, (ids + shift.to(ids.device)) % max(top, 2))


def padding_ignored(call, args):
    """changing padded words, and every word of padded sentences, leaves the logits unchanged"""
    ids, wm, sm = args["ids"], args["word_mask"], args["sent_mask"]
    base = call(ids=ids, word_mask=wm, sent_mask=sm)[0]
    if _differ(call(ids=_ids_elsewhere(ids, wm, 3), word_mask=wm, sent_mask=sm)[0], base):
        return "the logits changed when only padded words changed: the word mask is not applied"
    if _differ(call(ids=_ids_elsewhere(ids, sm[..., None].expand_as(ids), 4), word_mask=wm, sent_mask=sm)[0], base):
        return "the logits changed when only padded sentences changed: the sentence mask is not applied"
    return None


def sentence_order_invariant(call, args):
    """permuting the sentences of every document (with their masks) leaves the logits unchanged"""
    ids, wm, sm = args["ids"], args["word_mask"], args["sent_mask"]
    base = call(ids=ids, word_mask=wm, sent_mask=sm)[0]
    perm = torch.randperm(ids.shape[1], generator=torch.Generator().manual_seed(6)).to(ids.device)
    out = call(ids=ids[:, perm], word_mask=wm[:, perm], sent_mask=sm[:, perm])[0]
    if _differ(out, base):
        return "reordering the sentences changed the logits: sentence vectors are mixed across sentences"
    return None


def batch_independent(call, args):
    """changing the last document leaves the other documents' logits unchanged"""
    ids, wm, sm = args["ids"], args["word_mask"], args["sent_mask"]
    base = call(ids=ids, word_mask=wm, sent_mask=sm)[0]
    changed = ids.clone()
    changed[-1] = _ids_elsewhere(ids[-1], torch.zeros_like(wm[-1]), 7)
    out = call(ids=changed, word_mask=wm, sent_mask=sm)[0]
    if _differ(out[:-1], base[:-1]):
        return "changing the last document changed another document's logits"
    return None
