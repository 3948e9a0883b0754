"""The worker process's boundary, run in process: the job it reads and the JSON events it streams."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from grader import sandbox, worker
from grader.outcome import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def keep_torch_settings():
    """worker.main sets the thread count and TF32 flags for its process: restore them for the other tests."""
    threads, tf32 = torch.get_num_threads(), torch.backends.cuda.matmul.allow_tf32
    yield
    torch.set_num_threads(threads)
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = tf32


def test_main_prepares_once_then_streams_each_files_events(tmp_path: Path, keep_torch_settings) -> None:
    good = tmp_path / "good.py"
    good.write_text((ROOT / "solutions" / "sdpa" / "reference.py").read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "bad.py"
    bad.write_text("def scaled_dot_product_attention(q, k, v):\n    return q\n", encoding="utf-8")
    (question,) = (ROOT / "questions").glob("*/sdpa.yaml")
    # the job exactly as the sandbox writes it
    job = sandbox.write_job(tmp_path, 1, question, ROOT / "solutions" / "sdpa", [str(good), str(bad)],
                            Settings(dtype="float32", device="cpu", seed=0, tf32=True))
    results = job.results
    assert worker.main(["worker", str(job.path)]) == 0
    assert torch.get_num_threads() == 1 and torch.backends.cuda.matmul.allow_tf32 is True
    events = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert events[0]["type"] == "ready" and isinstance(events[0]["time"], float)
    starts = [i for i, e in enumerate(events) if e["type"] == "start"]
    assert [events[i]["file"] for i in starts] == [str(good), str(bad)]
    verdicts = [e for e in events if e["type"] == "verdict"]
    assert [(v["file"], v["status"], v["question"]) for v in verdicts] == [(str(good), "passed", "sdpa"),
                                                                          (str(bad), "invalid", "sdpa")]
    first = events[starts[0] + 1: starts[1] - 1]  # the good file's check events, then its verdict
    assert first and all(e["type"] == "check" for e in first)
    assert [e["name"] for e in first] == [c["name"] for c in verdicts[0]["checks"]]
    assert events[-1] == verdicts[-1]
