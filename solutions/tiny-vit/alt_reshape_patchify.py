"""Alternative: patchify with reshape/permute and the conv weight as a matrix; PyTorch's layers called whole."""

import torch
from torch import nn


class TinyViT(nn.Module):
    def __init__(self, img_size, patch_size, in_channels, d_model, num_heads, depth, num_classes):
        super().__init__()
        self.cfg = (img_size, patch_size, in_channels)
        n = (img_size // patch_size) ** 2
        self.patch_embed = nn.Conv2d(in_channels, d_model, patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d_model))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, d_model))
        self.blocks = nn.ModuleList([nn.TransformerEncoderLayer(d_model, num_heads, 4 * d_model, 0.0, "gelu",
                                                                batch_first=True, norm_first=True)
                                     for _ in range(depth)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, img):
        size, p, cin = self.cfg
        if tuple(img.shape[1:]) != (cin, size, size):
            raise ValueError(f"bad image shape {tuple(img.shape)}")
        B, C, H, W = img.shape
        # [B, C, H/p, p, W/p, p] -> [B, H/p, W/p, C, p, p] -> [B, N, C*p*p]: (C, p, p) order, as the conv weight
        patches = img.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 1, 3, 5).reshape(B, -1, C * p * p)
        tokens = patches @ self.patch_embed.weight.reshape(self.patch_embed.out_channels, -1).T + self.patch_embed.bias
        x = torch.cat([self.cls_token.expand(B, 1, -1), tokens], 1) + self.pos_embed
        for layer in self.blocks:
            x = layer(x)
        return self.head(self.norm(x[:, 0]))
