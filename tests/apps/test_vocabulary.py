"""One vocabulary (days, levels, session types, topics) drives the catalog, the tools and the UI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

from podium.apps.event_assistant import _catalog, _profile, _tools, _vocabulary
from podium.apps.event_assistant._vocabulary import DAYS, LEVELS, SESSION_TYPES, TOPICS

ROOT = Path(__file__).resolve().parents[2]
WEB_UI = ROOT / "src" / "podium" / "web" / "static" / "index.html"


def _search_schema() -> dict[str, Any]:
    # The tools only touch the knowledge base when called, so any object stands in for it.
    tools = {t.tool_name: t for t in _tools.make_tools(object(), timeout_s=1.0)}
    schema: dict[str, Any] = tools["search_sessions"].tool_spec["inputSchema"]["json"]
    return schema["properties"]


def test_runtime_tuples_are_the_literal_types_values() -> None:
    assert (
        DAYS
        == get_args(_vocabulary.Day)
        == ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    )
    assert LEVELS == get_args(_vocabulary.Level) == (100, 200, 300, 400)
    assert get_args(_vocabulary.SessionType) == SESSION_TYPES
    assert get_args(_vocabulary.Topic) == TOPICS
    assert len(SESSION_TYPES) == 7 and len(TOPICS) == 15
    for values in (DAYS, LEVELS, SESSION_TYPES, TOPICS):
        assert len(set(values)) == len(values)


def test_catalog_helpers_reuse_the_vocabulary() -> None:
    assert _catalog.DAYS is DAYS
    assert _catalog.LEVELS is LEVELS
    assert _catalog.SESSION_TYPES is SESSION_TYPES
    assert _catalog.TOPICS is TOPICS


def test_tool_parameter_enums_equal_the_vocabulary() -> None:
    # What the model sees: the JSON schema Strands builds from the tool's type hints.
    properties = _search_schema()
    assert properties["day"]["enum"] == list(DAYS)
    assert properties["level"]["enum"] == list(LEVELS)
    assert properties["session_type"]["enum"] == list(SESSION_TYPES)
    assert properties["topic"]["enum"] == list(TOPICS)


def test_profile_vocabularies_are_catalog_values() -> None:
    assert set(_profile.HANDS_ON_TYPES) <= set(SESSION_TYPES)
    assert set(_profile._CATEGORY_TOPICS.values()) <= set(TOPICS)


def test_web_ui_filter_options_come_from_the_vocabulary() -> None:
    from podium.web._api import catalog_vocabulary

    vocabulary = catalog_vocabulary()
    assert vocabulary["days"] == list(DAYS)
    assert [level["value"] for level in vocabulary["levels"]] == list(LEVELS)
    assert vocabulary["session_types"] == list(SESSION_TYPES)
    assert vocabulary["topics"] == list(TOPICS)
    # The static page keeps no copy: each select holds only its "Any ..." option until the
    # page fills it from /api/config.
    html = WEB_UI.read_text(encoding="utf-8")
    for select_id in ("catalog-day", "catalog-level", "catalog-type", "catalog-topic"):
        match = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
        assert match is not None, select_id
        assert re.findall(r"<option[^>]*>([^<]*)</option>", match.group(0))[0].startswith("Any")
        assert match.group(0).count("<option") == 1
