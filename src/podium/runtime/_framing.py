"""Length-prefixed frames between the gateway and a session worker (one Unix stream socket).

A frame is ``>I`` payload length, one kind byte, then the payload: :data:`JSON` (a UTF-8 JSON
object: control messages) or :data:`BYTES` (an opaque chunk: request bodies, response chunks).
Raw chunks avoid base64 so a streamed token costs one ``write``.

Gateway -> worker::

    {"op": "invoke", "headers": [[name, value], ...]}  then  BYTES(request body)
    {"op": "cancel"}                                    the client went away: stop the handler

Worker -> gateway, per invocation::

    {"t": "start", "status": 200, "headers": [[name, value], ...]}
    BYTES(chunk) ...                                    as the app sends them
    {"t": "end"}                                        or {"t": "failed", "message": ...}
"""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any

__all__ = ["BYTES", "JSON", "MAX_FRAME", "FrameError", "encode_bytes", "encode_json", "read_frame"]

JSON = 0
BYTES = 1
MAX_FRAME = 256 * 1024 * 1024
_HEADER = struct.Struct(">IB")


class FrameError(Exception):
    """The peer sent something that is not a valid frame (the channel is unusable)."""


def encode_json(message: dict[str, Any]) -> bytes:
    """One JSON control frame."""
    payload = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return _HEADER.pack(len(payload), JSON) + payload


def encode_bytes(data: bytes) -> bytes:
    """One raw data frame."""
    return _HEADER.pack(len(data), BYTES) + data


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, Any] | None:
    """The next frame as ``(JSON, dict)`` or ``(BYTES, bytes)``; ``None`` at a clean EOF.

    Raises:
        FrameError: a truncated or malformed frame.
    """
    try:
        header = await reader.readexactly(_HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise FrameError("truncated frame header") from None
    except (ConnectionError, OSError):
        return None
    length, kind = _HEADER.unpack(header)
    if length > MAX_FRAME or kind not in (JSON, BYTES):
        raise FrameError("malformed frame header")
    try:
        payload = await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        raise FrameError("truncated frame") from None
    except (ConnectionError, OSError):
        raise FrameError("connection lost mid-frame") from None
    if kind == BYTES:
        return BYTES, payload
    try:
        message = json.loads(payload)
    except ValueError:
        raise FrameError("invalid JSON frame") from None
    if not isinstance(message, dict):
        raise FrameError("JSON frame is not an object")
    return JSON, message
