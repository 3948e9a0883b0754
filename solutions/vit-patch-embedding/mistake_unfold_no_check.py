"""Mistake: F.unfold without a divisibility check silently crops the image."""

import torch.nn.functional as F


def patchify(img, patch_size):
    return F.unfold(img, kernel_size=patch_size, stride=patch_size).transpose(1, 2)
