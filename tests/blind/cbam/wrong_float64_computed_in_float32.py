# blind: wrong
# bug: computes the gates in float32 whatever the input dtype: float64 inputs lose precision (right dtype, float32-level error)
# family: precision
import torch
import torch.nn.functional as F
from torch import nn


class CBAM(nn.Module):
    def __init__(self, channels, reduction=4, kernel_size=7):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)

    def forward(self, x):
        ct = torch.float32  # "compute in float32" also for float64 inputs
        xf = x.to(ct)
        w1, b1 = self.fc1.weight.to(ct), self.fc1.bias.to(ct)
        w2, b2 = self.fc2.weight.to(ct), self.fc2.bias.to(ct)
        flat = xf.flatten(2)
        pooled = torch.cat([flat.mean(-1), flat.amax(-1)], 0)  # [2B, C]
        logits = F.linear(F.relu(F.linear(pooled, w1, b1)), w2, b2)
        b = x.shape[0]
        gate = torch.sigmoid(logits[:b] + logits[b:])
        xc = xf * gate[..., None, None]
        maps = torch.stack([xc.mean(1), xc.amax(1)], 1)
        sg = torch.sigmoid(F.conv2d(maps, self.conv.weight.to(ct), padding=self.conv.padding))
        return (xc * sg).to(x.dtype)
