# blind: correct
# family: loops (one temporal sequence per clip and patch, one spatial sequence per clip and frame)
import torch
from torch import nn


class DividedSpaceTimeAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.temporal_norm = nn.LayerNorm(d_model)
        self.temporal_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
        self.spatial_norm = nn.LayerNorm(d_model)
        self.spatial_attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)

    def forward(self, x):
        B, T, N, _ = x.shape
        rows = []
        for b in range(B):
            cols = []
            for n in range(N):
                s = x[b, :, n][None]  # [1, T, D]
                h = self.temporal_norm(s)
                cols.append((s + self.temporal_attn(h, h, h)[0])[0])
            rows.append(torch.stack(cols, dim=1))  # [T, N, D]
        x = torch.stack(rows)
        out = []
        for b in range(B):
            frames = []
            for t in range(T):
                s = x[b, t][None]  # [1, N, D]
                h = self.spatial_norm(s)
                frames.append((s + self.spatial_attn(h, h, h)[0])[0])
            out.append(torch.stack(frames))
        return torch.stack(out)
