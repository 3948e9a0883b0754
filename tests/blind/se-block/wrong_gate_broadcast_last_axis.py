# blind: wrong
# bug: broadcasts the [B, C] gate over the last axis (NHWC habit): gates width, not channels
# family: shape/transposition
import torch
from torch import nn


class SEBlock(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        s = x.mean(dim=(2, 3))
        gate = torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))
        return x * gate[:, None, None, :]
