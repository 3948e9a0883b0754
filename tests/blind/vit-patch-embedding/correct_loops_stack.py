# blind: correct
# family: loops
import torch


def patchify(img, patch_size):
    p = patch_size
    B, C, H, W = img.shape
    if H % p != 0:
        raise ValueError(f"H={H} is not a multiple of {p}")
    if W % p != 0:
        raise ValueError(f"W={W} is not a multiple of {p}")
    patches = []
    for i in range(H // p):
        for j in range(W // p):
            patches.append(img[:, :, i * p:(i + 1) * p, j * p:(j + 1) * p].reshape(B, C * p * p))
    return torch.stack(patches, dim=1)
