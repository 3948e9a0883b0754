# blind: wrong
# bug: concatenates the channel pools max first, mean second
# family: concat-order
import torch
from torch import nn


class CBAM(nn.Module):
    def __init__(self, channels, reduction=4, kernel_size=7):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)

    def mlp(self, s):
        return self.fc2(torch.relu(self.fc1(s)))

    def forward(self, x):
        avg = x.mean(dim=(2, 3))
        mx = x.amax(dim=(2, 3))
        cgate = torch.sigmoid(self.mlp(avg) + self.mlp(mx))
        xc = x * cgate[:, :, None, None]
        pooled = torch.cat([xc.amax(dim=1, keepdim=True), xc.mean(dim=1, keepdim=True)], dim=1)
        sgate = torch.sigmoid(self.conv(pooled))
        return xc * sgate
