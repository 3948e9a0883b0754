"""Alternative: explicit loops over the patch grid, slicing and flattening one patch at a time."""

import torch


def patchify(img, patch_size):
    B, C, H, W = img.shape
    p = patch_size
    if H % p != 0 or W % p != 0:
        raise ValueError(f"{H}x{W} does not split into {p}x{p} patches")
    patches = []
    for i in range(0, H, p):  # top to bottom
        for j in range(0, W, p):  # left to right
            patches.append(img[:, :, i:i + p, j:j + p].reshape(B, C * p * p))  # [B, C, p, p] flattened C-major
    return torch.stack(patches, dim=1)
