"""RoPE written the ways real code writes it: Hugging Face's Llama (float32 angles, rotate_half) and a cos/sin
table lookup are correct and pass in every CPU dtype; Meta's interleaved pairs fail and are named."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import grade_many  # noqa: I001

FIXTURES = Path(__file__).parent / "fixtures" / "rope"


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
def test_hf_llama_and_table_rope_pass_and_meta_layout_is_named(bank, dtype):
    files = [FIXTURES / "hf_llama.py", FIXTURES / "table.py", FIXTURES / "meta_interleaved.py"]
    hf, table, meta = grade_many(bank, "rope", files, dtype=dtype)
    assert hf["passed"], hf["checks"]
    assert table["passed"], table["checks"]
    assert not meta["passed"]
    if dtype != "float64":  # Meta's code rotates in float32: in float64 grading it matches no mistake exactly
        assert meta["diagnosis"] == "interleaved-pairs"
