# blind: wrong
# bug: softmax over the query pixels (dim=-2)
# family: softmax-axis
import math

import torch
from torch import nn


class FeatureMapSelfAttention(nn.Module):
    def __init__(self, channels, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = channels // num_heads
        self.q_proj = nn.Linear(channels, channels)
        self.k_proj = nn.Linear(channels, channels)
        self.v_proj = nn.Linear(channels, channels)
        self.out_proj = nn.Linear(channels, channels)

    def forward(self, x):
        """x [B, C, H, W] -> [B, C, H, W] = x + out_proj(multi-head self-attention over the H*W pixels)."""
        b, c, h, w = x.shape
        tokens = x.flatten(2).transpose(1, 2)  # [B, H*W, C], token i*W + j is pixel (i, j)

        def heads(t):
            return t.view(b, h * w, self.num_heads, self.head_dim).transpose(1, 2)

        q, k, v = heads(self.q_proj(tokens)), heads(self.k_proj(tokens)), heads(self.v_proj(tokens))
        work = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
        attn = torch.softmax((q.to(work) @ k.to(work).transpose(-2, -1)) / math.sqrt(self.head_dim), dim=-2)
        ctx = (attn @ v.to(work)).to(x.dtype).transpose(1, 2).reshape(b, h * w, c)
        y = self.out_proj(ctx)
        return x + y.transpose(1, 2).reshape(b, c, h, w)
