# blind: correct
# family: functional forward in float64 from the named parameters (reshape patchify, hand-written attention)
import math

import torch
import torch.nn.functional as F
from torch import nn


class TinyViT(nn.Module):
    def __init__(self, img_size, patch_size, in_channels, d_model, num_heads, depth, num_classes):
        super().__init__()
        self.cfg = (img_size, patch_size, in_channels, num_heads)
        n = (img_size // patch_size) ** 2
        self.patch_embed = nn.Conv2d(in_channels, d_model, patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d_model))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, d_model))
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(d_model, num_heads, dim_feedforward=4 * d_model, dropout=0.0,
                                       activation="gelu", batch_first=True, norm_first=True)
            for _ in range(depth)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    @staticmethod
    def _ln(x, ln):
        return F.layer_norm(x, x.shape[-1:], ln.weight.double(), ln.bias.double(), ln.eps)

    def _attn(self, x, mha):
        B, L, D = x.shape
        H = self.cfg[3]
        q, k, v = F.linear(x, mha.in_proj_weight.double(), mha.in_proj_bias.double()).chunk(3, -1)
        q, k, v = (t.reshape(B, L, H, D // H).permute(0, 2, 1, 3) for t in (q, k, v))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D // H), -1)
        o = (a @ v).permute(0, 2, 1, 3).reshape(B, L, D)
        return F.linear(o, mha.out_proj.weight.double(), mha.out_proj.bias.double())

    def forward(self, img):
        size, p, c, _ = self.cfg
        if img.ndim != 4 or img.shape[1] != c or img.shape[2] != size or img.shape[3] != size:
            raise ValueError(f"TinyViT expects [B, {c}, {size}, {size}] images, got {list(img.shape)}")
        B, g = img.shape[0], size // p
        patches = img.double().reshape(B, c, g, p, g, p).permute(0, 2, 4, 1, 3, 5).reshape(B, g * g, c * p * p)
        x = F.linear(patches, self.patch_embed.weight.double().flatten(1), self.patch_embed.bias.double())
        x = torch.cat([self.cls_token.double().expand(B, 1, -1), x], 1) + self.pos_embed.double()
        for blk in self.blocks:
            x = x + self._attn(self._ln(x, blk.norm1), blk.self_attn)
            h = F.gelu(F.linear(self._ln(x, blk.norm2), blk.linear1.weight.double(), blk.linear1.bias.double()))
            x = x + F.linear(h, blk.linear2.weight.double(), blk.linear2.bias.double())
        logits = F.linear(self._ln(x[:, 0], self.norm), self.head.weight.double(), self.head.bias.double())
        return logits.to(img.dtype)
