# blind: correct
# family: official-style (adaptive pooling, one MLP call on the stacked descriptors, functional conv)
import torch
import torch.nn.functional as F
from torch import nn


class CBAM(nn.Module):
    def __init__(self, channels, reduction=4, kernel_size=7):
        super().__init__()
        hidden = channels // reduction
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)
        self.pad = kernel_size // 2

    def forward(self, x):
        desc = torch.stack([F.adaptive_avg_pool2d(x, 1).flatten(1), F.adaptive_max_pool2d(x, 1).flatten(1)])
        att = self.fc2(F.relu(self.fc1(desc))).sum(0)  # [B, C]: the two MLP outputs added
        xc = x * att.sigmoid().unsqueeze(-1).unsqueeze(-1)
        mean_c = torch.mean(xc, 1, keepdim=True)
        max_c, _ = torch.max(xc, 1, keepdim=True)
        s = F.conv2d(torch.cat((mean_c, max_c), 1), self.conv.weight, padding=self.pad)
        return xc * s.sigmoid()
