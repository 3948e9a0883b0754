"""float32 on CUDA: cold compile time of the Triton reference's kernel variants that a grade needs, and its run
time at the speed check's shape, for several tile configs (one process each, each with its own empty Triton
cache, all started together).

Run on a CUDA machine from the repository root: python bench/triton_fp32_tiles.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

# (BLOCK_M, BLOCK_N, num_warps, num_stages)
CONFIGS = [(128, 64, 8, 3), (64, 32, 4, 2), (32, 32, 4, 2), (64, 64, 4, 2)]
CHILD = r"""
import json, sys, time
import torch
from triton.testing import do_bench
sys.path.insert(0, "solutions/triton-flash-attention")
import reference as R
cfg = tuple(json.loads(sys.argv[1]))
out = {"cfg": cfg}
for d, causal, length in [(32, False, 27), (32, True, 27), (64, False, 17), (128, False, 4096)]:
    b, h = (4, 16) if length == 4096 else (1, 2)
    q, k, v = (torch.randn(b, h, length, d, device="cuda") for _ in range(3))
    start = time.perf_counter()
    R._launch(q, k, v, causal, d**-0.5, cfg)
    torch.cuda.synchronize()
    out[f"compile s D={d} causal={causal}"] = round(time.perf_counter() - start, 2)
out["run ms D=128"] = round(do_bench(lambda: R._launch(q, k, v, False, d**-0.5, cfg), warmup=1, rep=1), 2)
golden = torch.nn.functional.scaled_dot_product_attention(q.double(), k.double(), v.double())
out["max err vs float64"] = float((R._launch(q, k, v, False, d**-0.5, cfg).double() - golden).abs().max())
print(json.dumps(out))
"""


def main() -> None:
    caches = [tempfile.mkdtemp(prefix="triton-fp32-") for _ in CONFIGS]
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(c)], env={**os.environ, "TRITON_CACHE_DIR": d},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for c, d in zip(CONFIGS, caches)]
    start = time.time()
    for config, proc in zip(CONFIGS, procs):
        try:
            out, _ = proc.communicate(timeout=max(1.0, 135 - (time.time() - start)))
            print(out.strip()[-1500:], flush=True)
        except subprocess.TimeoutExpired:
            proc.kill()
            print(config, "timed out after", round(time.time() - start), "s", flush=True)


if __name__ == "__main__":
    main()
