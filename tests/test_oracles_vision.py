"""References of the vision, video and multimodal questions checked against PyTorch's own kernels and modules."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from grader.loader import load_file

SOL = Path(__file__).resolve().parent.parent / "solutions"


def ref(qid: str, name: str):
    return getattr(load_file(SOL / qid / "reference.py"), name)


def randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64)


def _tokens(conv: torch.nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """A 1x1 convolution's output as tokens [B, HW, channels]."""
    return conv(x).flatten(2).transpose(1, 2)


def test_tiny_vit_matches_unfold_patches_and_pytorch_encoder_layers() -> None:
    torch.manual_seed(1)
    vit = ref("tiny-vit", "TinyViT")(12, 4, 2, 16, 4, 2, 3).double()
    img = randn(3, 2, 12, 12)
    patches = F.unfold(img, 4, stride=4).transpose(1, 2)  # [B, 9, C*p*p], row-major patches in (C, p, p) order
    x = patches @ vit.patch_embed.weight.flatten(1).T + vit.patch_embed.bias
    x = torch.cat([vit.cls_token.expand(3, -1, -1), x], dim=1) + vit.pos_embed
    for layer in vit.blocks:  # PyTorch's own pre-LN encoder layer
        x = layer(x)
    torch.testing.assert_close(vit(img), vit.head(vit.norm(x)[:, 0]))


def test_patchify_matches_unfold_and_the_patch_convolution() -> None:
    torch.manual_seed(5)
    img = randn(2, 3, 6, 10)
    patches = ref("vit-patch-embedding", "patchify")(img, 2)
    torch.testing.assert_close(patches, F.unfold(img, 2, stride=2).transpose(1, 2), rtol=0, atol=0)
    conv = torch.nn.Conv2d(3, 7, 2, stride=2).double()
    want = conv(img).flatten(2).transpose(1, 2)  # [B, N, D], row-major patches
    torch.testing.assert_close(patches @ conv.weight.flatten(1).T + conv.bias, want)


def test_sagan_block_is_x_plus_gamma_times_unscaled_sdpa_over_pixels() -> None:
    torch.manual_seed(0)
    block = ref("sagan-self-attention", "SAGANSelfAttention")(16, gamma_init=0.6).double()
    x = randn(3, 16, 4, 5)
    q, k, v = (_tokens(conv, x) for conv in (block.query_conv, block.key_conv, block.value_conv))
    o = F.scaled_dot_product_attention(q, k, v, scale=1.0)  # SAGAN has no 1/sqrt(d) scale
    want = x + 0.6 * o.transpose(1, 2).reshape(x.shape)
    torch.testing.assert_close(block(x), want)
    fresh = ref("sagan-self-attention", "SAGANSelfAttention")(16).double()
    torch.testing.assert_close(fresh(x), x, rtol=0, atol=0)  # gamma = 0: the identity at initialisation


def test_divided_space_time_equals_masked_attention_over_the_whole_clip() -> None:
    """Divided attention is full attention over the T*N tokens with a same-patch, then a same-frame mask."""
    torch.manual_seed(2)
    b, t, n, d = 2, 3, 4, 12
    block = ref("divided-space-time-attention", "DividedSpaceTimeAttention")(d, 3).double()
    x = randn(b, t, n, d)
    frame = torch.arange(t).repeat_interleave(n)  # token i of the flattened clip is frame i // N, patch i % N
    patch = torch.arange(n).repeat(t)

    def sublayer(seq, norm, attn, keep):  # nn.MultiheadAttention's attn_mask: True = blocked
        h = norm(seq)
        return seq + attn(h, h, h, attn_mask=~keep, need_weights=False)[0]

    y = sublayer(x.reshape(b, t * n, d), block.temporal_norm, block.temporal_attn, patch[:, None] == patch[None, :])
    y = sublayer(y, block.spatial_norm, block.spatial_attn, frame[:, None] == frame[None, :])
    torch.testing.assert_close(block(x), y.reshape(b, t, n, d))


def test_gated_cross_attention_matches_nn_multihead_attention_with_kdim_and_tanh_gates() -> None:
    torch.manual_seed(3)
    e, dv, h = 16, 10, 4
    block = ref("gated-cross-attention", "GatedCrossAttention")(e, dv, h, gate_init=0.4).double()
    mha = torch.nn.MultiheadAttention(e, h, kdim=dv, vdim=dv, bias=False, batch_first=True).double()
    with torch.no_grad():
        mha.q_proj_weight.copy_(block.q_proj.weight)
        mha.k_proj_weight.copy_(block.k_proj.weight)
        mha.v_proj_weight.copy_(block.v_proj.weight)
        mha.out_proj.weight.copy_(block.out_proj.weight)
    x, visual = randn(3, 6, e), randn(3, 5, dv)
    real = torch.tensor([[1] * 5, [1] * 3 + [0] * 2, [1] + [0] * 4], dtype=torch.bool)
    a, _ = mha(block.attn_norm(x), visual, visual, key_padding_mask=~real, need_weights=False)  # True = pad
    gate = torch.tanh(torch.tensor(0.4, dtype=torch.float64))
    y = x + gate * a
    want = y + gate * block.ff2(F.gelu(block.ff1(block.ff_norm(y))))
    torch.testing.assert_close(block(x, visual, real[:, None, :]), want)


def test_gated_cross_attention_rows_without_visual_tokens_match_sdpa_zeros() -> None:
    """PyTorch's SDPA returns zeros for a query with no allowed key; so must the attention branch."""
    torch.manual_seed(4)
    block = ref("gated-cross-attention", "GatedCrossAttention")(8, 6, 2, gate_init=0.8).double()
    x, visual = randn(2, 4, 8), randn(2, 3, 6)
    keep = torch.rand(2, 4, 3) < 0.6
    keep[:, 0] = False  # text before the first image
    q = block.q_proj(block.attn_norm(x)).view(2, 4, 2, 4).transpose(1, 2)
    k, v = (proj(visual).view(2, 3, 2, 4).transpose(1, 2) for proj in (block.k_proj, block.v_proj))
    a = F.scaled_dot_product_attention(q, k, v, attn_mask=keep[:, None]).transpose(1, 2).reshape(2, 4, 8)
    gate = torch.tanh(torch.tensor(0.8, dtype=torch.float64))
    y = x + gate * block.out_proj(a)
    want = y + gate * block.ff2(F.gelu(block.ff1(block.ff_norm(y))))
    torch.testing.assert_close(block(x, visual, keep), want)
