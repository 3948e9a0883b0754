# blind: wrong
# bug: puts the batch axis after the grid before reshaping: images swap patches when B > 1
# family: wrong-axis


def patchify(img, patch_size):
    b, c, h, w = img.shape
    p = patch_size
    if h % p or w % p:
        raise ValueError(f"image size {h}x{w} is not a multiple of the patch size {p}")
    gh, gw = h // p, w // p
    x = img.reshape(b, c, gh, p, gw, p).permute(2, 4, 0, 1, 3, 5)  # [gh, gw, B, C, p, p]
    return x.reshape(-1, c * p * p).reshape(b, gh * gw, c * p * p)
