r"""Checks on an invocation's JSON body before it reaches a session worker.

A body may be at most :data:`MAX_PAYLOAD_BYTES`: a larger declared ``Content-Length`` is refused
before any of it is read, and a body without one is read as a stream and refused as soon as it
passes the limit, so an oversized body never sits in memory. It must be UTF-8 JSON, nested at most :data:`MAX_JSON_DEPTH` levels, with no lone surrogate
(``"\ud800"``) in any string: such a string cannot be encoded again on the way to the agent or
the model, so it is refused here as a 400 instead of failing later as a 500.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from podium.errors import InvalidInput

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["MAX_JSON_DEPTH", "MAX_PAYLOAD_BYTES", "parse_invocation_body", "read_body"]

#: Deepest nesting of arrays and objects an invocation body may have.
MAX_JSON_DEPTH = 64
#: Largest invocation body (AgentCore Runtime's payload limit); a larger one is a 400.
MAX_PAYLOAD_BYTES = 100 * 1024 * 1024


async def read_body(request: Request, limit: int | None = None) -> bytes:
    """The request body, read chunk by chunk and refused once it passes ``limit`` bytes.

    ``limit`` defaults to :data:`MAX_PAYLOAD_BYTES`.

    Raises:
        InvalidInput: the body (declared or read so far) is larger than ``limit``, or
            ``Content-Length`` is not a number.
    """
    limit = MAX_PAYLOAD_BYTES if limit is None else limit
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise InvalidInput("Content-Length is not a number") from None
        if size > limit:
            raise InvalidInput(_too_large(limit))
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise InvalidInput(_too_large(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"payload larger than {limit // (1024 * 1024)} MB"
    return f"payload larger than {limit} bytes"


def parse_invocation_body(body: bytes) -> Any:
    """The parsed body, or :class:`InvalidInput` saying what is wrong with it."""
    try:
        value = json.loads(body)
    except RecursionError:
        raise InvalidInput(f"request body is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise InvalidInput("request body is not valid JSON") from None
    _check(value)
    return value


def _check(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise InvalidInput(f"request body is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, dict):
            for key, child in item.items():
                _check_text(key)
                stack.append((child, depth + 1))
        else:
            stack.extend((child, depth + 1) for child in item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            "request body contains invalid Unicode (a lone surrogate such as \\ud800)"
        ) from None
