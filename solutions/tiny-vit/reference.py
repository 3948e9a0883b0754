"""Reference: a tiny Vision Transformer (Dosovitskiy et al., 2021): patches, [CLS], learned positions, pre-LN blocks."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class TinyViT(nn.Module):
    def __init__(self, img_size, patch_size, in_channels, d_model, num_heads, depth, num_classes):
        super().__init__()
        self.img_size, self.patch_size, self.in_channels = img_size, patch_size, in_channels
        num_patches = (img_size // patch_size) ** 2
        # a patch_size x patch_size convolution with the same stride = a Linear applied to each flattened patch
        self.patch_embed = nn.Conv2d(in_channels, d_model, patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.randn(1, 1, d_model) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, num_patches + 1, d_model) * 0.02)  # [CLS] has a position too
        # parameter containers named as PyTorch's layer (self_attn, linear1, linear2, norm1, norm2)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(d_model, num_heads, dim_feedforward=4 * d_model, dropout=0.0,
                                       activation="gelu", batch_first=True, norm_first=True)
            for _ in range(depth))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, img):
        b, c, h, w = img.shape
        if c != self.in_channels or h != self.img_size or w != self.img_size:
            raise ValueError(f"expected images [B, {self.in_channels}, {self.img_size}, {self.img_size}], "
                             f"got {list(img.shape)}")
        x = self.patch_embed(img).flatten(2).transpose(1, 2)  # [B, D, H/p, W/p] -> [B, N, D], row-major patches
        x = torch.cat([self.cls_token.expand(b, -1, -1), x], dim=1) + self.pos_embed  # [B, N + 1, D]
        for blk in self.blocks:  # pre-LN: x + attn(LN(x)), then x + MLP(LN(x))
            y = blk.norm1(x)
            x = x + blk.self_attn(y, y, y, need_weights=False)[0]
            x = x + blk.linear2(F.gelu(blk.linear1(blk.norm2(x))))
        return self.head(self.norm(x)[:, 0])  # classify from the [CLS] token
