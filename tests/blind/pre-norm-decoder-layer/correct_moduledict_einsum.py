# blind: correct
import math

import torch
import torch.nn.functional as F
from torch import nn


def _attention_block(d_model):
    return nn.ModuleDict({name: nn.Linear(d_model, d_model) for name in ("q_proj", "k_proj", "v_proj", "out_proj")})


class PreNormDecoderLayer(nn.Module):
    """Pre-LN decoder layer; the attention blocks are ModuleDicts so the state dict names match."""

    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("d_model must be a multiple of num_heads")
        self.h = num_heads
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))
        self.self_attn = _attention_block(d_model)
        self.cross_attn = _attention_block(d_model)
        self.ffn = nn.ModuleDict({"fc1": nn.Linear(d_model, d_ff), "fc2": nn.Linear(d_ff, d_model)})

    def _attend(self, block, xq, xkv, keep):
        split = lambda t: t.unflatten(-1, (self.h, -1))  # noqa: E731  [B, L, H, D]
        q, k, v = split(block["q_proj"](xq)), split(block["k_proj"](xkv)), split(block["v_proj"](xkv))
        d = q.shape[-1]
        s = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(d)
        s = s.masked_fill(~keep, torch.finfo(s.dtype).min)
        p = torch.softmax(s, dim=-1) * keep  # keep zeroes every weight of a row with no allowed key
        o = torch.einsum("bhqk,bkhd->bqhd", p, v).flatten(-2)
        return block["out_proj"](o)

    def forward(self, tgt, memory, memory_mask=None):
        lt = tgt.shape[1]
        causal = torch.arange(lt, device=tgt.device)[:, None] >= torch.arange(lt, device=tgt.device)[None, :]
        if memory_mask is None:
            cross_keep = torch.ones(memory.shape[:2], dtype=torch.bool, device=memory.device)[:, None, None]
        else:
            cross_keep = memory_mask[:, None, None, :]
        x = tgt
        y = self.norm1(x)
        x = x + self._attend(self.self_attn, y, y, causal)
        x = x + self._attend(self.cross_attn, self.norm2(x), memory, cross_keep)
        x = x + self.ffn["fc2"](F.gelu(self.ffn["fc1"](self.norm3(x))))
        return x
