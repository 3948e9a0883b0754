# blind: correct
# family: other
import torch


def alibi_bias(num_heads, lq, lk, device="cpu", dtype=torch.float32):
    """Slopes through their exponents: m = 2 ** (-8 * r / n), r a rank in the head count n used."""
    if num_heads < 1 or lq > lk:
        raise ValueError(f"bad arguments: num_heads={num_heads}, lq={lq}, lk={lk}")
    p = 1
    while p * 2 <= num_heads:
        p *= 2
    exps = [8.0 * (h + 1) / p for h in range(p)]
    exps += [8.0 * (2 * t + 1) / (2 * p) for t in range(num_heads - p)]
    m = torch.pow(2.0, -torch.tensor(exps, dtype=torch.float64, device=device))
    rel = torch.arange(lk, device=device).view(1, lk) - torch.arange(lk - lq, lk, device=device).view(lq, 1)
    return (m.view(-1, 1, 1) * rel.to(torch.float64)).to(dtype)
