"""Statistical properties of MLM masking, checked on a large batch with bounds of about 6 standard deviations.

Each property returns None, a message, or (message, mistake id) when the observation identifies a known mistake.
"""

import math

import torch

VOCAB, MASK_ID, B, L = 1000, 3, 128, 256  # 32,768 positions, about 4,800 selected at p = 0.15


def _batch(device):
    """Ordinary token ids in [5, VOCAB) (never MASK_ID); [CLS] at 0, [SEP] at the end, padding after it."""
    gen = torch.Generator().manual_seed(1234)
    ids = torch.randint(5, VOCAB, (B, L), generator=gen)
    lengths = torch.randint(L // 2, L + 1, (B,), generator=gen)
    pos = torch.arange(L)
    special = (pos[None, :] == 0) | (pos[None, :] >= lengths[:, None] - 1)
    ids = torch.where(pos[None, :] == 0, 1, ids)
    ids = torch.where(pos[None, :] == lengths[:, None] - 1, 2, ids)
    ids = torch.where(pos[None, :] >= lengths[:, None], 0, ids)
    return ids.to(device), special.to(device)


def _run(call, device, seed, p=0.15):
    ids, special = _batch(device)
    gen = torch.Generator(device=device).manual_seed(seed)
    inputs, labels = call(input_ids=ids, mask_id=MASK_ID, vocab_size=VOCAB, special_mask=special, generator=gen, p=p)
    return ids.cpu(), special.cpu(), inputs.cpu(), labels.cpu()


def _device(args):
    return args["input_ids"].device


def deterministic_given_generator(call, args):
    """The same generator seed gives the same result; another seed gives another one."""
    d = _device(args)
    _, _, a_in, a_lab = _run(call, d, 7)
    _, _, b_in, b_lab = _run(call, d, 7)
    if not (torch.equal(a_in, b_in) and torch.equal(a_lab, b_lab)):
        return ("two calls with generators seeded identically gave different results: draw every random "
                "number from `generator`", "generator-ignored")
    _, _, c_in, c_lab = _run(call, d, 8)
    if torch.equal(a_in, c_in) and torch.equal(a_lab, c_lab):
        return "two different seeds gave exactly the same result"
    return None


def labels_exactly_at_selected(call, args):
    """Labels are the original ids at selected positions and -100 everywhere else."""
    ids, special, inputs, labels = _run(call, _device(args), 11)
    labeled = labels != -100
    ordinary = ~special
    share = float(labeled[ordinary].float().mean())
    if share > 0.5:
        return (f"{share:.0%} of the ordinary positions have a label; only the selected ones (about 15%) should, "
                "the rest must be -100", "labels-everywhere")
    if not torch.equal(labels[labeled], ids[labeled]):
        return "at some selected positions the label is not the original token id"
    changed_unlabeled = int(((inputs != ids) & ~labeled).sum())
    if changed_unlabeled:
        return (f"{changed_unlabeled} positions were changed but carry no label (-100): the 80/10/10 choice must "
                "apply to selected positions only", "split-not-restricted")
    return None


def specials_never_touched(call, args):
    """Special tokens ([CLS], [SEP], padding) are never selected or changed."""
    ids, special, inputs, labels = _run(call, _device(args), 12)
    bad = int(((labels != -100) & special).sum()) + int(((inputs != ids) & special).sum())
    if bad:
        return (f"{bad} special positions were selected or changed; exclude `special_mask` before selecting",
                "specials-selected")
    return None


def selection_rate_matches_p(call, args):
    """The share of selected ordinary tokens is p (checked for p = 0.15 and p = 0.4)."""
    for p, seed in ((0.15, 13), (0.4, 14)):
        _, special, _, labels = _run(call, _device(args), seed, p=p)
        n = int((~special).sum())
        rate = float((labels != -100)[~special].float().mean())
        bound = 6 * math.sqrt(p * (1 - p) / n)
        if abs(rate - p) > bound:
            return f"with p = {p} the selected share is {rate:.4f}, expected {p} ± {bound:.4f}"
    return None


def split_80_10_10(call, args):
    """Of the selected tokens, 80% become [MASK], 10% a random token and 10% stay unchanged."""
    ids, _, inputs, labels = _run(call, _device(args), 15)
    sel = labels != -100
    n = int(sel.sum())
    if n == 0:
        return "nothing was selected"
    masked = float((inputs[sel] == MASK_ID).float().mean())
    kept = float((inputs[sel] == ids[sel]).float().mean())
    other = 1.0 - masked - kept  # replaced by some other token
    # a random replacement equals the original with probability 1/VOCAB (it then counts as kept)
    want = {"[MASK]": 0.8, "random": 0.1 * (1 - 1 / VOCAB), "unchanged": 0.1 + 0.1 / VOCAB}
    got = {"[MASK]": masked, "random": other, "unchanged": kept}
    off = {k: got[k] - w for k, w in want.items() if abs(got[k] - w) > 6 * math.sqrt(w * (1 - w) / n)}
    if not off:
        return None
    shares = ", ".join(f"{k} {got[k]:.3f}" for k in got)
    msg = f"shares of the {n} selected tokens: {shares}; expected 0.8 / 0.1 / 0.1"
    if masked > 0.97:
        return msg + " (every selected token became [MASK])", "all-selected-masked"
    if masked < 0.5:
        return msg + " (p was used for the [MASK] share, which is 80% of the selected tokens)", "mask-share-is-p"
    if kept < 0.03 and other > 0.15:
        return msg + " (no selected token was left unchanged)", "no-unchanged-share"
    return msg


def random_tokens_in_vocab(call, args):
    """Random replacements are ids in [0, vocab_size) spread over the vocabulary."""
    ids, _, inputs, labels = _run(call, _device(args), 16)
    if int(inputs.min()) < 0 or int(inputs.max()) >= VOCAB:
        return f"inputs contain ids outside [0, {VOCAB}): min {int(inputs.min())}, max {int(inputs.max())}"
    sel = labels != -100
    rand = inputs[sel & (inputs != MASK_ID) & (inputs != ids)]
    if rand.numel() > 100 and rand.unique().numel() < rand.numel() // 4:
        return f"{rand.numel()} random replacements use only {rand.unique().numel()} distinct ids"
    return None
