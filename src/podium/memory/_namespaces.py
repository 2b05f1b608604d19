"""Namespaces: the templates strategies declare, their resolution, and the '/'-boundary prefix rule.

A strategy names where its records live with a template such as
``/strategies/{memoryStrategyId}/actors/{actorId}/``. Records are read by namespace *prefix*,
matched at a '/' boundary (:func:`namespace_matches`), so the namespace of actor ``al`` never
reaches the records of actor ``alice``.

Ids are percent-encoded when they fill a placeholder (:func:`escape_namespace_value`): actor ids
may contain '/' (AgentCore's pattern, Cognito usernames), and an unescaped ``bob/evil`` would
resolve *under* ``bob``'s namespace. Ids without '/', '%', '*', braces or control characters,
which is every id of the default patterns but those with '/', resolve exactly as before.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import sqlalchemy as sa

from podium.errors import InvalidInput

if TYPE_CHECKING:
    from ._models import MemoryStrategy

__all__ = [
    "DEFAULT_NAMESPACES",
    "MAX_NAMESPACE_CHARS",
    "actor_from_namespace",
    "actor_namespace_prefix",
    "actor_prefixes",
    "escape_namespace_value",
    "exact_namespace_prefix",
    "exact_namespaces",
    "namespace_clause",
    "namespace_matches",
    "namespace_prefixes",
    "reflection_namespace_template",
    "resolve_namespace",
    "unescape_namespace_value",
    "validate_namespace",
    "validate_namespace_template",
]

MAX_NAMESPACE_CHARS = 1024

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PLACEHOLDERS = ("actorId", "sessionId", "memoryStrategyId")
_ACTOR_SEGMENT = re.compile(r"/actors/([^/]+)")
# '/' separates namespace levels and '%' starts an escape (so escaping is reversible); '*',
# braces and control characters are what namespace validation rejects in a concrete namespace.
_STRUCTURAL = re.compile(r"[%/*{}\x00-\x1f\x7f]")

_ACTOR_NS = "/strategies/{memoryStrategyId}/actors/{actorId}/"
_SESSION_NS = "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/"
DEFAULT_NAMESPACES: dict[str, str] = {
    "user_preference": _ACTOR_NS,
    "semantic": _ACTOR_NS,
    "custom": _ACTOR_NS,
    "summary": _SESSION_NS,
    "episodic": _SESSION_NS,
}


# ------------------------------------------------------------------- escaping


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group(0).encode("utf-8"))


def escape_namespace_value(value: str) -> str:
    """``value`` made safe to fill a namespace placeholder: structural characters percent-encoded.

    ``bob/evil`` becomes ``bob%2Fevil``, one namespace level that no other id's namespace can be
    a prefix of. Ids without '/', '%', '*', '{', '}' or control characters come back unchanged.
    """
    return _STRUCTURAL.sub(_percent, value)


def unescape_namespace_value(value: str) -> str:
    """The inverse of :func:`escape_namespace_value` (the id an escaped namespace level names)."""
    return unquote(value) if "%" in value else value


# ------------------------------------------------------------------ templates


def validate_namespace_template(template: object, field: str = "namespaces") -> str:
    """A namespace template: placeholders limited to {actorId}, {sessionId}, {memoryStrategyId}."""
    if not isinstance(template, str) or not template or len(template) > 1024:
        raise InvalidInput(f"{field} entries must be 1-1024 character strings")
    if "*" in template:
        raise InvalidInput(f"{field} entry {template!r} must not contain '*'")
    for name in _PLACEHOLDER.findall(template):
        if name not in _PLACEHOLDERS:
            raise InvalidInput(
                f"{field} entry {template!r} uses {{{name}}}; allowed placeholders are "
                "{actorId}, {sessionId} and {memoryStrategyId}"
            )
    if "{" in _PLACEHOLDER.sub("", template) or "}" in _PLACEHOLDER.sub("", template):
        raise InvalidInput(f"{field} entry {template!r} has an unbalanced brace")
    return template


def resolve_namespace(
    template: str, actor_id: str, session_id: str | None, strategy_id: str
) -> str:
    """Fill a namespace template with escaped ids; a template naming {sessionId} needs one."""
    if "{sessionId}" in template and not session_id:
        raise InvalidInput(f"namespace {template!r} needs a sessionId")
    return _fill(
        template,
        {"actorId": actor_id, "sessionId": session_id or "", "memoryStrategyId": strategy_id},
    )


def _fill(template: str, values: dict[str, str]) -> str:
    # One pass over the placeholders: a value is never rescanned, so an id spelling
    # "{sessionId}" (escaped anyway) cannot fill a second placeholder.
    return _PLACEHOLDER.sub(
        lambda m: (
            escape_namespace_value(values[m.group(1)]) if m.group(1) in values else m.group(0)
        ),
        template,
    )


def actor_namespace_prefix(template: str, actor_id: str, strategy_id: str) -> str:
    """The actor-level prefix of a namespace template: everything before ``{sessionId}``.

    Listing under it returns all of the actor's records of that strategy, in every session.
    """
    head = template.split("{sessionId}", 1)[0]
    return _fill(head, {"actorId": actor_id, "memoryStrategyId": strategy_id})


def actor_prefixes(
    strategies: list[MemoryStrategy], actor_id: str
) -> list[tuple[MemoryStrategy, str]]:
    """Namespace prefixes holding ``actor_id``'s own records, one per strategy namespace.

    A template without ``{actorId}`` (before any ``{sessionId}``) holds records shared by all
    actors, which are not the actor's own, so it is skipped. Session-scoped templates are cut
    before ``{sessionId}``; the namespace rule keeps ``/actors/al/`` from matching
    ``/actors/alice/``.
    """
    return [
        (strategy, actor_namespace_prefix(template, actor_id, strategy.strategy_id))
        for strategy in strategies
        for template in strategy.namespaces
        if "{actorId}" in template.split("{sessionId}", 1)[0]
    ]


def reflection_namespace_template(strategy: MemoryStrategy) -> str | None:
    """The actor-level namespace template of an episodic strategy's reflections.

    ``configuration.reflection_namespace`` wins; otherwise the episode template without its
    ``sessions/{sessionId}`` part (AgentCore also requires reflections to sit above episodes).
    """
    config = strategy.configuration or {}
    explicit = config.get("reflection_namespace") or config.get("reflectionNamespace")
    if isinstance(explicit, str) and explicit:
        return explicit
    template = strategy.namespaces[0] if strategy.namespaces else ""
    if "{sessionId}" not in template:
        return None
    head = template.split("{sessionId}", 1)[0]
    head = head.removesuffix("/").removesuffix("sessions").removesuffix("/")
    return head + "/" if template.endswith("/") else head


# ------------------------------------------------------- concrete namespaces


def validate_namespace(value: object, field: str = "namespace") -> str:
    """A concrete namespace or prefix: 1-1024 characters, no '*' wildcards."""
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{field} must be a non-empty string")
    if len(value) > MAX_NAMESPACE_CHARS:
        raise InvalidInput(f"{field} is longer than {MAX_NAMESPACE_CHARS} characters")
    if "*" in value:
        raise InvalidInput(f"{field} {value!r} must not contain wildcards; it is a prefix")
    if any(ord(ch) < 32 for ch in value):
        raise InvalidInput(f"{field} must not contain control characters")
    return value


def actor_from_namespace(namespace: str) -> str | None:
    """The actor id in an ``.../actors/<id>/...`` namespace (unescaped), if any."""
    m = _ACTOR_SEGMENT.search(namespace)
    return unescape_namespace_value(m.group(1)) if m else None


def namespace_prefixes(namespace: str) -> list[str]:
    """Every prefix ``p`` for which :func:`namespace_matches` (p, namespace) is true."""
    out: dict[str, None] = {}
    for i, ch in enumerate(namespace):
        if ch == "/":
            if i > 0:
                out[namespace[:i]] = None
            out[namespace[: i + 1]] = None
    out[namespace] = None
    return list(out)


def namespace_matches(prefix: str, namespace: str) -> bool:
    """The '/'-boundary prefix rule: exact, or ``prefix`` ends at a '/' of ``namespace``.

    ``/strategies/s/actors/al`` and ``/strategies/s/actors/al/`` match
    ``/strategies/s/actors/al/x`` but never ``/strategies/s/actors/alice/``.
    """
    if namespace == prefix:
        return True
    if prefix.endswith("/"):
        return namespace.startswith(prefix)
    return namespace.startswith(prefix + "/")


def namespace_clause(column: Any, prefix: str, dialect: str) -> sa.ColumnElement[bool]:
    """SQL for the '/'-boundary prefix rule (case-sensitive, unlike LIKE on SQLite)."""
    head = prefix if prefix.endswith("/") else prefix + "/"
    clause = sa.or_(column == prefix, sa.func.substr(column, 1, len(head)) == head)
    if dialect == "sqlite":
        # A range on the (memory_id, namespace) index; BINARY collation compares UTF-8 bytes.
        clause = sa.and_(column >= prefix, column < prefix + "\U0010ffff", clause)
    return clause


def exact_namespaces(namespace: str) -> list[str]:
    """The spellings an exact namespace match accepts: with and without one trailing '/'.

    Templates differ on a trailing '/' (``/users/{actorId}/preferences`` or AgentCore's
    ``/strategies/{memoryStrategyId}/actors/{actorId}/``); a reader asking for one spelling means
    the same namespace level either way.
    """
    bare = namespace.rstrip("/") or "/"
    spellings = [namespace, bare] + ([bare + "/"] if bare != "/" else [])
    return list(dict.fromkeys(spellings))


def exact_namespace_prefix(namespace: str) -> str:
    """The namespace prefix whose records include every spelling of :func:`exact_namespaces`."""
    return namespace.rstrip("/") or "/"
