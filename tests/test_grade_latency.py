"""What a grade on the GPU no longer pays for (issue 16): torch imported in the parent to ask for CUDA, the speed
run's inputs drawn in float64 on the CPU, Triton kernels compiled again in every candidate's fresh home."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import torch

from grader.checks.cost import speed_args
from grader.grade import cuda_available, device_env, grade, torch_cuda_major, triton_cache
from grader.inputs import cast, make_args
from grader.outcome import Settings
from grader.schema import Case

ROOT = Path(__file__).resolve().parent.parent


def test_torch_cuda_major_reads_version_py():
    assert torch_cuda_major("__version__ = '2.11.0+cu130'\ncuda: Optional[str] = '13.0'\n") == 13
    assert torch_cuda_major("cuda = \"12.8\"\n") == 12
    assert torch_cuda_major("cuda: Optional[str] = None\nhip: Optional[str] = '6.0'\n") is None


def test_cuda_available_agrees_with_torch():
    assert cuda_available() == torch.cuda.is_available()


def test_speed_args_draws_normals_in_the_grading_dtype_and_makes_the_rest_as_cases_do():
    specs = Case.model_validate({"id": "speed", "args": {
        "q": {"randn": ["B", "L", "D"], "std": 3.0}, "mask": {"keep": ["B", "L"], "p": 0.5},
        "w": {"randn": ["B", "L"], "softmax": True}}}).args
    dims = {"B": 2, "L": 64, "D": 8}
    args = speed_args(specs, dims, 5, torch.bfloat16, "cpu")
    assert list(args) == ["q", "mask", "w"]
    assert args["q"].dtype == torch.bfloat16 and args["q"].shape == (2, 64, 8)
    assert 2.0 < args["q"].float().std().item() < 4.0  # std applied
    rest = cast(make_args({k: specs[k] for k in ("mask", "w")}, dims, 5), torch.bfloat16, "cpu")
    assert torch.equal(args["mask"], rest["mask"]) and torch.equal(args["w"], rest["w"])
    assert torch.equal(speed_args(specs, dims, 5, torch.bfloat16, "cpu")["q"], args["q"])  # seeded


def test_device_env_keeps_tritons_cache_for_triton_questions_only(monkeypatch, tmp_path):
    monkeypatch.delenv("TRITON_CACHE_DIR", raising=False)
    assert device_env({"requires": []}) is None
    assert device_env({"requires": ["triton"]}) == {"TRITON_CACHE_DIR": str(triton_cache())}
    monkeypatch.setenv("TRITON_CACHE_DIR", str(tmp_path))  # the user's own choice wins
    assert device_env({"requires": ["triton"]}) == {"TRITON_CACHE_DIR": str(tmp_path)}


@pytest.mark.skipif(not torch.cuda.is_available(), reason="Triton kernels compile only on a CUDA device")
def test_a_triton_grade_leaves_its_kernels_in_the_cache(monkeypatch, tmp_path):
    cache = tmp_path / "triton"
    monkeypatch.setenv("TRITON_CACHE_DIR", str(cache))
    pytest.importorskip("triton")
    reference = ROOT / "solutions" / "triton-flash-attention" / "reference.py"
    verdict = grade("triton-flash-attention", reference, Settings("cuda", "float16"), ROOT)
    assert verdict.passed, verdict.checks
    assert any(p.suffix == ".cubin" for p in cache.rglob("*")), sorted(os.listdir(cache))
    shutil.rmtree(cache)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a CUDA device")
def test_grading_on_cuda_without_a_device_is_a_usage_error():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "grader", "grade", "sdpa", str(ROOT / "solutions" / "sdpa" /
                           "reference.py"), "--device", "cuda", "--no-record"], capture_output=True, text=True,
                          env={**os.environ, "ATTNBANK_ROOT": str(ROOT)}, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "no CUDA device is available" in done.stderr
