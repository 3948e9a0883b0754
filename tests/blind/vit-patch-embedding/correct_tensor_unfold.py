# blind: correct
# family: Tensor.unfold windows


def patchify(img, patch_size):
    p = patch_size
    B, C, H, W = img.shape
    if H % p or W % p:
        raise ValueError("patchify: H and W must be divisible by patch_size")
    win = img.unfold(2, p, p).unfold(3, p, p)  # [B, C, H/p, W/p, p, p]
    win = win.permute(0, 2, 3, 1, 4, 5).contiguous()
    return win.view(B, (H // p) * (W // p), C * p * p)
