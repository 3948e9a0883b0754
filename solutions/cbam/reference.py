"""Reference: CBAM (Woo et al., 2018): channel attention, then spatial attention on the refined map."""

from __future__ import annotations

import torch
from torch import nn


class CBAM(nn.Module):
    def __init__(self, channels, reduction=4, kernel_size=7):
        super().__init__()
        hidden = channels // reduction
        self.fc1 = nn.Linear(channels, hidden)  # the channel MLP, shared by both pooled descriptors
        self.fc2 = nn.Linear(hidden, channels)
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)

    def forward(self, x):
        # channel attention: the shared MLP on the average- and max-pooled [B, C] descriptors, summed,
        # then one sigmoid gate per channel
        avg = self.fc2(torch.relu(self.fc1(x.mean(dim=(2, 3)))))
        mx = self.fc2(torch.relu(self.fc1(x.amax(dim=(2, 3)))))
        x_c = x * torch.sigmoid(avg + mx)[:, :, None, None]
        # spatial attention on the channel-refined map: [mean; max] over channels -> [B, 2, H, W],
        # a k x k convolution to one map, then one sigmoid gate per pixel
        stats = torch.cat([x_c.mean(dim=1, keepdim=True), x_c.amax(dim=1, keepdim=True)], dim=1)
        return x_c * torch.sigmoid(self.conv(stats))
