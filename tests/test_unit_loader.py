"""The signature rules of loader.entry_point, on in-memory modules."""

from __future__ import annotations

import pytest

from grader.loader import InvalidCandidate, entry_point, load_file, load_source, mistake_source

SIG = "scaled_dot_product_attention(q, k, v, mask=None, scale=None) -> Tensor"


def _check(source: str):
    return entry_point(load_source(source, "<candidate>"), "scaled_dot_product_attention", SIG)


def test_the_exact_signature_and_extra_optional_parameters_are_accepted() -> None:
    assert callable(_check("def scaled_dot_product_attention(q, k, v, mask=None, scale=None): pass"))
    assert callable(_check("def scaled_dot_product_attention(q, k, v, mask=1, scale=2, dropout=0.0): pass"))
    assert callable(_check("def scaled_dot_product_attention(q, k, v, mask=None, scale=None, *, eps=1): pass"))


@pytest.mark.parametrize("params, message", [
    ("q, k, v, mask, scale=None", "parameter `mask` of `scaled_dot_product_attention` needs a default"),
    ("q, k, v, mask, scale", "parameter `mask` of `scaled_dot_product_attention` needs a default"),
    ("q, k, v, mask=None, scale=None, *, extra", "extra required parameters (extra)"),
    ("q, k, v, mask=None, scale=None, *, extra, more, opt=1", "extra required parameters (extra, more)"),
    ("q, k, v, extra, mask=None, scale=None", "has parameters (q, k, v, extra, mask, scale)"),
    ("q, v, k, mask=None, scale=None", "has parameters (q, v, k, mask, scale); the question asks for"),
    ("q, k, v", "has parameters (q, k, v); the question asks for"),
    ("query, key, value, mask=None, scale=None", "has parameters (query, key, value, mask, scale)"),
])
def test_wrong_signatures_are_invalid(params: str, message: str) -> None:
    with pytest.raises(InvalidCandidate) as err:
        _check(f"def scaled_dot_product_attention({params}): pass")
    assert message in str(err.value) and SIG in str(err.value)


def test_missing_and_uncallable_entry_points() -> None:
    with pytest.raises(InvalidCandidate, match=r"no `scaled_dot_product_attention` defined in the file "
                                               r"\(it defines: attention, sdpa\)"):
        _check("def sdpa(q): pass\ndef attention(q): pass\ndef _private(): pass\nimport math")
    with pytest.raises(InvalidCandidate, match="^no `scaled_dot_product_attention` defined in the file$"):
        _check("x = 1")
    with pytest.raises(InvalidCandidate, match="is not callable"):
        _check("scaled_dot_product_attention = 3")


def test_classes_are_checked_by_their_constructor() -> None:
    ok = "class scaled_dot_product_attention:\n    def __init__(self, q, k, v, mask=None, scale=None): pass"
    assert isinstance(_check(ok), type)
    with pytest.raises(InvalidCandidate, match="needs a default"):
        _check(ok.replace("mask=None", "mask"))


def test_load_source_registers_the_source_for_tracebacks() -> None:
    import inspect

    module = load_source("def f():\n    return 1\n", "/nowhere/cand.py")
    assert module.f() == 1 and "return 1" in inspect.getsource(module.f)


def test_mistake_patches_must_match_exactly_once(tmp_path) -> None:
    from types import SimpleNamespace

    (tmp_path / "reference.py").write_text("a = 1\nb = 1\n", encoding="utf-8")
    q = SimpleNamespace(id="x")
    patch = lambda find, rep: SimpleNamespace(file=None, id="m", patch=[SimpleNamespace(find=find, replace=rep)])  # noqa: E731
    assert mistake_source(q, patch("a = 1", "a = 2"), tmp_path) == "a = 2\nb = 1\n"
    with pytest.raises(ValueError, match="occurs 2 times"):
        mistake_source(q, patch("= 1", "= 2"), tmp_path)
    with pytest.raises(ValueError, match="occurs 0 times"):
        mistake_source(q, patch("c = 1", "c = 2"), tmp_path)


def test_load_file_imports_a_fresh_module_each_time(tmp_path) -> None:
    import sys

    path = tmp_path / "impl.py"
    path.write_text("import dataclasses\n@dataclasses.dataclass\nclass P:\n    x: int = 0\nCOUNT = [0]\n",
                    encoding="utf-8")
    a, b = load_file(path), load_file(path)
    assert a is not b and a.__name__ != b.__name__ and a.COUNT is not b.COUNT
    assert sys.modules[a.__name__] is a and a.__file__ == str(path)  # dataclasses look the module up by name
    assert a.P(3).x == 3


def test_a_mistake_with_its_own_file_is_read_as_is(tmp_path) -> None:
    from types import SimpleNamespace

    (tmp_path / "reference.py").write_text("a = 1\n", encoding="utf-8")
    (tmp_path / "mistakes").mkdir()
    (tmp_path / "mistakes" / "m.py").write_text("# 注意力\na = 2\n", encoding="utf-8")
    own = SimpleNamespace(file="mistakes/m.py", id="m", patch=None)
    assert mistake_source(SimpleNamespace(id="x"), own, tmp_path) == "# 注意力\na = 2\n"
