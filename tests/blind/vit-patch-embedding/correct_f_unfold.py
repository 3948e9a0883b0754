# blind: correct
# family: unfold (im2col)
import torch.nn.functional as F


def patchify(img, patch_size):
    h, w = img.shape[-2:]
    if h % patch_size != 0 or w % patch_size != 0:
        raise ValueError("H and W must be multiples of patch_size")
    return F.unfold(img, kernel_size=patch_size, stride=patch_size).transpose(1, 2)
