# blind: correct
# family: loops-literal (builds [c_t; q_j; c_t o q_j] for every pair, as the paper writes it)
import torch


def _masked_softmax(x, keep, dim):
    """Softmax over `dim` restricted to `keep`; rows with nothing kept give zeros."""
    x = x.masked_fill(~keep, float("-inf"))
    top = x.amax(dim=dim, keepdim=True)
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    e = torch.exp(x - top) * keep
    s = e.sum(dim=dim, keepdim=True)
    return torch.where(s > 0, e / torch.where(s > 0, s, torch.ones_like(s)), torch.zeros_like(e))


def bidaf_attention(c, q, w, c_mask=None, q_mask=None):
    bsz, t, d = c.shape
    j = q.shape[1]
    cc = c[:, :, None, :].expand(bsz, t, j, d)
    qq = q[:, None, :, :].expand(bsz, t, j, d)
    s = torch.cat([cc, qq, cc * qq], dim=-1) @ w  # [B, T, J]
    qm = torch.ones(bsz, j, dtype=torch.bool, device=c.device) if q_mask is None else q_mask
    cm = torch.ones(bsz, t, dtype=torch.bool, device=c.device) if c_mask is None else c_mask
    keep_q = qm[:, None, :].expand(bsz, t, j)
    a = _masked_softmax(s, keep_q, dim=-1)
    u = torch.bmm(a, q)
    m = s.masked_fill(~keep_q, float("-inf")).max(dim=-1).values  # [B, T]
    keep_t = cm & qm.any(dim=-1, keepdim=True)
    b = _masked_softmax(m, keep_t, dim=-1)
    h = torch.bmm(b[:, None, :], c)  # [B, 1, d]
    return torch.cat([c, u, c * u, c * h], dim=-1)
