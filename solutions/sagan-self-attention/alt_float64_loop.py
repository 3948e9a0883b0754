"""Alternative: float64 inside, one image at a time, F.conv2d with the module's weights."""

import torch
import torch.nn.functional as F
from torch import nn


class SAGANSelfAttention(nn.Module):
    def __init__(self, channels, gamma_init=0.0):
        super().__init__()
        self.query_conv = nn.Conv2d(channels, channels // 8, kernel_size=1)
        self.key_conv = nn.Conv2d(channels, channels // 8, kernel_size=1)
        self.value_conv = nn.Conv2d(channels, channels, kernel_size=1)
        self.gamma = nn.Parameter(torch.tensor([gamma_init], dtype=torch.float32))

    def forward(self, x):
        outs = []
        for img in x.double():  # [C, H, W]
            c, h, w = img.shape
            f = [F.conv2d(img[None], m.weight.double(), m.bias.double())[0].reshape(-1, h * w)
                 for m in (self.query_conv, self.key_conv, self.value_conv)]
            q, k, v = f  # [C/8, N], [C/8, N], [C, N]
            energy = q.T @ k  # [N, N]
            attn = torch.softmax(energy, dim=1)  # each query pixel's weights over the key pixels
            outs.append((v @ attn.T).reshape(c, h, w))
        return (x.double() + self.gamma.double() * torch.stack(outs)).to(x.dtype)
