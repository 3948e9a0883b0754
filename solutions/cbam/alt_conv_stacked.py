"""Alternative: the MLP as 1x1 convolutions run once on both descriptors stacked; functional pooling."""

import torch
import torch.nn.functional as F
from torch import nn


class CBAM(nn.Module):
    def __init__(self, channels, reduction=4, kernel_size=7):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)

    def _mlp(self, d):  # d [N, C, 1, 1]
        h = F.relu(F.conv2d(d, self.fc1.weight[..., None, None], self.fc1.bias))
        return F.conv2d(h, self.fc2.weight[..., None, None], self.fc2.bias)

    def forward(self, x):
        b = x.shape[0]
        both = torch.cat([F.adaptive_avg_pool2d(x, 1), F.adaptive_max_pool2d(x, 1)])  # [2B, C, 1, 1]
        a = self._mlp(both)
        refined = x * torch.sigmoid(a[:b] + a[b:])
        mean_map = refined.sum(dim=1, keepdim=True) / refined.shape[1]
        max_map = refined.max(dim=1, keepdim=True).values
        k = self.conv.kernel_size[0]
        gate = torch.sigmoid(F.conv2d(torch.cat([mean_map, max_map], 1), self.conv.weight, padding=k // 2))
        return refined * gate
