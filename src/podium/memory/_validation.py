"""Input validation with AgentCore Memory's limits and id formats; every error names its field.

Namespaces are validated in :mod:`._namespaces`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from podium.errors import InvalidInput

from ._carried import carried_text
from ._models import ROLES

__all__ = [
    "MAX_METADATA_KEYS",
    "MAX_PAYLOAD_ITEMS",
    "MAX_QUERY_CHARS",
    "MAX_TEXT_CHARS",
    "decode_token",
    "encode_token",
    "metadata_key",
    "normalize_branch",
    "normalize_metadata",
    "normalize_payload",
    "validate_actor_id",
    "validate_event_id",
    "validate_max_results",
    "validate_memory_id",
    "validate_record_id",
    "validate_session_id",
]

MAX_PAYLOAD_ITEMS = 100
#: A search query (record search, recall) is a sentence or two; longer is refused.
MAX_QUERY_CHARS = 10_000
MAX_TEXT_CHARS = 100_000
MAX_METADATA_KEYS = 15
MAX_METADATA_VALUE_CHARS = 256

_ACTOR = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_/]*(?::[a-zA-Z0-9\-_/]+)*[a-zA-Z0-9\-_/]*")
_SESSION = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_]*")
_MEMORY_ID = re.compile(r"[a-zA-Z][a-zA-Z0-9\-_]{0,99}-[a-zA-Z0-9]{10}")
_EVENT_ID = re.compile(r"[0-9]{13}#[a-fA-F0-9]{8,}")
_RECORD_ID = re.compile(r"mem-[a-zA-Z0-9\-_]{1,100}")
_BRANCH = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_/]{0,99}")
_META_KEY = re.compile(r"[a-zA-Z0-9\s._:/=+@\-]{1,128}")


def _check_str(field: str, value: object, pattern: re.Pattern[str], lo: int, hi: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string")
    if not lo <= len(value) <= hi:
        raise InvalidInput(f"{field} must be {lo}-{hi} characters (got {len(value)})")
    if not pattern.fullmatch(value):
        raise InvalidInput(f"{field} {value!r} does not match {pattern.pattern}")
    return value


def validate_actor_id(value: object) -> str:
    """actorId: 1-255 characters, AgentCore's pattern."""
    return _check_str("actorId", value, _ACTOR, 1, 255)


def validate_session_id(value: object) -> str:
    """sessionId: 1-100 characters of ``[a-zA-Z0-9][a-zA-Z0-9-_]*``."""
    return _check_str("sessionId", value, _SESSION, 1, 100)


def validate_memory_id(value: object) -> str:
    """memoryId: ``<name>-<10 alnum>``."""
    return _check_str("memoryId", value, _MEMORY_ID, 12, 120)


def validate_event_id(value: object, field: str = "eventId") -> str:
    """eventId: ``<13-digit ms>#<hex>``."""
    return _check_str(field, value, _EVENT_ID, 22, 64)


def validate_record_id(value: object) -> str:
    """memoryRecordId: ``mem-...``."""
    return _check_str("memoryRecordId", value, _RECORD_ID, 5, 104)


def validate_max_results(value: object, hi: int = 100) -> int:
    """maxResults: 1..hi."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= hi:
        raise InvalidInput(f"maxResults must be an integer in 1..{hi} (got {value!r})")
    return value


def _message_text(conv: dict[str, Any], index: int) -> str:
    content = conv.get("content")
    if isinstance(content, dict):
        text = content.get("text")
    elif isinstance(content, str):
        text = content
    else:
        text = conv.get("text")
    if not isinstance(text, str):
        raise InvalidInput(f"payload[{index}].conversational.content.text must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"payload[{index}].conversational.content.text is longer than {MAX_TEXT_CHARS} "
            f"characters ({len(text)})"
        )
    return text


def normalize_payload(payload: object) -> tuple[list[dict[str, Any]], str, int]:
    """Validated payload items in canonical form, their search text and USER message count."""
    if not isinstance(payload, list) or not payload:
        raise InvalidInput("payload must be a non-empty list")
    if len(payload) > MAX_PAYLOAD_ITEMS:
        raise InvalidInput(f"payload has {len(payload)} items; the limit is {MAX_PAYLOAD_ITEMS}")
    items: list[dict[str, Any]] = []
    lines: list[str] = []
    users = 0
    for i, item in enumerate(payload):
        if not isinstance(item, dict) or len(item) != 1:
            raise InvalidInput(f"payload[{i}] must have exactly one of 'conversational' or 'blob'")
        if "conversational" in item:
            conv = item["conversational"]
            if not isinstance(conv, dict):
                raise InvalidInput(f"payload[{i}].conversational must be an object")
            role = conv.get("role")
            if not isinstance(role, str) or role.upper() not in ROLES:
                raise InvalidInput(
                    f"payload[{i}].conversational.role must be one of {', '.join(ROLES)}"
                )
            role = role.upper()
            text = _message_text(conv, i)
            items.append({"conversational": {"role": role, "content": {"text": text}}})
            lines.append(f"{role}: {carried_text(text)}")
            users += role == "USER"
        elif "blob" in item:
            try:
                json.dumps(item["blob"])
            except (TypeError, ValueError) as e:
                raise InvalidInput(f"payload[{i}].blob must be JSON-serialisable: {e}") from e
            items.append({"blob": item["blob"]})
        else:
            raise InvalidInput(f"payload[{i}] must have exactly one of 'conversational' or 'blob'")
    return items, "\n".join(lines), users


def normalize_metadata(metadata: object, field: str = "metadata") -> dict[str, str]:
    """Flat ``{key: str}`` from ``{key: str | {"stringValue": str}}`` (≤ 15 keys)."""
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise InvalidInput(f"{field} must be an object")
    if len(metadata) > MAX_METADATA_KEYS:
        raise InvalidInput(f"{field} has {len(metadata)} keys; the limit is {MAX_METADATA_KEYS}")
    out: dict[str, str] = {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not _META_KEY.fullmatch(key):
            raise InvalidInput(
                f"{field} key {key!r} must be 1-128 characters of {_META_KEY.pattern}"
            )
        if isinstance(value, dict) and set(value) == {"stringValue"}:
            value = value["stringValue"]
        if not isinstance(value, str):
            raise InvalidInput(f"{field}[{key!r}] must be a string or {{'stringValue': str}}")
        if len(value) > MAX_METADATA_VALUE_CHARS:
            raise InvalidInput(
                f"{field}[{key!r}] is longer than {MAX_METADATA_VALUE_CHARS} characters"
            )
        out[key] = value
    return out


def normalize_branch(branch: object) -> tuple[str, str | None] | None:
    """(name, root event id or None) from ``{"name", "rootEventId" | "root_event_id"}``."""
    if branch is None:
        return None
    if not isinstance(branch, dict):
        raise InvalidInput("branch must be an object with 'name' and 'rootEventId'")
    name = _check_str("branch.name", branch.get("name"), _BRANCH, 1, 100)
    if name == "main":
        raise InvalidInput("branch.name 'main' is reserved for events without a branch")
    root = branch.get("rootEventId", branch.get("root_event_id"))
    if root is not None:
        validate_event_id(root, "branch.rootEventId")
    return name, root


def metadata_key(value: object, field: str) -> str:
    """A metadata key used in a filter."""
    if not isinstance(value, str) or not _META_KEY.fullmatch(value):
        raise InvalidInput(f"{field} must be 1-128 characters of {_META_KEY.pattern}")
    return value


def encode_token(values: list[Any]) -> str:
    """An opaque pagination token."""
    return base64.urlsafe_b64encode(json.dumps(values).encode("utf-8")).decode("ascii")


def decode_token(token: object, arity: int) -> list[Any]:
    """Inverse of :func:`encode_token`; a malformed token is InvalidInput."""
    if not isinstance(token, str) or not token:
        raise InvalidInput("nextToken must be a non-empty string")
    try:
        values = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as e:
        raise InvalidInput("nextToken is not valid") from e
    if (
        not isinstance(values, list)
        or len(values) != arity
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    ):
        raise InvalidInput("nextToken is not valid")
    return values
