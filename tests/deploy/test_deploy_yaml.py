"""The deploy files' YAML writer: what it writes reads back as exactly the data given."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from podium.deploy._yaml import dump_documents, dump_yaml

TRICKY = [
    "on", "Off", "yes", "N", "true", "null", "~", "", " ", "8080", "0.0.0.0", "1e3", ".5",
    "0x1F", "a: b", "#x", "x #y", "-", "--host", "- item", "[a]", "{a}", "*ref", "&anchor",
    "!tag", "%x", "@x", "`x`", "'single'", '"double"', "multi\nline", "tab\there", "é ü",
    "${VAR:-default}", "pgvector/pgvector:pg17", "50%", "a,b",
]  # fmt: skip


@pytest.mark.parametrize("text", TRICKY)
def test_a_string_stays_a_string(text: str) -> None:
    data = {"value": text, "list": [text], text or "k": 1}
    assert yaml.safe_load(dump_yaml(data)) == data


_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _values, max_size=5))
def test_any_document_round_trips(data: dict[str, Any]) -> None:
    assert yaml.safe_load(dump_yaml(data, comment="a\nb")) == data


def test_documents_are_separated_and_commented() -> None:
    text = dump_documents([{"a": 1}, {"b": [1, {"c": "d"}]}], comment="generated")
    assert text.startswith("# generated\n---\n")
    assert list(yaml.safe_load_all(text)) == [{"a": 1}, {"b": [1, {"c": "d"}]}]
