"""Parsing and validating filters: JSON (object or text) to a typed tree."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Final

from podium.errors import InvalidInput

from ._tree import (
    ALL_OPERATORS,
    COMPARISON_OPERATORS,
    LOGICAL_OPERATORS,
    MAX_COMPARISONS,
    MAX_DEPTH,
    And,
    Comparison,
    ComparisonOp,
    Filter,
    Or,
    Scalar,
    tree_to_dict,
)

__all__ = ["parse_filter"]

#: SQLite stores integers in 64 bits; larger ones would compare differently in SQL and Python.
_INT_LIMIT: Final = 2**63


def parse_filter(data: Any) -> Filter:
    """Validate a Bedrock-style filter (a dict, its JSON text, or an already parsed filter).

    Raises :class:`InvalidInput` naming the JSON path of the first problem found.
    """
    if isinstance(data, Comparison | And | Or):
        # Hand-built trees get the same checks (a list where a tuple belongs, a bad op...).
        data = tree_to_dict(data)
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data, parse_constant=_reject_constant)
        except (ValueError, InvalidInput) as e:
            raise InvalidInput(f"filter: invalid JSON: {e}") from e
    counter = [0]
    return _parse(data, "filter", 1, counter)


def _reject_constant(name: str) -> Any:
    raise InvalidInput(f"{name} is not a valid JSON number")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _parse(data: Any, path: str, depth: int, counter: list[int]) -> Filter:
    if depth > MAX_DEPTH:
        raise InvalidInput(f"{path}: filter is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{path}: expected an object with one operator, got {_json_type(data)}")
    if len(data) != 1:
        names = ", ".join(str(k) for k in data)
        detail = f": {names}" if names else ""
        raise InvalidInput(f"{path} must have exactly one operator, got {len(data)}{detail}")
    ((op, body),) = data.items()
    if op in LOGICAL_OPERATORS:
        sub = f"{path}.{op}"
        if not isinstance(body, list | tuple):
            raise InvalidInput(f"{sub}: expected a list of filters, got {_json_type(body)}")
        if not body:
            raise InvalidInput(f"{sub} must be a non-empty list of filters")
        children = tuple(
            _parse(child, f"{sub}[{i}]", depth + 1, counter) for i, child in enumerate(body)
        )
        return And(children) if op == "andAll" else Or(children)
    if op not in COMPARISON_OPERATORS:
        raise InvalidInput(
            f"{path}: unknown operator {op!r} (expected one of: {', '.join(ALL_OPERATORS)})"
        )
    counter[0] += 1
    if counter[0] > MAX_COMPARISONS:
        raise InvalidInput(f"{path}: filter has more than {MAX_COMPARISONS} comparisons")
    return _parse_comparison(op, body, f"{path}.{op}")


def _parse_comparison(op: ComparisonOp, body: Any, path: str) -> Comparison:
    if not isinstance(body, Mapping):
        raise InvalidInput(
            f'{path}: expected an object {{"key": ..., "value": ...}}, got {_json_type(body)}'
        )
    extra = sorted(str(k) for k in body if k not in ("key", "value"))
    if extra:
        raise InvalidInput(f"{path}: unexpected field {extra[0]!r} (expected key and value)")
    if "key" not in body:
        raise InvalidInput(f"{path}.key is required")
    if "value" not in body:
        raise InvalidInput(f"{path}.value is required")
    key = body["key"]
    if not isinstance(key, str) or not key:
        raise InvalidInput(f"{path}.key: expected a non-empty string, got {_json_type(key)}")
    raw = body["value"]
    vpath = f"{path}.value"
    value: Scalar | tuple[Scalar, ...]
    if op in ("in", "notIn"):
        if not isinstance(raw, list | tuple) or not raw:
            raise InvalidInput(f"{vpath} must be a non-empty list")
        value = tuple(
            _check_value(item, ("string", "number", "boolean"), f"{vpath}[{i}]")
            for i, item in enumerate(raw)
        )
    elif op in ("greaterThan", "greaterThanOrEquals", "lessThan", "lessThanOrEquals"):
        value = _check_value(raw, ("number", "string"), vpath)
    elif op in ("startsWith", "stringContains"):
        value = _check_value(raw, ("string",), vpath)
    else:  # equals, notEquals, listContains
        value = _check_value(raw, ("string", "number", "boolean"), vpath)
    return Comparison(op, key, value)


_TYPE_WORDS: Final = {
    ("string", "number", "boolean"): "a string, number or boolean",
    ("number", "string"): "a number or string",
    ("string",): "a string",
}


def _check_value(value: Any, allowed: tuple[str, ...], path: str) -> Scalar:
    kind = _json_type(value)
    if kind not in allowed:
        raise InvalidInput(f"{path}: expected {_TYPE_WORDS[allowed]}, got {kind}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{path}: expected a finite number, got {value}")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _INT_LIMIT:
        raise InvalidInput(f"{path}: integer {value} is out of the 64-bit range")
    return value  # type: ignore[no-any-return]
