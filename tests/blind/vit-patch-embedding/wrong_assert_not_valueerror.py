# blind: wrong
# bug: checks divisibility with assert (AssertionError, vanishes under -O), not ValueError
# family: edge-case


def patchify(img, patch_size):
    b, c, h, w = img.shape
    p = patch_size
    assert h % p == 0 and w % p == 0, "image size must be a multiple of the patch size"
    gh, gw = h // p, w // p
    x = img.reshape(b, c, gh, p, gw, p).permute(0, 2, 4, 1, 3, 5)  # [B, gh, gw, C, p, p]
    return x.reshape(b, gh * gw, c * p * p)
