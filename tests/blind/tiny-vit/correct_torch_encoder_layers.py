# blind: correct
# family: plain (nn.TransformerEncoderLayer blocks, conv patch embedding)
import torch
from torch import nn


class TinyViT(nn.Module):
    def __init__(self, img_size, patch_size, in_channels, d_model, num_heads, depth, num_classes):
        super().__init__()
        self.img_size, self.patch_size, self.in_channels = img_size, patch_size, in_channels
        n = (img_size // patch_size) ** 2
        self.patch_embed = nn.Conv2d(in_channels, d_model, patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d_model))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, d_model))
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(d_model, num_heads, dim_feedforward=4 * d_model, dropout=0.0,
                                       activation="gelu", batch_first=True, norm_first=True)
            for _ in range(depth)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, img):
        if img.dim() != 4 or img.shape[1] != self.in_channels:
            raise ValueError(f"expected [B, {self.in_channels}, H, W], got {tuple(img.shape)}")
        if img.shape[2] != self.img_size or img.shape[3] != self.img_size:
            raise ValueError(f"expected {self.img_size}x{self.img_size} images, got {img.shape[2]}x{img.shape[3]}")
        x = self.patch_embed(img).flatten(2).transpose(1, 2)  # [B, N, D], row-major patches
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x)[:, 0])
