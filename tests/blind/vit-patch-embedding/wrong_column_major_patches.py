# blind: wrong
# bug: orders the patches column-major (j * H/p + i)
# family: patch-order


def patchify(img, patch_size):
    b, c, h, w = img.shape
    p = patch_size
    if h % p or w % p:
        raise ValueError(f"image size {h}x{w} is not a multiple of the patch size {p}")
    gh, gw = h // p, w // p
    x = img.reshape(b, c, gh, p, gw, p).permute(0, 4, 2, 1, 3, 5)  # [B, gw, gh, C, p, p]
    return x.reshape(b, gh * gw, c * p * p)
