# blind: wrong
# bug: uses the tanh approximation of GELU in its own block
# family: precision
import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.linear1 = nn.Linear(d, 4 * d)
        self.linear2 = nn.Linear(4 * d, d)
        self.norm1 = nn.LayerNorm(d)
        self.norm2 = nn.LayerNorm(d)

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.self_attn(h, h, h, need_weights=False)[0]
        return x + self.linear2(F.gelu(self.linear1(self.norm2(x)), approximate="tanh"))


class TinyViT(nn.Module):
    def __init__(self, img_size, patch_size, in_channels, d_model, num_heads, depth, num_classes):
        super().__init__()
        self.shape = (in_channels, img_size, img_size)
        self.p = patch_size
        self.patch_embed = nn.Conv2d(in_channels, d_model, patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.randn(1, 1, d_model) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, (img_size // patch_size) ** 2 + 1, d_model) * 0.02)
        self.blocks = nn.ModuleList([Block(d_model, num_heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, img):
        if tuple(img.shape[1:]) != self.shape:
            raise ValueError(f"image shape {tuple(img.shape[1:])} does not match the model's {self.shape}")
        cols = F.unfold(img, self.p, stride=self.p).transpose(1, 2)  # [B, N, C*p*p], (c, y, x) per patch
        x = cols @ self.patch_embed.weight.flatten(1).T + self.patch_embed.bias
        x = torch.cat([self.cls_token.expand(len(x), -1, -1), x], 1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x[:, 0]))
