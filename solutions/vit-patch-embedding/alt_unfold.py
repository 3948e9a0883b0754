"""Alternative: F.unfold with stride = kernel = patch size (the same (C, p, p) order as a convolution)."""

import torch.nn.functional as F


def patchify(img, patch_size):
    if img.shape[-2] % patch_size != 0 or img.shape[-1] % patch_size != 0:
        raise ValueError("the image is not divisible into patches")
    return F.unfold(img, kernel_size=patch_size, stride=patch_size).transpose(1, 2)  # [B, C*p*p, N] -> [B, N, C*p*p]
