# blind: correct
# family: vectorised (the trilinear similarity split into three matmuls, as in AllenNLP)
import torch


def bidaf_attention(c, q, w, c_mask=None, q_mask=None):
    d = c.shape[-1]
    w_c, w_q, w_cq = w[:d], w[d : 2 * d], w[2 * d :]
    s = (c @ w_c)[:, :, None] + (q @ w_q)[:, None, :] + (c * w_cq) @ q.transpose(1, 2)  # [B, T, J]
    if q_mask is not None:
        s = s.masked_fill(~q_mask[:, None, :], float("-inf"))
    a = torch.nan_to_num(torch.softmax(s, dim=-1), nan=0.0)
    u = a @ q  # [B, T, d]
    m = s.amax(dim=-1)  # [B, T]; -inf when the question has no real word
    if c_mask is not None:
        m = m.masked_fill(~c_mask, float("-inf"))
    b = torch.nan_to_num(torch.softmax(m, dim=-1), nan=0.0)
    h = (b[:, :, None] * c).sum(dim=1, keepdim=True).expand_as(c)
    return torch.cat([c, u, c * u, c * h], dim=-1)
