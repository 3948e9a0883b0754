"""Alternative: float64 inside, F.unfold patches, multi-head attention written out from in_proj_weight."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class TinyViT(nn.Module):
    def __init__(self, img_size, patch_size, in_channels, d_model, num_heads, depth, num_classes):
        super().__init__()
        self.img_size, self.p, self.cin, self.heads = img_size, patch_size, in_channels, num_heads
        self.patch_embed = nn.Conv2d(in_channels, d_model, kernel_size=patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d_model))
        self.pos_embed = nn.Parameter(torch.zeros(1, (img_size // patch_size) ** 2 + 1, d_model))
        self.blocks = nn.ModuleList([nn.TransformerEncoderLayer(d_model, num_heads, dim_feedforward=4 * d_model,
                                                                dropout=0.0, activation="gelu", batch_first=True,
                                                                norm_first=True) for _ in range(depth)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def _attn(self, blk, x):  # x [B, L, E]
        B, L, E = x.shape
        a = blk.self_attn
        q, k, v = (x @ a.in_proj_weight.double().T + a.in_proj_bias.double()).chunk(3, dim=-1)
        q, k, v = (t.reshape(B, L, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
        o = (w @ v).transpose(1, 2).reshape(B, L, E)
        return o @ a.out_proj.weight.double().T + a.out_proj.bias.double()

    @staticmethod
    def _ln(x, norm):
        return F.layer_norm(x, norm.normalized_shape, norm.weight.double(), norm.bias.double(), norm.eps)

    def forward(self, img):
        if img.shape[1] != self.cin or img.shape[2] != self.img_size or img.shape[3] != self.img_size:
            raise ValueError("image size does not match the model")
        B = img.shape[0]
        cols = F.unfold(img.double(), self.p, stride=self.p).transpose(1, 2)  # [B, N, C*p*p]
        w = self.patch_embed.weight.double().flatten(1)
        x = cols @ w.T + self.patch_embed.bias.double()
        x = torch.cat([self.cls_token.double().expand(B, -1, -1), x], dim=1) + self.pos_embed.double()
        for blk in self.blocks:
            x = x + self._attn(blk, self._ln(x, blk.norm1))
            h = F.gelu(self._ln(x, blk.norm2) @ blk.linear1.weight.double().T + blk.linear1.bias.double())
            x = x + h @ blk.linear2.weight.double().T + blk.linear2.bias.double()
        cls = self._ln(x[:, 0], self.norm)
        return (cls @ self.head.weight.double().T + self.head.bias.double()).to(img.dtype)
