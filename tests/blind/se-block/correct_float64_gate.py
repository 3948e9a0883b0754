# blind: correct
# family: higher-precision-internally
import torch
import torch.nn.functional as F
from torch import nn


class SEBlock(nn.Module):
    """Squeeze and excitation with the gate computed in float64, cast back to the input dtype."""

    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        b, c = x.shape[:2]
        s = x.double().reshape(b, c, -1).mean(-1)
        h = F.linear(s, self.fc1.weight.double(), self.fc1.bias.double()).clamp_min(0)
        g = torch.sigmoid(F.linear(h, self.fc2.weight.double(), self.fc2.bias.double()))
        return (x.double() * g.view(b, c, 1, 1)).to(x.dtype)
