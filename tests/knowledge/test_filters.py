"""Bedrock-style metadata filters: validation, Python semantics, and SQL that agrees with Python."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql

from podium.errors import InvalidInput
from podium.knowledge.filters import (
    COMPARISON_OPERATORS,
    And,
    Comparison,
    Or,
    canonical_filter,
    compile_filter,
    filter_keys,
    filter_to_dict,
    filter_to_sql,
    parse_filter,
)

# --- parsing and validation ------------------------------------------------------------------


def test_parse_builds_typed_tree() -> None:
    f = parse_filter(
        {
            "andAll": [
                {"equals": {"key": "track", "value": "AI"}},
                {"orAll": [{"in": {"key": "room", "value": ["A", "B"]}}]},
            ]
        }
    )
    assert f == And(
        (Comparison("equals", "track", "AI"), Or((Comparison("in", "room", ("A", "B")),)))
    )


def test_parse_accepts_json_text_and_parsed_filters() -> None:
    text = '{"greaterThan": {"key": "year", "value": 2020}}'
    parsed = parse_filter(text)
    assert parsed == Comparison("greaterThan", "year", 2020)
    assert parse_filter(parsed) == parsed
    # Hand-built trees are checked too, and normalised (a list becomes a tuple).
    assert parse_filter(Comparison("in", "k", ["a"])) == Comparison("in", "k", ("a",))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="filter: unknown operator 'eq'"):
        parse_filter(Comparison("eq", "k", 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"filter\.andAll must be a non-empty list"):
        compile_filter(And(()))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "andAll": [
                    {"equals": {"key": "a", "value": 1}},
                    {"greaterThan": {"key": "b", "value": [1]}},
                ]
            },
            "filter.andAll[1].greaterThan.value: expected a number or string, got list",
        ),
        (
            {"eq": {"key": "a", "value": 1}},
            "filter: unknown operator 'eq' (expected one of: equals,",
        ),
        (
            {"equals": {"key": "a", "value": 1}, "in": {"key": "a", "value": [1]}},
            "filter must have exactly one operator, got 2: equals, in",
        ),
        ({}, "filter must have exactly one operator, got 0"),
        ({"in": {"key": "a", "value": []}}, "filter.in.value must be a non-empty list"),
        ({"notIn": {"key": "a", "value": "x"}}, "filter.notIn.value must be a non-empty list"),
        (
            {"in": {"key": "a", "value": ["x", None]}},
            "filter.in.value[1]: expected a string, number or boolean, got null",
        ),
        (
            {"equals": {"key": "a", "value": ["x"]}},
            "filter.equals.value: expected a string, number or boolean, got list",
        ),
        (
            {"greaterThan": {"key": "a", "value": True}},
            "filter.greaterThan.value: expected a number or string, got boolean",
        ),
        (
            {"startsWith": {"key": "a", "value": 3}},
            "filter.startsWith.value: expected a string, got number",
        ),
        (
            {"stringContains": {"key": "a", "value": {}}},
            "filter.stringContains.value: expected a string, got object",
        ),
        (
            {"equals": {"key": "", "value": 1}},
            "filter.equals.key: expected a non-empty string, got string",
        ),
        (
            {"equals": {"key": 7, "value": 1}},
            "filter.equals.key: expected a non-empty string, got number",
        ),
        ({"equals": {"value": 1}}, "filter.equals.key is required"),
        ({"equals": {"key": "a"}}, "filter.equals.value is required"),
        ({"equals": {"key": "a", "value": 1, "x": 2}}, "filter.equals: unexpected field 'x'"),
        (
            {"equals": "a"},
            'filter.equals: expected an object {"key": ..., "value": ...}, got string',
        ),
        ({"andAll": []}, "filter.andAll must be a non-empty list of filters"),
        ({"orAll": {"equals": {}}}, "filter.orAll: expected a list of filters, got object"),
        (
            {"orAll": [{"equals": {"key": "a", "value": 1}}, 5]},
            "filter.orAll[1]: expected an object with one operator, got number",
        ),
        ([], "filter: expected an object with one operator, got list"),
        (
            {"equals": {"key": "a", "value": float("nan")}},
            "filter.equals.value: expected a finite number",
        ),
        ({"equals": {"key": "a", "value": 2**70}}, "out of the 64-bit range"),
        ("{not json", "filter: invalid JSON"),
        ('{"equals": {"key": "a", "value": NaN}}', "filter: invalid JSON"),
    ],
)
def test_parse_rejects_with_json_path(data: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_filter(data)
    assert message in exc.value.message
    assert exc.value.to_dict()["error"] == "ValidationException"


def test_parse_limits_nesting_depth() -> None:
    f: dict[str, Any] = {"equals": {"key": "a", "value": 1}}
    for _ in range(40):
        f = {"andAll": [f]}
    with pytest.raises(InvalidInput, match="nested deeper than 32"):
        parse_filter(f)


def test_single_child_and_or_means_that_child() -> None:
    # Bedrock requires >= 2 children; Podium accepts 1 (documented) with the obvious meaning.
    pred = compile_filter({"andAll": [{"equals": {"key": "a", "value": 1}}]})
    assert pred({"a": 1}) and not pred({"a": 2})


# --- semantics, operator by operator ------------------------------------------------------------

ROWS: list[dict[str, Any]] = [
    {
        "track": "AI",
        "year": 2024,
        "score": 4.5,
        "live": True,
        "tags": ["rag", "agents"],
        "start": "2025-06-01T09:00:00Z",
    },
    {
        "track": "Data",
        "year": 2023.0,
        "score": 3,
        "live": False,
        "tags": ["sql"],
        "start": "2025-06-02T14:30:00Z",
    },
    {"track": "AI Ops", "year": "2024", "tags": "rag", "start": "2025-06-01T16:00:00Z"},
    {"track": None, "year": 1, "live": 1},
    {},
]


def _match(f: dict[str, Any]) -> list[int]:
    pred = compile_filter(f)
    return [i for i, row in enumerate(ROWS) if pred(row)]


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        # Strings are exact and case-sensitive.
        ({"equals": {"key": "track", "value": "AI"}}, [0]),
        # 2023.0 equals 2023; the string "2024" does not equal the number 2024.
        ({"equals": {"key": "year", "value": 2023}}, [1]),
        ({"equals": {"key": "year", "value": 2024}}, [0]),
        ({"equals": {"key": "year", "value": "2024"}}, [2]),
        # true is not 1, and 1 is not true.
        ({"equals": {"key": "live", "value": True}}, [0]),
        ({"equals": {"key": "live", "value": 1}}, [3]),
        # A list never equals a scalar.
        ({"equals": {"key": "tags", "value": "sql"}}, []),
        # notEquals is the negation: missing key, null, and other types match.
        ({"notEquals": {"key": "track", "value": "AI"}}, [1, 2, 3, 4]),
        ({"notEquals": {"key": "live", "value": False}}, [0, 2, 3, 4]),
        # Ordering: numbers with numbers, ISO datetimes as strings; other types never match.
        ({"greaterThan": {"key": "year", "value": 2023}}, [0]),
        ({"greaterThanOrEquals": {"key": "year", "value": 2023}}, [0, 1]),
        ({"lessThan": {"key": "year", "value": 2023.5}}, [1, 3]),
        ({"lessThanOrEquals": {"key": "score", "value": 3}}, [1]),
        ({"greaterThan": {"key": "start", "value": "2025-06-01T12:00:00Z"}}, [1, 2]),
        ({"lessThan": {"key": "track", "value": "B"}}, [0, 2]),
        ({"greaterThan": {"key": "year", "value": "2000"}}, [2]),
        # in / notIn: scalar membership with the same type rules as equals.
        ({"in": {"key": "year", "value": [2024, "2024"]}}, [0, 2]),
        ({"in": {"key": "live", "value": [True, 0]}}, [0]),
        ({"in": {"key": "tags", "value": ["rag"]}}, [2]),
        ({"notIn": {"key": "track", "value": ["AI", "Data"]}}, [2, 3, 4]),
        # startsWith: strings only, case-sensitive.
        ({"startsWith": {"key": "track", "value": "AI"}}, [0, 2]),
        ({"startsWith": {"key": "track", "value": "ai"}}, []),
        ({"startsWith": {"key": "start", "value": "2025-06-01"}}, [0, 2]),
        ({"startsWith": {"key": "tags", "value": "ra"}}, [2]),
        # listContains: list values only; a scalar equal to the value does not count.
        ({"listContains": {"key": "tags", "value": "rag"}}, [0]),
        ({"listContains": {"key": "tags", "value": "ra"}}, []),
        ({"listContains": {"key": "tags", "value": "agents"}}, [0]),
        # stringContains: substring of a string, or of any string in a list.
        ({"stringContains": {"key": "tags", "value": "ag"}}, [0, 2]),
        ({"stringContains": {"key": "tags", "value": "gen"}}, [0]),
        ({"stringContains": {"key": "track", "value": "Op"}}, [2]),
        ({"stringContains": {"key": "year", "value": "02"}}, [2]),
        # Combinators.
        (
            {
                "andAll": [
                    {"equals": {"key": "track", "value": "AI"}},
                    {"listContains": {"key": "tags", "value": "rag"}},
                ]
            },
            [0],
        ),
        (
            {
                "orAll": [
                    {"equals": {"key": "track", "value": "Data"}},
                    {"equals": {"key": "year", "value": 1}},
                    {"equals": {"key": "live", "value": True}},
                ]
            },
            [0, 1, 3],
        ),
        (
            {
                "andAll": [
                    {"notEquals": {"key": "track", "value": "AI"}},
                    {
                        "orAll": [
                            {"startsWith": {"key": "track", "value": "AI"}},
                            {"equals": {"key": "year", "value": 1}},
                        ]
                    },
                ]
            },
            [2, 3],
        ),
    ],
)
def test_operator_semantics(f: dict[str, Any], expected: list[int]) -> None:
    assert _match(f) == expected
    assert _sqlite_match(f, ROWS) == expected


def test_every_operator_is_covered_above() -> None:
    # Guards the table above against a new operator slipping in untested.
    assert set(COMPARISON_OPERATORS) == {
        "equals", "notEquals", "greaterThan", "greaterThanOrEquals", "lessThan",
        "lessThanOrEquals", "in", "notIn", "startsWith", "listContains", "stringContains",
    }  # fmt: skip


def test_keys_and_canonical_form() -> None:
    f = {
        "orAll": [
            {"equals": {"value": 300.0, "key": "n"}},
            {
                "andAll": [
                    {"in": {"key": "t", "value": ["b", "a"]}},
                    {"startsWith": {"key": "s", "value": "x"}},
                ]
            },
        ]
    }
    assert filter_keys(f) == {"n", "t", "s"}
    same = '{"orAll":[{"equals":{"key":"n","value":300}},{"andAll":[{"in":{"value":["b","a"],"key":"t"}},{"startsWith":{"key":"s","value":"x"}}]}]}'
    assert canonical_filter(f) == canonical_filter(same)
    assert canonical_filter(f) == (
        '{"orAll":[{"equals":{"key":"n","value":300}},{"andAll":[{"in":{"key":"t","value":["b","a"]}},'
        '{"startsWith":{"key":"s","value":"x"}}]}]}'
    )
    # A different value gives a different key; the round trip through dict is lossless.
    assert canonical_filter({"equals": {"key": "n", "value": 301}}) != canonical_filter(f)
    assert parse_filter(filter_to_dict(f)) == parse_filter(f)
    assert canonical_filter({"equals": {"key": "n", "value": True}}) != canonical_filter(
        {"equals": {"key": "n", "value": 1}}
    )


# --- SQL: SQLite for real, against compile_filter --------------------------------------------

_META = sa.MetaData()
_TABLE = sa.Table(
    "records",
    _META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("metadata", sa.Text),
)


_ENGINE = sa.create_engine("sqlite://")
_META.create_all(_ENGINE)


def _sqlite_match(f: Any, rows: list[dict[str, Any]], *, ensure_ascii: bool = True) -> list[int]:
    with _ENGINE.begin() as conn:
        conn.execute(_TABLE.delete())
        if rows:
            conn.execute(
                _TABLE.insert(),
                [
                    {"id": i, "metadata": json.dumps(r, ensure_ascii=ensure_ascii)}
                    for i, r in enumerate(rows)
                ],
            )
        query = sa.select(_TABLE.c.id).where(filter_to_sql(f, _TABLE.c.metadata, "sqlite"))
        return sorted(row[0] for row in conn.execute(query))


# Keys: plain ones (JSON path) and ones SQLite can only find through json_each.
KEYS = ["a", "b.c", "café", 'q"k', "x\\y"]
_ALPHABET = "abAé日 -:"
# Mostly a small pool, so that filter values and metadata values often meet; sometimes free text.
texts = st.one_of(
    st.sampled_from(
        ["", "a", "ab", "ba", "A", "é", "日本", "a b", "2025-01-01", "2025-06-01T09:00"]
    ),
    st.text(alphabet=_ALPHABET, max_size=4),
)
numbers = st.one_of(
    st.integers(min_value=-2, max_value=2),
    st.sampled_from([0.0, 1.0, 0.5, -0.25, 2.75]),
    st.integers(min_value=-(2**62), max_value=2**62),
)
scalars = st.one_of(texts, numbers, st.booleans())
meta_values = st.one_of(
    scalars, st.none(), st.lists(st.one_of(texts, numbers, st.booleans()), max_size=4)
)
rows_strategy = st.lists(
    st.dictionaries(st.sampled_from(KEYS), meta_values, min_size=1, max_size=5),
    min_size=3,
    max_size=20,
)


def _pairs_in(rows: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for row in rows:
        for key, v in row.items():
            found.extend((key, x) for x in (v if isinstance(v, list) else [v]) if x is not None)
    return found


def _filters_for(rows: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Random filters that often use a key and value found in ``rows``, so that they match some."""
    seen = _pairs_in(rows)

    def value_for(op: str, v: Any) -> st.SearchStrategy[Any]:
        if op in ("in", "notIn"):
            return st.lists(scalars, max_size=2).map(lambda rest: [v, *rest])
        if op in ("startsWith", "stringContains"):
            if not isinstance(v, str):
                return texts
            return st.tuples(st.integers(0, 3), st.integers(0, 4)).map(
                lambda t: v[t[0] : t[0] + t[1]]
            )
        if op.startswith(("greater", "less")) and isinstance(v, bool):
            return numbers
        return st.just(v)

    def random_value(op: str) -> st.SearchStrategy[Any]:
        if op in ("in", "notIn"):
            return st.lists(scalars, min_size=1, max_size=3)
        if op.startswith(("greater", "less")):
            return st.one_of(texts, numbers)
        if op in ("startsWith", "stringContains"):
            return texts
        return scalars

    def comparison(op: str) -> st.SearchStrategy[dict[str, Any]]:
        random_body = st.fixed_dictionaries(
            {"key": st.sampled_from(KEYS), "value": random_value(op)}
        )
        if seen:
            from_rows = st.sampled_from(seen).flatmap(
                lambda kv: value_for(op, kv[1]).map(lambda v: {"key": kv[0], "value": v})
            )
            return st.one_of(random_body, from_rows, from_rows).map(lambda b: {op: b})
        return random_body.map(lambda b: {op: b})

    comparisons = st.sampled_from(COMPARISON_OPERATORS).flatmap(comparison)
    # Half single comparisons, half small trees: each operator is also exercised on its own.
    return st.one_of(
        comparisons,
        st.recursive(
            comparisons,
            lambda children: st.one_of(
                st.fixed_dictionaries({"andAll": st.lists(children, min_size=1, max_size=3)}),
                st.fixed_dictionaries({"orAll": st.lists(children, min_size=1, max_size=3)}),
            ),
            max_leaves=5,
        ),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rows=rows_strategy, ensure_ascii=st.booleans())
def test_sqlite_sql_agrees_with_python(
    data: st.DataObject, rows: list[dict[str, Any]], ensure_ascii: bool
) -> None:
    f = data.draw(_filters_for(rows), label="filter")
    pred = compile_filter(f)
    expected = [i for i, row in enumerate(rows) if pred(row)]
    assert _sqlite_match(f, rows, ensure_ascii=ensure_ascii) == expected


def test_sqlite_handles_null_and_non_object_metadata() -> None:
    with _ENGINE.begin() as conn:
        conn.execute(_TABLE.delete())
        conn.execute(
            _TABLE.insert(),
            [
                {"id": 1, "metadata": None},
                {"id": 2, "metadata": "[1, 2]"},
                {"id": 3, "metadata": '{"a": "x"}'},
            ],
        )
        for f, expected in [
            ({"notEquals": {"key": "a", "value": "x"}}, [1, 2]),
            ({"equals": {"key": "a", "value": "x"}}, [3]),
            ({"notEquals": {"key": "café", "value": "x"}}, [1, 2, 3]),
        ]:
            query = sa.select(_TABLE.c.id).where(filter_to_sql(f, _TABLE.c.metadata, "sqlite"))
            assert sorted(r[0] for r in conn.execute(query)) == expected


def test_filter_to_sql_rejects_unknown_dialect() -> None:
    with pytest.raises(InvalidInput, match="unsupported SQL dialect 'mysql'"):
        filter_to_sql({"equals": {"key": "a", "value": 1}}, _TABLE.c.metadata, "mysql")  # type: ignore[arg-type]


# --- SQL: PostgreSQL compiles (a live server test belongs to the PostgreSQL backend) ----------


def _pg_sql(f: dict[str, Any]) -> str:
    expr = filter_to_sql(f, _TABLE.c.metadata, "postgresql")
    return str(sa.select(_TABLE.c.id).where(expr).compile(dialect=postgresql.dialect()))


@pytest.mark.parametrize(
    ("f", "fragments"),
    [
        ({"equals": {"key": "a", "value": 1}}, ["CAST(records.metadata AS JSONB) @>", "coalesce("]),
        (
            {"notEquals": {"key": "a", "value": "x"}},
            ["NOT coalesce(CAST(records.metadata AS JSONB) @>"],
        ),
        ({"in": {"key": "a", "value": ["x", 2]}}, [" OR coalesce("]),
        ({"greaterThan": {"key": "a", "value": 2}}, ["jsonb_typeof(", "AS NUMERIC) >"]),
        ({"lessThan": {"key": "a", "value": "2025"}}, ['COLLATE "C") <']),
        ({"startsWith": {"key": "a", "value": "x"}}, ["starts_with("]),
        ({"listContains": {"key": "a", "value": "x"}}, ["@>", "jsonb_typeof("]),
        (
            {"stringContains": {"key": "a", "value": "x"}},
            ["strpos(", "jsonb_array_elements(", "#>> '{}'"],
        ),
        (
            {
                "orAll": [
                    {"equals": {"key": "a", "value": 1}},
                    {
                        "andAll": [
                            {"equals": {"key": "b", "value": 2}},
                            {"equals": {"key": "c", "value": 3}},
                        ]
                    },
                ]
            },
            [" OR ", " AND "],
        ),
    ],
)
def test_postgresql_compiles(f: dict[str, Any], fragments: list[str]) -> None:
    sql = _pg_sql(f)
    for fragment in fragments:
        assert fragment in sql, sql


# --- SQL: PostgreSQL for real, against compile_filter ----------------------------------------


@pytest.fixture(scope="module")
def pg_engine(postgres_server: Any) -> Any:
    """A database on the suite's PostgreSQL with a ``records`` table of JSONB metadata."""
    url = postgres_server.create_database(migrated=False)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE records (id integer PRIMARY KEY, metadata jsonb)")
    yield engine
    engine.dispose()
    postgres_server.drop_database(url)


def _pg_match(engine: Any, f: Any, rows: list[dict[str, Any]]) -> list[int]:
    with engine.begin() as conn:
        conn.execute(_TABLE.delete())
        if rows:
            conn.execute(
                sa.text("INSERT INTO records (id, metadata) VALUES (:id, CAST(:m AS jsonb))"),
                [{"id": i, "m": json.dumps(r)} for i, r in enumerate(rows)],
            )
        query = sa.select(_TABLE.c.id).where(filter_to_sql(f, _TABLE.c.metadata, "postgresql"))
        return sorted(row[0] for row in conn.execute(query))


def test_postgresql_operator_semantics(pg_engine: Any) -> None:
    for f in (
        {"equals": {"key": "n", "value": 300}},
        {"notIn": {"key": "t", "value": ["a", 2]}},
        {"greaterThan": {"key": "n", "value": 100}},
        {"lessThan": {"key": "s", "value": "b"}},
        {"startsWith": {"key": "s", "value": "a"}},
        {"listContains": {"key": "l", "value": "x"}},
        {"stringContains": {"key": "l", "value": "y"}},
    ):
        rows = [
            {"n": 300, "t": "a", "s": "abc", "l": ["x", "yz"]},
            {"n": 50, "t": "b", "s": "b", "l": "xy"},
            {"n": "300", "t": 2, "s": 3, "l": []},
            {},
        ]
        pred = compile_filter(f)
        assert _pg_match(pg_engine, f, rows) == [i for i, r in enumerate(rows) if pred(r)], f


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rows=rows_strategy)
def test_postgresql_sql_agrees_with_python(
    pg_engine: Any, data: st.DataObject, rows: list[dict[str, Any]]
) -> None:
    f = data.draw(_filters_for(rows), label="filter")
    pred = compile_filter(f)
    expected = [i for i, row in enumerate(rows) if pred(row)]
    assert _pg_match(pg_engine, f, rows) == expected
