# blind: wrong
# bug: hard-codes -10000.0 (the old BERT constant) instead of finfo(dtype).min
# family: mask-fill


def extended_attention_mask(attention_mask, dtype):
    ext = attention_mask[:, None, None, :].to(dtype)
    return (1.0 - ext) * -10000.0
