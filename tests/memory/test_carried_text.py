"""Strands' JSON-serialised session messages are read as the text they carry."""

from __future__ import annotations

import json

from podium.memory import readable_record_text, record_json
from podium.memory._carried import blob_message, carried_text


def _session_message(role: str, *blocks: dict[str, object]) -> str:
    # What AgentCoreMemorySessionManager stores: SessionMessage.to_dict() as JSON.
    return json.dumps(
        {
            "message": {"role": role, "content": list(blocks)},
            "message_id": 0,
            "redact_message": None,
            "created_at": "2026-01-01T00:00:00+00:00",
            "updated_at": "2026-01-01T00:00:00+00:00",
        }
    )


def test_a_strands_message_carries_its_text_blocks() -> None:
    text = _session_message("user", {"text": "I love serverless."}, {"text": "And Go."})
    assert carried_text(text) == "I love serverless.\nAnd Go."
    tool_only = _session_message("assistant", {"toolUse": {"name": "x", "input": {}}})
    assert carried_text(tool_only) == ""
    result = _session_message("user", {"toolResult": {"content": [{"text": "db rows"}]}})
    assert carried_text(result) == ""  # tool results are plumbing, not what the user said


def test_other_text_is_kept_as_it_is() -> None:
    for text in ("plain words", '{"not": "a message"}', "{broken json", '{"message": "x"}'):
        assert carried_text(text) == text


def test_a_long_message_in_a_blob() -> None:
    blob = json.dumps([_session_message("user", {"text": "I like IoT."}), "user"])
    assert blob_message(blob) == ("USER", "I like IoT.")
    assert blob_message(json.dumps({"n": 1})) is None
    assert blob_message(json.dumps(["plain", "user"])) is None


def test_preference_records_in_agentcore_form() -> None:
    text = json.dumps({"context": "c", "preference": "The user likes Go.", "categories": ["go"]})
    assert readable_record_text(text) == "The user likes Go."
    assert record_json(text) == {
        "context": "c",
        "preference": "The user likes Go.",
        "categories": ["go"],
    }
    assert readable_record_text("The user likes Go.") == "The user likes Go."
    assert record_json("[1]") is None
