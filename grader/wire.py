"""The messages between the grader and a candidate's process: each a length-prefixed torch.save payload of
plain data (grader.harness.is_data), decoded only with torch.load(weights_only=True), which builds tensors
and plain containers and never runs code named in the bytes (the candidate's process writes them). A
torch.Generator argument (mlm-masking's) travels as its device and state and arrives as a generator of its own
in that state.
"""

from __future__ import annotations

import io
import struct
from typing import IO, Any

import torch

HEADER = struct.Struct("<Q")
MAX_BYTES = 1 << 31  # 2 GiB: a larger message is a flood, not an answer


GENERATOR = "__torch_generator__"  # {GENERATOR: [device, state]} stands for a torch.Generator


class ProtocolError(Exception):
    """A message cut short, larger than MAX_BYTES, or not a message at all."""


def _pack(value: Any) -> Any:
    if isinstance(value, torch.Generator):
        return {GENERATOR: [str(value.device), value.get_state()]}
    if isinstance(value, (list, tuple)):
        return type(value)(_pack(v) for v in value)
    if isinstance(value, dict):
        return {k: _pack(v) for k, v in value.items()}
    return value


def _unpack(value: Any) -> Any:
    if isinstance(value, dict) and list(value) == [GENERATOR]:
        device, state = value[GENERATOR]
        generator = torch.Generator(device=device)
        generator.set_state(state)
        return generator
    if isinstance(value, (list, tuple)):
        return type(value)(_unpack(v) for v in value)
    if isinstance(value, dict):
        return {k: _unpack(v) for k, v in value.items()}
    return value


def send(stream: IO[bytes], value: Any) -> None:
    buf = io.BytesIO()
    torch.save(_pack(value), buf)
    data = buf.getbuffer()
    stream.write(HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive(stream: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    """The next message's bytes (EOFError if the stream ends before one starts)."""
    header = _read(stream, HEADER.size)
    if not header:
        raise EOFError("the stream ended")
    if len(header) < HEADER.size:
        raise ProtocolError("a message header was cut short")
    (size,) = HEADER.unpack(header)
    if size > limit:
        raise ProtocolError(f"a message of {size} bytes is larger than the {limit} allowed")
    data = _read(stream, size)
    if len(data) < size:
        raise ProtocolError(f"a message was cut short ({len(data)} of {size} bytes)")
    return data


def decode(data: bytes) -> Any:
    """The value in a message; ProtocolError if the bytes are not a torch.save payload of plain data."""
    try:
        return _unpack(torch.load(io.BytesIO(data), weights_only=True))
    except Exception as exc:  # noqa: BLE001 - any failure to decode untrusted bytes is the sender's
        raise ProtocolError(f"unreadable message ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from None


def _read(stream: IO[bytes], size: int) -> bytes:
    parts, got = [], 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)
