# blind: wrong
# bug: flattens each patch as (c, x, y): x and y swapped inside the patch
# family: patch-order


def patchify(img, patch_size):
    b, c, h, w = img.shape
    p = patch_size
    if h % p or w % p:
        raise ValueError(f"image size {h}x{w} is not a multiple of the patch size {p}")
    gh, gw = h // p, w // p
    x = img.reshape(b, c, gh, p, gw, p).permute(0, 2, 4, 1, 5, 3)  # [B, gh, gw, C, p, p]
    return x.reshape(b, gh * gw, c * p * p)
