# blind: correct
# family: loops (gather the present entities of each scene, attend, mean), float64 internally
import math

import torch
import torch.nn.functional as F
from torch import nn


class EntitySelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def _lin(self, layer, x):
        return F.linear(x, layer.weight.double(), layer.bias.double())

    def forward(self, entities, mask=None):
        B, N, E = entities.shape
        H, D = self.num_heads, E // self.num_heads
        out = torch.zeros(B, E, dtype=torch.float64, device=entities.device)
        for b in range(B):
            x = entities[b].double() if mask is None else entities[b][mask[b]].double()  # [n, E]
            n = x.shape[0]
            if n == 0:
                continue
            q = self._lin(self.q_proj, x).view(n, H, D).transpose(0, 1)
            k = self._lin(self.k_proj, x).view(n, H, D).transpose(0, 1)
            v = self._lin(self.v_proj, x).view(n, H, D).transpose(0, 1)
            a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(D), dim=-1)
            y = self._lin(self.out_proj, (a @ v).transpose(0, 1).reshape(n, E))
            out[b] = y.mean(0)
        return out.to(entities.dtype)
