# blind: wrong
# bug: turns the image into patches with a plain reshape to [B, N, C*p*p]
# family: shape/transposition


def patchify(img, patch_size):
    b, c, h, w = img.shape
    p = patch_size
    if h % p or w % p:
        raise ValueError(f"image size {h}x{w} is not a multiple of the patch size {p}")
    gh, gw = h // p, w // p
    return img.reshape(b, gh * gw, c * p * p)
