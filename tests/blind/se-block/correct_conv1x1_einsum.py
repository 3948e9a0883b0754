# blind: correct
# family: conv-1x1 (timm-style squeeze with adaptive pooling and 1x1 convolutions)
import torch
import torch.nn.functional as F
from torch import nn


class SEBlock(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)  # [B, C, 1, 1]
        w1 = self.fc1.weight[:, :, None, None]
        w2 = self.fc2.weight[:, :, None, None]
        z = F.relu(F.conv2d(s, w1, self.fc1.bias))
        gate = torch.sigmoid(F.conv2d(z, w2, self.fc2.bias)).flatten(1)
        return torch.einsum("bchw,bc->bchw", x, gate)
