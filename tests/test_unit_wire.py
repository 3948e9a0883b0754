"""The wire between the grader and a candidate's process (grader.wire): what a message can carry."""

from __future__ import annotations

import io

import pytest
import torch

from grader.wire import ProtocolError, decode, receive, send


def _round_trip(value):
    buf = io.BytesIO()
    send(buf, value)
    buf.seek(0)
    return decode(receive(buf))


def test_a_generator_arrives_as_its_own_generator_in_the_same_state() -> None:
    gen = torch.Generator().manual_seed(7)
    torch.rand(3, generator=gen)  # a state other than the seed's
    kwargs = _round_trip(["call", {"generator": gen, "ids": (torch.arange(3), [gen])}])[1]
    copy = kwargs["generator"]
    assert isinstance(copy, torch.Generator) and copy is not gen and isinstance(kwargs["ids"], tuple)
    assert torch.equal(torch.rand(5, generator=copy), torch.rand(5, generator=gen))
    assert isinstance(kwargs["ids"][1][0], torch.Generator)


def test_a_forged_generator_state_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        _round_trip({"__torch_generator__": ["cpu", torch.zeros(3, dtype=torch.uint8)]})
