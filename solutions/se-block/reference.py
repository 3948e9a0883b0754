"""Reference: a squeeze-and-excitation block (Hu et al., 2018): one sigmoid gate per channel."""

from __future__ import annotations

import torch
from torch import nn


class SEBlock(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        hidden = channels // reduction
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)

    def forward(self, x):
        # squeeze: global average pooling over the spatial axes of each image, [B, C, H, W] -> [B, C]
        s = x.mean(dim=(2, 3))
        # excitation: bottleneck MLP, then a sigmoid, so each channel gets its own gate in (0, 1)
        gate = torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))
        # scale: reweight the channels of the input, broadcasting the gate over H and W
        return x * gate[:, :, None, None]
