r"""Checks on an invocation's JSON body before it reaches a session worker.

A body must be UTF-8 JSON, nested at most :data:`MAX_JSON_DEPTH` levels, with no lone surrogate
(``"\ud800"``) in any string: such a string cannot be encoded again on the way to the agent or
the model, so it is refused here as a 400 instead of failing later as a 500.
"""

from __future__ import annotations

import json
from typing import Any

from podium.errors import InvalidInput

__all__ = ["MAX_JSON_DEPTH", "parse_invocation_body"]

#: Deepest nesting of arrays and objects an invocation body may have.
MAX_JSON_DEPTH = 64


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
