"""AWS event-stream framing (``application/vnd.amazon.eventstream``), the server's side.

Each message: total length and headers length (4 bytes each, big-endian), the CRC32 of those
8 bytes, the headers (name length, name, type 7 = string, value length, value), the payload,
and the CRC32 of everything before it. botocore's ``EventStreamBuffer`` decodes exactly this.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Mapping
from typing import Any

__all__ = ["CONTENT_TYPE", "decode_messages", "encode_event", "encode_exception", "encode_message"]

CONTENT_TYPE = "application/vnd.amazon.eventstream"


def encode_message(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One event-stream message with string headers."""
    head = b"".join(
        struct.pack("B", len(k.encode()))
        + k.encode()
        + b"\x07"
        + struct.pack(">H", len(v.encode()))
        + v.encode()
        for k, v in headers.items()
    )
    total = 12 + len(head) + len(payload) + 4
    prelude = struct.pack(">II", total, len(head))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + head + payload
    return message + struct.pack(">I", zlib.crc32(message))


def encode_event(event_type: str, body: Any) -> bytes:
    """An ``event`` message whose payload is ``body`` as JSON."""
    return encode_message(
        {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"},
        json.dumps(body, separators=(",", ":")).encode(),
    )


def encode_exception(code: str, message: str) -> bytes:
    """An ``exception`` message (botocore raises it as the modelled error ``code``)."""
    return encode_message(
        {
            ":exception-type": code,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps({"message": message}).encode(),
    )


def decode_messages(data: bytes) -> list[tuple[dict[str, str], bytes]]:
    """Split a buffer of whole messages into (headers, payload), checking both CRCs (for tests)."""
    out = []
    while data:
        total, head_len = struct.unpack(">II", data[:8])
        if struct.unpack(">I", data[8:12])[0] != zlib.crc32(data[:8]):
            raise ValueError("bad prelude CRC")
        if struct.unpack(">I", data[total - 4 : total])[0] != zlib.crc32(data[: total - 4]):
            raise ValueError("bad message CRC")
        head, pos, headers = data[12 : 12 + head_len], 0, {}
        while pos < len(head):
            n = head[pos]
            name = head[pos + 1 : pos + 1 + n].decode()
            pos += 1 + n + 1
            (vlen,) = struct.unpack(">H", head[pos : pos + 2])
            headers[name] = head[pos + 2 : pos + 2 + vlen].decode()
            pos += 2 + vlen
        out.append((headers, data[12 + head_len : total - 4]))
        data = data[total:]
    return out
