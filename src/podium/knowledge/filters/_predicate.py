"""Filters as Python predicates over a metadata mapping."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._parse import parse_filter
from ._tree import NUMBER_TYPES, And, Comparison, Filter, FilterLike, Predicate, Scalar, is_number

__all__ = ["compile_filter"]


def compile_filter(f: FilterLike) -> Predicate:
    """Compile a filter to a predicate over a metadata mapping.

    The filter is interpreted once, here: the predicate is a tree of small closures, so a simple
    ``equals`` costs about one dict lookup and one comparison per record.
    """
    return _compile(parse_filter(f))


def _compile(f: Filter) -> Predicate:
    if isinstance(f, Comparison):
        return _compile_comparison(f)
    preds = [_compile(child) for child in f.filters]
    return _all_of(preds) if isinstance(f, And) else _any_of(preds)


def _all_of(preds: list[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda m: a(m) and b(m)
    if len(preds) == 3:
        a, b, c = preds
        return lambda m: a(m) and b(m) and c(m)

    def pred(m: Mapping[str, Any]) -> bool:
        # A plain loop: all() over a generator costs a generator per record.
        for p in preds:  # noqa: SIM110
            if not p(m):
                return False
        return True

    return pred


def _any_of(preds: list[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda m: a(m) or b(m)
    if len(preds) == 3:
        a, b, c = preds
        return lambda m: a(m) or b(m) or c(m)

    def pred(m: Mapping[str, Any]) -> bool:
        for p in preds:  # noqa: SIM110
            if p(m):
                return True
        return False

    return pred


def _scalar_equals(value: Scalar) -> Callable[[Any], bool]:
    """A type-aware equality test against one scalar filter value."""
    if isinstance(value, bool):
        return lambda x: x is value
    if isinstance(value, str):
        # str.__eq__ is false for every non-string, so no type check is needed.
        return lambda x: x == value
    return lambda x: x == value and isinstance(x, NUMBER_TYPES) and x.__class__ is not bool


def _compile_comparison(c: Comparison) -> Predicate:
    key, value, op = c.key, c.value, c.op
    if op in ("equals", "notEquals"):
        assert not isinstance(value, tuple)
        if isinstance(value, str):
            eq: Predicate = lambda m: m.get(key) == value  # noqa: E731
        elif isinstance(value, bool):
            eq = lambda m: m.get(key) is value  # noqa: E731
        else:

            def eq(m: Mapping[str, Any]) -> bool:
                x = m.get(key)
                return x == value and isinstance(x, NUMBER_TYPES) and x.__class__ is not bool

        return eq if op == "equals" else _negate(eq)
    if op in ("in", "notIn"):
        assert isinstance(value, tuple)
        strings = frozenset(v for v in value if isinstance(v, str))
        # hash(300) == hash(300.0), so one set serves ints and floats alike.
        numbers = frozenset(v for v in value if is_number(v))
        bools = tuple(v for v in value if isinstance(v, bool))

        def member(m: Mapping[str, Any]) -> bool:
            x = m.get(key)
            if isinstance(x, str):
                return x in strings
            if isinstance(x, bool):
                return any(x is b for b in bools)
            if isinstance(x, int | float):
                return x in numbers
            return False

        return member if op == "in" else _negate(member)
    if op in ("greaterThan", "greaterThanOrEquals", "lessThan", "lessThanOrEquals"):
        return _compile_ordering(op, key, value)  # type: ignore[arg-type]
    if op == "startsWith":
        assert isinstance(value, str)
        prefix = value
        return lambda m: isinstance(x := m.get(key), str) and x.startswith(prefix)
    if op == "listContains":
        assert not isinstance(value, tuple)
        v = value
        if isinstance(v, str):
            # list.__contains__ uses ==, which only strings satisfy against a string.
            return lambda m: isinstance(x := m.get(key), list) and v in x
        # Numbers and booleans: True == 1, so a C-speed `in` pre-check, then an exact pass.
        element_eq = _scalar_equals(v)
        return lambda m: (
            isinstance(x := m.get(key), list) and v in x and any(element_eq(e) for e in x)
        )
    if op == "stringContains":
        assert isinstance(value, str)
        needle = value

        def contains(m: Mapping[str, Any]) -> bool:
            x = m.get(key)
            if isinstance(x, str):
                return needle in x
            if isinstance(x, list):
                return any(isinstance(e, str) and needle in e for e in x)
            return False

        return contains
    raise AssertionError(f"unhandled operator {op}")  # pragma: no cover


def _negate(pred: Predicate) -> Predicate:
    return lambda m: not pred(m)


def _compile_ordering(op: str, key: str, value: Scalar) -> Predicate:
    if isinstance(value, str):
        s = value
        if op == "greaterThan":
            return lambda m: isinstance(x := m.get(key), str) and x > s
        if op == "greaterThanOrEquals":
            return lambda m: isinstance(x := m.get(key), str) and x >= s
        if op == "lessThan":
            return lambda m: isinstance(x := m.get(key), str) and x < s
        return lambda m: isinstance(x := m.get(key), str) and x <= s
    n = value
    # Inlined type checks: this runs once per record, and a helper call would double its cost.
    if op == "greaterThan":
        return lambda m: (
            isinstance(x := m.get(key), NUMBER_TYPES) and x.__class__ is not bool and x > n
        )
    if op == "greaterThanOrEquals":
        return lambda m: (
            isinstance(x := m.get(key), NUMBER_TYPES) and x.__class__ is not bool and x >= n
        )
    if op == "lessThan":
        return lambda m: (
            isinstance(x := m.get(key), NUMBER_TYPES) and x.__class__ is not bool and x < n
        )
    return lambda m: (
        isinstance(x := m.get(key), NUMBER_TYPES) and x.__class__ is not bool and x <= n
    )


#: A tuple, not ``int | float``: isinstance is measurably faster with it.
