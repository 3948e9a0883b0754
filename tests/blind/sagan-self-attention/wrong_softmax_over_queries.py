# blind: wrong
# bug: softmax over the query pixels (dim 1 of energy [B, N, N]) instead of the key pixels
# family: wrong-axis
import torch
from torch import nn


class SAGANSelfAttention(nn.Module):
    def __init__(self, channels, gamma_init=0.0):
        super().__init__()
        self.query_conv = nn.Conv2d(channels, channels // 8, 1)
        self.key_conv = nn.Conv2d(channels, channels // 8, 1)
        self.value_conv = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.full((1,), float(gamma_init)))
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        b, c, h, w = x.shape
        n = h * w
        proj_query = self.query_conv(x).view(b, -1, n).permute(0, 2, 1)  # [B, N, C']
        proj_key = self.key_conv(x).view(b, -1, n)  # [B, C', N]
        energy = torch.bmm(proj_query, proj_key)  # [B, N(query), N(key)]
        attention = self.softmax(energy)
        proj_value = self.value_conv(x).view(b, -1, n)  # [B, C, N]
        out = torch.bmm(proj_value, attention.permute(0, 2, 1))  # o[:, :, i] = sum_j p_ij v_j
        out = out.view(b, c, h, w)
        return x + self.gamma * out
