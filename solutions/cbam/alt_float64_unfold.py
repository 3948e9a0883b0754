"""Alternative: float64 inside, einsum for the MLP, the spatial convolution written with unfold."""

import torch
import torch.nn.functional as F
from torch import nn


class CBAM(nn.Module):
    def __init__(self, channels, reduction=4, kernel_size=7):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)

    def forward(self, x):
        B, C, H, W = x.shape
        t = x.double()
        w1, b1 = self.fc1.weight.double(), self.fc1.bias.double()
        w2, b2 = self.fc2.weight.double(), self.fc2.bias.double()

        def mlp(d):  # [B, C] -> [B, C]
            return torch.einsum("bh,ch->bc", torch.relu(torch.einsum("bc,hc->bh", d, w1) + b1), w2) + b2

        flat = t.reshape(B, C, H * W)
        logits = mlp(flat.mean(-1)) + mlp(flat.max(-1).values)
        t = t * (1 / (1 + torch.exp(-logits)))[:, :, None, None]
        stats = torch.stack([t.mean(1), t.max(1).values], dim=1)  # [B, 2, H, W]
        k = self.conv.kernel_size[0]
        cols = F.unfold(stats, k, padding=k // 2)  # [B, 2*k*k, H*W]
        z = torch.einsum("o,bop->bp", self.conv.weight.double().reshape(-1), cols).reshape(B, 1, H, W)
        return (t * torch.sigmoid(z)).to(x.dtype)
