"""Metadata filters with the grammar of Amazon Bedrock Knowledge Bases' ``RetrievalFilter``.

A filter is a JSON object with exactly one operator key::

    {"equals": {"key": "track", "value": "AI"}}
    {"andAll": [{"greaterThanOrEquals": {"key": "start", "value": "2025-06-01T09:00"}},
                {"listContains": {"key": "tags", "value": "rag"}}]}

Comparison operators take ``{"key": str, "value": ...}``: ``equals, notEquals, greaterThan,
greaterThanOrEquals, lessThan, lessThanOrEquals, in, notIn, startsWith, listContains,
stringContains``. ``andAll`` / ``orAll`` take a list of filters.

The same filter runs three ways, with the same answer on every row:

* :func:`compile_filter` turns it into a Python predicate over a metadata mapping;
* :func:`filter_to_sql` turns it into a SQLAlchemy boolean expression over a JSON metadata column
  (SQLite ``json_extract``/``json_each``, PostgreSQL ``jsonb`` operators);
* :func:`canonical_filter` gives a stable string for cache keys.

Semantics (metadata values are JSON: string, number, boolean, list; ``null`` counts as missing):

* **Types never coerce.** ``300`` equals ``300.0``, but the string ``"300"`` does not equal the
  number ``300``, and ``true`` does not equal ``1``. Datetimes are ISO-8601 strings and compare as
  strings (code-point order, which is byte order in SQL: PostgreSQL uses ``COLLATE "C"``).
* ``equals`` / ``greaterThan`` / ``in`` / ``startsWith`` ... are false when the key is missing or the
  value has another type (``greaterThan`` compares numbers with numbers, strings with strings).
  ``equals`` and ``in`` look at scalar metadata values only: a list value never equals a scalar
  (use ``listContains``).
* ``notEquals`` and ``notIn`` are exactly the negation of ``equals`` / ``in``: a record *without*
  the key, or with a value of another type, matches ``notEquals``. (Bedrock documents notEquals as
  "the attribute does not match the value"; a missing attribute does not match.)
* ``startsWith`` applies to string values only.
* ``listContains`` is true when the metadata value is a list holding an element equal to the filter
  value. A scalar metadata value never matches (Bedrock defines it for lists only).
* ``stringContains`` is true when the metadata value is a string containing the filter value as a
  case-sensitive substring, or a list in which some string member contains it (as Bedrock does).
* ``andAll`` / ``orAll`` take **one or more** filters. Bedrock's API requires at least two; Podium
  accepts one for convenience (it means that filter) and rejects an empty list.

Validation raises :class:`podium.errors.InvalidInput` with a message that names the JSON path, e.g.
``filter.andAll[1].greaterThan.value: expected a number or string, got list``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias, TypeGuard

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from podium.errors import InvalidInput

__all__ = [
    "COMPARISON_OPERATORS",
    "And",
    "Comparison",
    "ComparisonOp",
    "Filter",
    "FilterLike",
    "Or",
    "Predicate",
    "Scalar",
    "canonical_filter",
    "compile_filter",
    "filter_keys",
    "filter_to_dict",
    "filter_to_sql",
    "parse_filter",
]

ComparisonOp: TypeAlias = Literal[
    "equals",
    "notEquals",
    "greaterThan",
    "greaterThanOrEquals",
    "lessThan",
    "lessThanOrEquals",
    "in",
    "notIn",
    "startsWith",
    "listContains",
    "stringContains",
]
Scalar: TypeAlias = str | int | float | bool
Predicate: TypeAlias = Callable[[Mapping[str, Any]], bool]

COMPARISON_OPERATORS: Final[tuple[ComparisonOp, ...]] = (
    "equals",
    "notEquals",
    "greaterThan",
    "greaterThanOrEquals",
    "lessThan",
    "lessThanOrEquals",
    "in",
    "notIn",
    "startsWith",
    "listContains",
    "stringContains",
)
_LOGICAL_OPERATORS: Final = ("andAll", "orAll")
_ALL_OPERATORS: Final = (*COMPARISON_OPERATORS, *_LOGICAL_OPERATORS)

#: Deep nesting would hit Python's recursion limit; no real filter comes near this.
MAX_DEPTH: Final = 32
#: Total comparisons in one filter, to bound the work a single request can ask for.
MAX_COMPARISONS: Final = 1000
#: SQLite stores integers in 64 bits; larger ones would compare differently in SQL and Python.
_INT_LIMIT: Final = 2**63


@dataclass(frozen=True, slots=True)
class Comparison:
    """One comparison: ``op`` applied to the metadata value under ``key`` and ``value``.

    ``value`` is a scalar, or a non-empty tuple of scalars for ``in`` / ``notIn``.
    """

    op: ComparisonOp
    key: str
    value: Scalar | tuple[Scalar, ...]


@dataclass(frozen=True, slots=True)
class And:
    """All of ``filters`` hold (Bedrock ``andAll``)."""

    filters: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one of ``filters`` holds (Bedrock ``orAll``)."""

    filters: tuple[Filter, ...]


Filter: TypeAlias = Comparison | And | Or
#: What the public functions accept: a parsed filter, its JSON object, or its JSON text.
FilterLike: TypeAlias = Filter | Mapping[str, Any] | str


# ---------------------------------------------------------------------------------------------
# Parsing and validation


def parse_filter(data: Any) -> Filter:
    """Validate a Bedrock-style filter (a dict, its JSON text, or an already parsed filter).

    Raises :class:`InvalidInput` naming the JSON path of the first problem found.
    """
    if isinstance(data, Comparison | And | Or):
        # Hand-built trees get the same checks (a list where a tuple belongs, a bad op...).
        data = _to_dict(data)
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
    if op in _LOGICAL_OPERATORS:
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
            f"{path}: unknown operator {op!r} (expected one of: {', '.join(_ALL_OPERATORS)})"
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


# ---------------------------------------------------------------------------------------------
# Introspection and canonical form


def filter_keys(f: FilterLike) -> set[str]:
    """Every metadata key the filter reads."""
    return _keys(parse_filter(f))


def _keys(f: Filter) -> set[str]:
    if isinstance(f, Comparison):
        return {f.key}
    keys: set[str] = set()
    for child in f.filters:
        keys |= _keys(child)
    return keys


def filter_to_dict(f: FilterLike) -> dict[str, Any]:
    """The Bedrock JSON object for a filter (``parse_filter`` of it gives the filter back)."""
    return _to_dict(parse_filter(f))


def _to_dict(f: Filter) -> dict[str, Any]:
    if isinstance(f, Comparison):
        value: Any = list(f.value) if isinstance(f.value, tuple | list) else f.value
        return {f.op: {"key": f.key, "value": value}}
    op = "andAll" if isinstance(f, And) else "orAll"
    return {op: [_to_dict(child) for child in f.filters]}


def canonical_filter(f: FilterLike) -> str:
    """A stable string for a filter, usable as a cache key.

    Key order and whitespace are normalised, and integral floats are written as integers, since
    ``300.0`` and ``300`` match the same records. Child order is kept as given.
    """
    return json.dumps(
        _canonical_numbers(filter_to_dict(f)),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _canonical_numbers(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _canonical_numbers(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_canonical_numbers(v) for v in node]
    if isinstance(node, float) and node.is_integer() and abs(node) < 2**53:
        return int(node)
    return node


# ---------------------------------------------------------------------------------------------
# Python predicates


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
    return lambda x: x == value and isinstance(x, _NUM) and x.__class__ is not bool


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
                return x == value and isinstance(x, _NUM) and x.__class__ is not bool

        return eq if op == "equals" else _negate(eq)
    if op in ("in", "notIn"):
        assert isinstance(value, tuple)
        strings = frozenset(v for v in value if isinstance(v, str))
        # hash(300) == hash(300.0), so one set serves ints and floats alike.
        numbers = frozenset(v for v in value if _number(v))
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
        return lambda m: isinstance(x := m.get(key), _NUM) and x.__class__ is not bool and x > n
    if op == "greaterThanOrEquals":
        return lambda m: isinstance(x := m.get(key), _NUM) and x.__class__ is not bool and x >= n
    if op == "lessThan":
        return lambda m: isinstance(x := m.get(key), _NUM) and x.__class__ is not bool and x < n
    return lambda m: isinstance(x := m.get(key), _NUM) and x.__class__ is not bool and x <= n


#: A tuple, not ``int | float``: isinstance is measurably faster with it.
_NUM: Final = (int, float)


def _number(x: Any) -> TypeGuard[int | float]:
    return isinstance(x, _NUM) and x.__class__ is not bool


# ---------------------------------------------------------------------------------------------
# SQL


Dialect: TypeAlias = Literal["sqlite", "postgresql"]

#: Keys that need no escaping inside JSON text (printable ASCII except ``"`` and ``\\``) can be
#: addressed with a SQLite JSON path. SQLite 3.40 matches path labels against the *escaped* key
#: text, so any other key (``"café"`` written with ``ensure_ascii``) is looked up via json_each.
_PLAIN_KEY: Final = re.compile(r"[\x20-\x21\x23-\x5b\x5d-\x7e]+")
_ORDERING_SQL: Final = {
    "greaterThan": "__gt__",
    "greaterThanOrEquals": "__ge__",
    "lessThan": "__lt__",
    "lessThanOrEquals": "__le__",
}


def filter_to_sql(
    f: FilterLike,
    metadata_column: sa.ColumnElement[Any],
    dialect: Dialect,
) -> sa.ColumnElement[bool]:
    """Compile a filter to a SQLAlchemy boolean expression over a JSON metadata column.

    ``dialect="sqlite"`` uses ``json_type`` / ``json_extract`` / ``json_each`` on JSON text;
    ``dialect="postgresql"`` uses ``jsonb`` operators (``->``, ``->>``, ``@>``, ``jsonb_typeof``) on
    the column cast to ``jsonb``. The expression is never NULL, so it can be negated and combined
    freely, and it selects exactly the rows :func:`compile_filter` accepts (strings in SQLite must
    not contain NUL characters, which SQLite's string functions stop at).
    """
    parsed = parse_filter(f)
    if dialect == "sqlite":
        return _to_sql(parsed, lambda c: _sqlite_comparison(c, metadata_column))
    if dialect == "postgresql":
        col = sa.cast(metadata_column, JSONB)
        return _to_sql(parsed, lambda c: _pg_comparison(c, col))
    raise InvalidInput(f"unsupported SQL dialect {dialect!r} (expected sqlite or postgresql)")


def _to_sql(
    f: Filter, leaf: Callable[[Comparison], sa.ColumnElement[bool]]
) -> sa.ColumnElement[bool]:
    if isinstance(f, Comparison):
        if f.op in ("notEquals", "notIn"):
            positive = Comparison("equals" if f.op == "notEquals" else "in", f.key, f.value)
            return sa.not_(leaf(positive))
        return leaf(f)
    parts = [_to_sql(child, leaf) for child in f.filters]
    if len(parts) == 1:
        return parts[0]
    return sa.and_(*parts) if isinstance(f, And) else sa.or_(*parts)


def _guard(cond: sa.ColumnElement[bool], then: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    # CASE fixes evaluation order (PostgreSQL may reorder AND, and a cast on a non-number
    # would fail) and maps "no such key" to false instead of NULL.
    return sa.case((cond, then), else_=sa.false())


# --- SQLite ---------------------------------------------------------------------------------

_SqliteTest: TypeAlias = Callable[
    [sa.ColumnElement[Any], sa.ColumnElement[Any], Callable[[], Any]], sa.ColumnElement[bool]
]


def _sqlite_comparison(c: Comparison, col: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    test = _sqlite_test(c)
    if _PLAIN_KEY.fullmatch(c.key):
        path = '$."' + c.key + '"'
        typ = sa.func.json_type(col, path)
        val = sa.func.json_extract(col, path)
        return test(typ, val, lambda: sa.func.json_each(col, path))
    # json_each decodes object keys, so this finds any key however the JSON text escapes it.
    entry = sa.func.json_each(col).table_valued("key", "type", "value").alias()

    def elements() -> Any:
        # json_each() would fail on a decoded string value, so feed it '[]' unless it's an array.
        return sa.func.json_each(
            sa.case((entry.c.type == "array", entry.c.value), else_=sa.literal("[]"))
        )

    return sa.exists().where(entry.c.key == c.key, test(entry.c.type, entry.c.value, elements))


def _is_type(typ: sa.ColumnElement[Any], name: str) -> sa.ColumnElement[bool]:
    # json_type() is NULL for a missing key; NOT NULL would drop the row from notEquals.
    return sa.func.coalesce(typ == name, sa.false())


def _sqlite_scalar_eq(
    typ: sa.ColumnElement[Any], val: sa.ColumnElement[Any], value: Scalar
) -> sa.ColumnElement[bool]:
    if isinstance(value, bool):
        return _is_type(typ, "true" if value else "false")
    if isinstance(value, str):
        return _guard(typ == "text", val == value)
    return _guard(typ.in_(("integer", "real")), val == value)


def _sqlite_test(c: Comparison) -> _SqliteTest:
    value = c.value
    if c.op == "equals":
        assert not isinstance(value, tuple)
        v = value
        return lambda typ, val, _elems: _sqlite_scalar_eq(typ, val, v)
    if c.op == "in":
        assert isinstance(value, tuple)
        values = value

        def member(typ: Any, val: Any, _elems: Any) -> sa.ColumnElement[bool]:
            strings = [v for v in values if isinstance(v, str)]
            numbers = [v for v in values if _number(v)]
            bools = {v for v in values if isinstance(v, bool)}
            parts: list[sa.ColumnElement[bool]] = []
            if strings:
                parts.append(_guard(typ == "text", val.in_(strings)))
            if numbers:
                parts.append(_guard(typ.in_(("integer", "real")), val.in_(numbers)))
            parts.extend(_is_type(typ, "true" if b else "false") for b in bools)
            return sa.or_(*parts)

        return member
    if c.op in _ORDERING_SQL:
        assert not isinstance(value, tuple)
        method = _ORDERING_SQL[c.op]
        v = value
        if isinstance(v, str):
            return lambda typ, val, _e: _guard(typ == "text", getattr(val, method)(v))
        return lambda typ, val, _e: _guard(typ.in_(("integer", "real")), getattr(val, method)(v))
    if c.op == "startsWith":
        assert isinstance(value, str)
        prefix = value
        # substr/length count characters and are case-sensitive; LIKE/GLOB would need escaping
        # and LIKE folds ASCII case.
        return lambda typ, val, _e: _guard(
            typ == "text", sa.func.substr(val, 1, len(prefix)) == prefix
        )
    if c.op == "listContains":
        assert not isinstance(value, tuple)
        v = value

        def list_contains(typ: Any, _val: Any, elems: Callable[[], Any]) -> Any:
            el = elems().table_valued("type", "value").alias()
            return _guard(
                typ == "array", sa.exists().where(_sqlite_scalar_eq(el.c.type, el.c.value, v))
            )

        return list_contains
    if c.op == "stringContains":
        assert isinstance(value, str)
        needle = value

        def string_contains(typ: Any, val: Any, elems: Callable[[], Any]) -> Any:
            el = elems().table_valued("type", "value").alias()
            in_list = sa.exists().where(el.c.type == "text", sa.func.instr(el.c.value, needle) > 0)
            return sa.case(
                (typ == "text", sa.func.instr(val, needle) > 0),
                (typ == "array", in_list),
                else_=sa.false(),
            )

        return string_contains
    raise AssertionError(f"unhandled operator {c.op}")  # pragma: no cover


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_scalar_eq(col: Any, key: str, value: Scalar) -> sa.ColumnElement[bool]:
    # jsonb containment compares numbers numerically and never matches across types; it is
    # also what a GIN index on the column serves.
    return sa.func.coalesce(col.contains({key: value}), sa.false())


def _pg_comparison(c: Comparison, col: Any) -> sa.ColumnElement[bool]:
    value = c.value
    if c.op == "equals":
        assert not isinstance(value, tuple)
        return _pg_scalar_eq(col, c.key, value)
    if c.op == "in":
        assert isinstance(value, tuple)
        return sa.or_(*(_pg_scalar_eq(col, c.key, v) for v in value))
    elem = col[c.key]
    typ = sa.func.jsonb_typeof(elem)
    text = elem.astext
    if c.op in _ORDERING_SQL:
        assert not isinstance(value, tuple)
        method = _ORDERING_SQL[c.op]
        if isinstance(value, str):
            return _guard(typ == "string", getattr(text.collate("C"), method)(value))
        number = sa.cast(text, sa.Numeric)
        return _guard(typ == "number", getattr(number, method)(sa.cast(value, sa.Numeric)))
    if c.op == "startsWith":
        assert isinstance(value, str)
        return _guard(typ == "string", sa.func.starts_with(text, value))
    if c.op == "listContains":
        assert not isinstance(value, tuple)
        return _guard(typ == "array", elem.contains([value]))
    if c.op == "stringContains":
        assert isinstance(value, str)
        el = sa.func.jsonb_array_elements(elem).table_valued("value").alias()
        el_text = el.c.value.op("#>>")(sa.literal_column("'{}'"))
        in_list = sa.exists().where(
            sa.func.jsonb_typeof(el.c.value) == "string", sa.func.strpos(el_text, value) > 0
        )
        return sa.case(
            (typ == "string", sa.func.strpos(text, value) > 0),
            (typ == "array", in_list),
            else_=sa.false(),
        )
    raise AssertionError(f"unhandled operator {c.op}")  # pragma: no cover
