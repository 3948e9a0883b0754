# blind: wrong
# bug: C2Q weights not zeroed after the finfo.min fill: a question with no real word gets uniform weights over its padding
# family: edge-case (fully-masked)
import torch


def bidaf_attention(c, q, w, c_mask=None, q_mask=None):
    """All the attention math in float64, finfo-min fills, masked weights zeroed; G cast back to c's dtype."""
    out_dtype = c.dtype
    c64, q64, w64 = c.double(), q.double(), w.double()
    wc, wq, wcq = w64.chunk(3)
    s = (torch.einsum("btd,d->bt", c64, wc)[..., None] + torch.einsum("bjd,d->bj", q64, wq)[:, None]
         + torch.einsum("btd,d,bjd->btj", c64, wcq, q64))
    neg = torch.finfo(torch.float64).min
    qk = torch.ones_like(s[:, :1, :], dtype=torch.bool) if q_mask is None else q_mask.bool()[:, None, :]
    a = torch.softmax(s.masked_fill(~qk, neg), dim=-1)
    u = torch.einsum("btj,bjd->btd", a, q64)
    m = s.masked_fill(~qk, neg).amax(dim=-1)
    ck = torch.ones_like(m, dtype=torch.bool) if c_mask is None else c_mask.bool()
    ck = ck & qk.any(dim=-1)  # no real question word: no Q2C weight at all
    b = torch.softmax(m.masked_fill(~ck, neg), dim=-1) * ck
    h = torch.einsum("bt,btd->bd", b, c64)[:, None, :]
    g = torch.cat([c64, u, c64 * u, c64 * h], dim=-1)
    return g.to(out_dtype)
