"""Alternative: channels-first throughout; the two Linear layers applied as 1x1 convolutions."""

import torch.nn.functional as F
from torch import nn


class SEBlock(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        pooled = F.adaptive_avg_pool2d(x, 1)  # [B, C, 1, 1]
        z = F.relu(F.conv2d(pooled, self.fc1.weight[:, :, None, None], self.fc1.bias))
        gate = F.conv2d(z, self.fc2.weight[:, :, None, None], self.fc2.bias).sigmoid()  # [B, C, 1, 1]
        return gate * x
