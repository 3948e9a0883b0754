# blind: wrong
# bug: silently crops H and W down to a multiple of p instead of raising
# family: edge-case


def patchify(img, patch_size):
    b, c, h, w = img.shape
    p = patch_size
    img = img[:, :, : h - h % p, : w - w % p]
    h, w = img.shape[-2:]
    gh, gw = h // p, w // p
    x = img.reshape(b, c, gh, p, gw, p).permute(0, 2, 4, 1, 3, 5)  # [B, gh, gw, C, p, p]
    return x.reshape(b, gh * gw, c * p * p)
