"""What the memory handlers share: ids from ARNs, page tokens, metadata values, actor scoping.

Actor scoping is the analog of AgentCore's IAM ``actorId`` condition key: an access key limited
to an actor pattern (``podium keys create --actor-pattern``) may touch only the events and
records of actors that pattern matches. A record's actor is its ``actor_id``, or else the actor
its namespace names under one of the memory's strategy templates (``/users/{actorId}/...``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from podium.memory import unescape_namespace_value

from ._errors import AwsError

if TYPE_CHECKING:
    from podium.memory import Memory, MemoryRecord, MemoryStrategy

    from ._registry import Call

__all__ = [
    "actor_of_namespace",
    "allowed",
    "check_record_actor",
    "flat_metadata",
    "memory_id_of",
    "page",
    "record_actor",
    "scoped",
    "wire_metadata",
]

T = TypeVar("T")

_MEMORY_ARN = re.compile(r"arn:aws[a-z-]*:bedrock-agentcore:[^:]*:[0-9]{12}:memory/(.+)")
_PLACEHOLDER = re.compile(r"\{(actorId|sessionId|memoryStrategyId)\}")
_ACTOR_SEGMENT = re.compile(r"/actors/([^/]+)")


def memory_id_of(value: str) -> str:
    """A memory id from ``memoryId``, which the data plane also accepts as the memory's ARN."""
    m = _MEMORY_ARN.fullmatch(value)
    return m.group(1) if m else value


# ------------------------------------------------------------------ pages


def _offset(token: object) -> int:
    if token is None:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(str(token).encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("o"), int) or data["o"] < 0:
        raise AwsError("ValidationException", "nextToken is not valid", 400)
    return int(data["o"])


def page(
    items: Sequence[T], params: dict[str, Any], default: int = 20
) -> tuple[list[T], str | None]:
    """One page of ``items`` by ``maxResults`` / ``nextToken`` (an offset token)."""
    start = _offset(params.get("nextToken"))
    size = int(params.get("maxResults") or default)
    chunk = list(items[start : start + size])
    more = start + size < len(items)
    token = (
        base64.urlsafe_b64encode(json.dumps({"o": start + size}).encode()).decode()
        if more
        else None
    )
    return chunk, token


# --------------------------------------------------------------- metadata


def flat_metadata(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Record metadata as stored: ``{"stringValue": "x"}`` → ``"x"`` (numbers, lists, times too)."""
    out: dict[str, Any] = {}
    for key, value in (metadata or {}).items():
        if isinstance(value, dict) and len(value) == 1:
            kind, inner = next(iter(value.items()))
            if kind in ("stringValue", "stringListValue", "numberValue", "dateTimeValue"):
                value = inner
        out[key] = value
    return out


def wire_metadata(metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    """Stored metadata as AgentCore's typed values (None when there is none)."""
    out: dict[str, Any] = {}
    for key, value in (metadata or {}).items():
        if isinstance(value, bool):
            out[key] = {"stringValue": str(value).lower()}
        elif isinstance(value, (int, float)):
            out[key] = {"numberValue": float(value)}
        elif isinstance(value, list):
            out[key] = {"stringListValue": [str(v) for v in value]}
        elif isinstance(value, str):
            out[key] = {"stringValue": value}
    return out or None


# ---------------------------------------------------------------- actors


def scoped(call: Call) -> bool:
    """True when the call's key is limited to some actors (not ``*``)."""
    return call.key is not None and call.key.actor_pattern != "*"


def allowed(call: Call, actor_id: str | None) -> bool:
    """Whether the call may see data of ``actor_id`` (data of no actor is nobody's: visible)."""
    if actor_id is None or call.key is None:
        return True
    return call.key.allows_actor(actor_id)


def _template_regex(template: str, strategy_id: str, prefix: bool) -> re.Pattern[str] | None:
    """A regex whose group ``actor`` captures the actor of a namespace under ``template``."""
    head, found, _tail = template.partition("{actorId}")
    if not found:
        return None
    parts: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(head):
        parts.append(re.escape(head[pos : m.start()]))
        parts.append(re.escape(strategy_id) if m.group(1) == "memoryStrategyId" else "[^/]+")
        pos = m.end()
    parts.append(re.escape(head[pos:]))
    # As a prefix (namespacePath), the actor level must be complete: followed by '/' or the end.
    rest = "(?:/.*)?" if prefix else ".*"
    return re.compile("".join(parts) + "(?P<actor>[^/]+)" + rest)


def actor_of_namespace(
    strategies: Sequence[MemoryStrategy], namespace: str, *, prefix: bool = False
) -> str | None:
    """The actor a namespace (or, with ``prefix``, a namespace path) names, if any.

    Tried against every strategy template naming ``{actorId}``, then AgentCore's
    ``/actors/<id>`` convention. Ids are unescaped (namespaces hold escaped ids).
    """
    for strategy in strategies:
        for template in strategy.namespaces:
            regex = _template_regex(template, strategy.strategy_id, prefix)
            m = regex.fullmatch(namespace) if regex is not None else None
            if m:
                return unescape_namespace_value(m.group("actor"))
    m = _ACTOR_SEGMENT.search(namespace)
    if m and (not prefix or namespace[m.end() :][:1] in ("", "/")):
        return unescape_namespace_value(m.group(1))
    return None


def record_actor(memory: Memory, record: MemoryRecord) -> str | None:
    """The actor a record belongs to: its ``actor_id``, else the one its namespace names."""
    return record.actor_id or actor_of_namespace(memory.strategies, record.namespace)


def check_record_actor(call: Call, memory: Memory, record: MemoryRecord) -> None:
    """AccessDeniedException unless the call may touch the record's actor."""
    actor = record_actor(memory, record)
    if actor is not None:
        call.require_actor(actor)
