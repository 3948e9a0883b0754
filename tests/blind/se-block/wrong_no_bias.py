# blind: wrong
# bug: creates fc1 and fc2 without bias (bias=False): the named weights do not load
# family: parameter-naming
import torch
from torch import nn


class SEBlock(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction, bias=False)
        self.fc2 = nn.Linear(channels // reduction, channels, bias=False)

    def forward(self, x):
        s = x.mean(dim=(2, 3))
        gate = torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))
        return x * gate[:, :, None, None]
