"""S3 Vectors' metadata filter language, compiled to a predicate over a vector's metadata.

The grammar (AWS's "Metadata filtering" page): a filter is an object whose entries all hold
(AND). An entry is ``"$and": [filter, ...]``, ``"$or": [filter, ...]`` (non-empty lists), or
``"key": condition``. A condition is a primitive (string, number, boolean: shorthand for
``$eq``) or an object of operators, all of which hold: ``$eq`` / ``$ne`` (primitive), ``$gt``,
``$gte``, ``$lt``, ``$lte`` (number), ``$in`` / ``$nin`` (a non-empty list of primitives),
``$exists`` (boolean).

Against a list-valued key, ``$eq`` / ``$in`` and the comparisons hold when any element
matches; ``$ne`` / ``$nin`` are their negations (no element matches), so they also hold when
the key is absent. Values compare only within their type: ``1`` never equals ``true`` nor
``"1"``; a comparison on a non-number is false. A malformed filter, or one on a key the index
declared non-filterable, is :class:`~podium.errors.InvalidInput`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from typing import Any

from podium.errors import InvalidInput

__all__ = ["MetadataPredicate", "compile_filter", "is_primitive"]

#: Metadata document -> does the vector match.
MetadataPredicate = Callable[[Mapping[str, Any]], bool]

_MAX_DEPTH = 32
_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
}
_FIELD_OPERATORS = frozenset({"$eq", "$ne", "$in", "$nin", "$exists", *_COMPARISONS})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_primitive(value: Any) -> bool:
    """A string, boolean or finite number (an integer too large for a double is not)."""
    if isinstance(value, str | bool):
        return True
    if isinstance(value, int | float):
        try:
            return math.isfinite(value)
        except OverflowError:
            return False
    return False


def _same(a: Any, b: Any) -> bool:
    """Equality within one type: numbers with numbers, strings with strings, bools with bools."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return isinstance(a, str) and isinstance(b, str) and a == b


def _elements(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _bad(path: str, message: str) -> InvalidInput:
    return InvalidInput(f"Invalid filter at {path}: {message}")


def compile_filter(document: Any, *, non_filterable: Collection[str] = ()) -> MetadataPredicate:
    """A predicate for ``document`` (S3 Vectors' filter syntax); InvalidInput if malformed."""
    return _compile(document, "filter", frozenset(non_filterable), 0)


def _compile(document: Any, path: str, hidden: frozenset[str], depth: int) -> MetadataPredicate:
    if depth > _MAX_DEPTH:
        raise _bad(path, f"nested more than {_MAX_DEPTH} levels")
    if not isinstance(document, dict) or not document:
        raise _bad(path, "expected a non-empty object")
    parts: list[MetadataPredicate] = []
    for name, value in document.items():
        where = f"{path}.{name}"
        if name in ("$and", "$or"):
            if not isinstance(value, list) or not value:
                raise _bad(where, "expected a non-empty list of filters")
            subs = [_compile(v, f"{where}[{i}]", hidden, depth + 1) for i, v in enumerate(value)]
            parts.append(_all(subs) if name == "$and" else _any(subs))
        elif name.startswith("$"):
            raise _bad(where, f"unknown operator {name!r} (only $and and $or combine filters)")
        else:
            if name in hidden:
                raise _bad(where, f"metadata key {name!r} is non-filterable in this index")
            parts.append(_condition(name, value, where))
    return parts[0] if len(parts) == 1 else _all(parts)


def _all(parts: list[MetadataPredicate]) -> MetadataPredicate:
    return lambda md: all(p(md) for p in parts)


def _any(parts: list[MetadataPredicate]) -> MetadataPredicate:
    return lambda md: any(p(md) for p in parts)


def _condition(key: str, value: Any, path: str) -> MetadataPredicate:
    if not isinstance(value, dict):
        if not is_primitive(value):
            raise _bad(path, "expected a string, number, boolean or an object of operators")
        return _field_op(key, "$eq", value, path)
    if not value:
        raise _bad(path, "expected at least one operator")
    parts = [_field_op(key, op, operand, f"{path}.{op}") for op, operand in value.items()]
    return parts[0] if len(parts) == 1 else _all(parts)


def _field_op(key: str, op: str, operand: Any, path: str) -> MetadataPredicate:
    if op not in _FIELD_OPERATORS:
        raise _bad(path, f"unknown operator {op!r}")
    if op in ("$eq", "$ne"):
        if not is_primitive(operand):
            raise _bad(path, f"{op} takes a string, number or boolean")

        def eq(md: Mapping[str, Any]) -> bool:
            return key in md and any(_same(v, operand) for v in _elements(md[key]))

        return eq if op == "$eq" else (lambda md: not eq(md))
    if op in ("$in", "$nin"):
        if not isinstance(operand, list) or not operand:
            raise _bad(path, f"{op} takes a non-empty list")
        if not all(is_primitive(o) for o in operand):
            raise _bad(path, f"{op} takes a list of strings, numbers or booleans")
        options = list(operand)

        def member(md: Mapping[str, Any]) -> bool:
            return key in md and any(_same(v, o) for v in _elements(md[key]) for o in options)

        return member if op == "$in" else (lambda md: not member(md))
    if op == "$exists":
        if not isinstance(operand, bool):
            raise _bad(path, "$exists takes true or false")
        return (lambda md: key in md) if operand else (lambda md: key not in md)
    if not _is_number(operand) or not is_primitive(operand):
        raise _bad(path, f"{op} takes a number")
    compare = _COMPARISONS[op]
    bound = float(operand)

    def ordered(md: Mapping[str, Any]) -> bool:
        if key not in md:
            return False
        return any(_is_number(v) and compare(float(v), bound) for v in _elements(md[key]))

    return ordered
