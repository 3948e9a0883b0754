# blind: wrong
# bug: squeezes over the batch too (x.mean over B, H, W): images share one gate
# family: wrong-axis
import torch
from torch import nn


class SEBlock(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        s = x.mean(dim=(0, 2, 3)).expand(x.shape[0], -1)
        gate = torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))
        return x * gate[:, :, None, None]
