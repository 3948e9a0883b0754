"""Statistical properties of MLM masking, checked on large batches.

Each property returns None, a message, or (message, mistake id) when the observation identifies a known mistake.
Every statistical test states its false-alarm rate for a correct implementation (at most 1e-6, from a
distribution-free Hoeffding or Maurer bound, or from the exact chi-square tail); the batches are fixed, so a
correct file that passes once passes always.
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


def _run(call, device, seed, p=None, batch=None, mask_id=MASK_ID, vocab=VOCAB):
    """One call on `batch` (ids, special); p=None leaves p at the candidate's default."""
    ids, special = batch if batch is not None else _batch(device)
    ids, special = ids.to(device), special.to(device)
    gen = torch.Generator(device=device).manual_seed(seed)
    kwargs = {} if p is None else {"p": p}
    inputs, labels = call(input_ids=ids, mask_id=mask_id, vocab_size=vocab, special_mask=special, generator=gen,
                          **kwargs)
    return ids.cpu(), special.cpu(), inputs.cpu(), labels.cpu()


def _hoeffding(n, alpha):
    """Half-width t with P(|mean of n iid [0, 1] draws - its expectation| > t) <= alpha."""
    return math.sqrt(math.log(2 / alpha) / (2 * n))


def _chi2_quantile(df, alpha):
    """x with P(chi-square(df) > x) = alpha (bisection on the regularised upper incomplete gamma)."""
    lo, hi = 0.0, 10.0 * df + 100.0
    a = torch.tensor(df / 2, dtype=torch.float64)
    for _ in range(100):
        mid = (lo + hi) / 2
        if float(torch.special.gammaincc(a, torch.tensor(mid / 2, dtype=torch.float64))) > alpha:
            lo = mid
        else:
            hi = mid
    return hi


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
    """The share of selected ordinary tokens is p, at p = 0, 1, 0.4 and the default 0.15 (p left unset).

    p = 0 and p = 1 are exact (nothing / every ordinary token selected); at 0.4 and the default the
    Hoeffding half-width for a false-alarm rate of 1e-7 each is used (about 0.016 on 32,768 positions).
    """
    d = _device(args)
    for p, seed in ((0.0, 17), (1.0, 18), (0.4, 14), (None, 13)):
        _, special, _, labels = _run(call, d, seed, p=p)
        n = int((~special).sum())
        selected = (labels != -100)[~special]
        want = 0.15 if p is None else p
        rate = float(selected.float().mean())
        bound = 0.0 if want in (0.0, 1.0) else _hoeffding(n, 1e-7)
        if abs(rate - want) > bound:
            what = "with p left at its default (0.15)" if p is None else f"with p = {p}"
            return f"{what} the selected share is {rate:.4f}, expected {want}" + (f" ± {bound:.4f}" if bound else "")
    return None


def selection_varies_per_row(call, args):
    """Each row's selected count varies like Binomial(L, p): a fixed count per row is not independent selection.

    400 rows of 64 ordinary tokens at p = 0.25: D = sum over rows of (count - 16)^2 / 12 has mean 400 under
    independent selection; D < 100 has probability below 1e-16 (Maurer's lower-tail bound for sums of
    non-negative terms, E[X^2] < 3), while a fixed count of 16 per row gives D = 0.
    """
    rows, length, p = 400, 64, 0.25
    gen = torch.Generator().manual_seed(99)
    ids = torch.randint(5, VOCAB, (rows, length), generator=gen)
    special = torch.zeros(rows, length, dtype=torch.bool)
    _, _, _, labels = _run(call, _device(args), 21, p=p, batch=(ids, special))
    counts = (labels != -100).sum(dim=1).double()
    mean, var = length * p, length * p * (1 - p)
    dispersion = float(((counts - mean) ** 2 / var).sum())
    if dispersion < rows / 4:
        return (f"the per-row selected counts barely vary (dispersion {dispersion:.1f}, expected about {rows}; "
                f"counts {sorted(set(counts.int().tolist()))[:8]}): select every token independently with "
                "probability p, not a fixed number per row")
    return None


def split_80_10_10(call, args):
    """Of the selected tokens, 80% become [MASK], 10% a random token and 10% stay unchanged, whatever p.

    Checked at the default p, at p = 0.5 and at p = 1, so a choice that reuses the selection draw (and
    so depends on p) fails. Each share is within its Hoeffding half-width at a false-alarm rate of 1e-7
    (three shares at three p: below 1e-6 in all).
    """
    d = _device(args)
    for p, seed in ((None, 15), (0.5, 19), (1.0, 20)):
        ids, _, inputs, labels = _run(call, d, seed, p=p)
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
        bound = _hoeffding(n, 1e-7)
        if not any(abs(got[k] - w) > bound for k, w in want.items()):
            continue
        shares = ", ".join(f"{k} {got[k]:.3f}" for k in got)
        where = "the default p" if p is None else f"p = {p}"
        msg = f"at {where}, shares of the {n} selected tokens: {shares}; expected 0.8 / 0.1 / 0.1"
        if masked > 0.97:
            return msg + " (every selected token became [MASK])", "all-selected-masked"
        if masked < 0.5 and p is None:
            return msg + " (p was used for the [MASK] share, which is 80% of the selected tokens)", "mask-share-is-p"
        if kept < 0.03 and other > 0.15:
            return msg + " (no selected token was left unchanged)", "no-unchanged-share"
        return msg
    return None


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


def random_tokens_uniform(call, args):
    """Random replacements are uniform over the whole vocabulary [0, vocab_size), the first and last id included.

    Vocabulary of 16, p = 1, 65,536 ordinary positions (about 6,500 random draws per run). Run A has every
    token 5 and [MASK] = 3, so the draws of the other 14 ids are seen; run B (token 0, [MASK] = 15) sees
    ids 3 and 5. Each run's 14 visible counts pass a chi-square test (13 degrees of freedom) at a
    false-alarm rate of 5e-7 (1e-6 for both); `randint(1, V)` or `randint(0, V - 1)` leaves an id at 0.
    """
    vocab, rows, length = 16, 256, 256
    limit = _chi2_quantile(13, 5e-7)
    for token, mask_id, seed in ((5, 3, 31), (0, 15, 32)):
        ids = torch.full((rows, length), token, dtype=torch.int64)
        special = torch.zeros(rows, length, dtype=torch.bool)
        _, _, inputs, _ = _run(call, _device(args), seed, p=1.0, batch=(ids, special), mask_id=mask_id, vocab=vocab)
        if int(inputs.min()) < 0 or int(inputs.max()) >= vocab:
            return f"inputs contain ids outside [0, {vocab}): min {int(inputs.min())}, max {int(inputs.max())}"
        visible = [t for t in range(vocab) if t not in (token, mask_id)]
        counts = torch.bincount(inputs.flatten(), minlength=vocab)[visible].double()
        total = float(counts.sum())
        if total == 0:
            return "no selected token was replaced by a random id"
        expected = total / len(visible)
        stat = float(((counts - expected) ** 2 / expected).sum())
        if stat > limit:
            never = [t for t, c in zip(visible, counts.tolist(), strict=True) if c == 0]
            extra = f"; ids never drawn: {never}" if never else ""
            return (f"random ids are not uniform over [0, {vocab}) (chi-square {stat:.1f} > {limit:.1f} with 13 "
                    f"degrees of freedom{extra}): draw them with randint(0, vocab_size)")
    return None
