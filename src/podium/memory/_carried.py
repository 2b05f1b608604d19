"""The text a payload item carries: plain text, or a JSON-serialised Strands session message.

bedrock_agentcore's ``AgentCoreMemorySessionManager`` stores each Strands message as the JSON of
a ``SessionMessage`` (``{"message": {"role", "content": [{"text": ...}, {"toolUse": ...}]},
"message_id", ...}``) in a conversational item's text, or, from 100,000 characters on, as a blob
holding the JSON list ``[that JSON, role]``. Extraction and event search read the words such a
message carries, not its JSON.

Records of the user-preference strategy are, as AgentCore's built-in strategy writes them, the
JSON text of ``{"context", "preference", "categories"}``; :func:`record_json` reads that form
and :func:`readable_record_text` the sentence such a record states (what is embedded and shown).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["blob_message", "carried_text", "readable_record_text", "record_json"]


def _message_text(message: dict[str, Any]) -> str:
    # Only text blocks: tool calls and tool results are the agent's plumbing, not what the
    # user or the assistant said (Strands even sends tool results with the role "user").
    parts = [
        block["text"]
        for block in message["content"]
        if isinstance(block, dict) and isinstance(block.get("text"), str)
    ]
    return "\n".join(p for p in parts if p.strip())


def carried_text(text: str) -> str:
    """The words of a Strands session message serialised as JSON; any other text as it is.

    A message with no text blocks (only tool use) carries ``""``.
    """
    if not text.startswith("{"):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    message = data.get("message") if isinstance(data, dict) else None
    if (
        not isinstance(message, dict)
        or not isinstance(message.get("role"), str)
        or not isinstance(message.get("content"), list)
    ):
        return text
    return _message_text(message)


def blob_message(blob: object) -> tuple[str, str] | None:
    """``(ROLE, text)`` of a Strands message kept in a blob (``[json, role]``), else None."""
    data = blob
    if isinstance(blob, str):
        try:
            data = json.loads(blob)
        except ValueError:
            return None
    if not (
        isinstance(data, list)
        and len(data) == 2
        and isinstance(data[0], str)
        and isinstance(data[1], str)
    ):
        return None
    text = carried_text(data[0])
    if text is data[0]:
        return None  # not a serialised session message
    return data[1].upper(), text


def record_json(text: str) -> dict[str, Any] | None:
    """The object of a record written as AgentCore's JSON form (``{"preference", ...}``), else None."""
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def readable_record_text(text: str) -> str:
    """The sentence a record states: a JSON preference record's ``preference``, else the text."""
    data = record_json(text)
    if data is not None and isinstance(data.get("preference"), str) and data["preference"]:
        return str(data["preference"])
    return text
