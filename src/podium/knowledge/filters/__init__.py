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

from ._canonical import canonical_filter, filter_keys, filter_to_dict
from ._parse import parse_filter
from ._predicate import compile_filter
from ._sql import Dialect, filter_to_sql
from ._tree import (
    COMPARISON_OPERATORS,
    And,
    Comparison,
    ComparisonOp,
    Filter,
    FilterLike,
    Or,
    Predicate,
    Scalar,
)

__all__ = [
    "COMPARISON_OPERATORS",
    "And",
    "Comparison",
    "ComparisonOp",
    "Dialect",
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
