"""The Triton reference folds its scale into exp2's argument, which needs a positive scale (issue 16): the host
turns a negative scale into a negated k and zero into the smallest positive float, and the result must still be
softmax(q kᵀ · scale) v, causal or not (run in Triton's CPU interpreter, in a process of its own: Triton reads
TRITON_INTERPRET when it is imported)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parent.parent / "solutions" / "triton-flash-attention" / "reference.py"
SCRIPT = f"""
import importlib.util, torch
spec = importlib.util.spec_from_file_location("reference", {str(REFERENCE)!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
gen = torch.Generator().manual_seed(0)
q, k, v = (torch.randn(1, 2, 37, 32, generator=gen) for _ in range(3))
for scale in (-0.3, 0.0, 0.2):
    for causal in (False, True):
        scores = (q @ k.transpose(-1, -2)) * scale
        if causal:
            scores = scores.masked_fill(torch.ones(37, 37, dtype=torch.bool).triu(1), float("-inf"))
        got = module.triton_flash_attention(q, k, v, causal=causal, scale=scale)
        torch.testing.assert_close(got, torch.softmax(scores, -1) @ v, rtol=1e-4, atol=1e-5,
                                   msg=lambda m: f"scale {{scale}}, causal {{causal}}: {{m}}")
print("ok")
"""


def test_any_scale_gives_the_softmax_it_asks_for():
    pytest.importorskip("triton")
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
