"""Filters as SQLAlchemy expressions over a JSON metadata column (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final, Literal, TypeAlias

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from podium.errors import InvalidInput

from ._parse import parse_filter
from ._tree import And, Comparison, Filter, FilterLike, Scalar, is_number

__all__ = ["Dialect", "filter_to_sql"]

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
            numbers = [v for v in values if is_number(v)]
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
