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


def test_sagan_block_is_x_plus_gamma_times_unscaled_sdpa_over_pixels() -> None:
    torch.manual_seed(0)
    block = ref("sagan-self-attention", "SAGANSelfAttention")(16, gamma_init=0.6).double()
    x = randn(3, 16, 4, 5)
    tokens = lambda conv: conv(x).flatten(2).transpose(1, 2)  # noqa: E731  [B, HW, channels]
    q, k, v = tokens(block.query_conv), tokens(block.key_conv), tokens(block.value_conv)
    o = F.scaled_dot_product_attention(q, k, v, scale=1.0)  # SAGAN has no 1/sqrt(d) scale
    want = x + 0.6 * o.transpose(1, 2).reshape(x.shape)
    torch.testing.assert_close(block(x), want)
    fresh = ref("sagan-self-attention", "SAGANSelfAttention")(16).double()
    torch.testing.assert_close(fresh(x), x, rtol=0, atol=0)  # gamma = 0: the identity at initialisation
