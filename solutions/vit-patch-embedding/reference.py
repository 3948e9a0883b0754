"""Reference: cut images into non-overlapping patches, flattened in the order a patch convolution's weight uses."""

from __future__ import annotations


def patchify(img, patch_size):
    b, c, h, w = img.shape
    p = patch_size
    if h % p or w % p:
        raise ValueError(f"image size {h}x{w} is not a multiple of the patch size {p}")
    # [B, C, H, W] -> [B, C, H/p, p, W/p, p] -> [B, H/p, W/p, C, p, p] -> [B, N, C*p*p]
    # patches in row-major order; inside a patch, channel-major like Conv2d's weight [D, C, p, p]
    x = img.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(b, (h // p) * (w // p), c * p * p)
