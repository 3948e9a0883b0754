# blind: wrong
# bug: padding filled with -1e9 and empty rows not handled: a question with no real word gives uniform weights over padding
# family: edge-case (fully-masked)
import torch


def _masked_softmax(x, keep, dim):
    """Softmax over `dim` restricted to `keep`; rows with nothing kept give zeros."""
    return torch.softmax(x.masked_fill(~keep, -1e9), dim=dim)


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
    m = s.masked_fill(~keep_q, -1e9).max(dim=-1).values  # [B, T]
    keep_t = cm
    b = _masked_softmax(m, keep_t, dim=-1)
    h = torch.bmm(b[:, None, :], c)  # [B, 1, d]
    return torch.cat([c, u, c * u, c * h], dim=-1)
