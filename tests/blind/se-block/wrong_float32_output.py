# blind: wrong
# bug: upcasts to float32 for the gate and returns float32 for half inputs
# family: dtype
import torch
from torch import nn


class SEBlock(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        x = x.float()
        s = x.mean(dim=(2, 3))
        gate = torch.sigmoid(nn.functional.linear(torch.relu(nn.functional.linear(s, self.fc1.weight.float(), self.fc1.bias.float())), self.fc2.weight.float(), self.fc2.bias.float()))
        return x * gate[:, :, None, None]
