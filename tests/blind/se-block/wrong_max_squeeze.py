# blind: wrong
# bug: squeezes with a global max pool instead of the average
# family: missing-term
import torch
from torch import nn


class SEBlock(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        s = x.amax(dim=(2, 3))
        gate = torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))
        return x * gate[:, :, None, None]
