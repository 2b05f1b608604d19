"""The profile's hard constraints as knowledge-base filters, and the order they relax in.

Exclusions never relax. When too few sessions meet everything, the time window goes first,
then the level bounds, then the days; a format preference is a boost plus a first pass over
that format (strongly preferred, never required).
"""

from __future__ import annotations

from typing import Any

from ._profile import HANDS_ON_TYPES

__all__ = [
    "RELAX_ORDER",
    "format_types",
    "in_time_window",
    "profile_clauses",
    "topic_clause",
    "without_avoided",
]

#: Constraint names, in the order they are dropped when too few sessions meet all of them.
RELAX_ORDER = ("times", "level", "days")
_FORMAT_TYPES = {"chalk-talk": ("chalk talk",), "short-format": ("lightning talk",)}


def profile_clauses(
    profile: dict[str, Any], *, day: str | None, level: int | None, keep: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Filter clauses for the profile's days and level bounds named in ``keep``.

    A day or level the request names itself overrides the profile's for that dimension.
    """
    clauses: list[dict[str, Any]] = []
    days = [str(d) for d in profile.get("days") or []]
    if "days" in keep and days and not day:
        clauses.append({"in": {"key": "day", "value": days}})
    if "level" in keep and not level:
        if profile.get("min_level"):
            clauses.append({"greaterThanOrEquals": {"key": "level", "value": profile["min_level"]}})
        if profile.get("max_level"):
            clauses.append({"lessThanOrEquals": {"key": "level", "value": profile["max_level"]}})
    return clauses


def topic_clause(profile: dict[str, Any]) -> dict[str, Any] | None:
    """A filter clause for sessions in any of the profile's topics (None when it has none)."""
    topics = [str(t) for t in profile.get("topics") or []]
    clauses = [{"listContains": {"key": "topics", "value": t}} for t in topics]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"orAll": clauses}


def format_types(profile: dict[str, Any]) -> list[str]:
    """Session types the profile prefers (empty when it states no format)."""
    types: list[str] = sorted(HANDS_ON_TYPES) if profile.get("hands_on") else []
    for name in profile.get("formats") or []:
        types += [t for t in _FORMAT_TYPES.get(str(name), ()) if t not in types]
    return types


def in_time_window(profile: dict[str, Any], meta: dict[str, Any]) -> bool:
    """Whether a session's start time fits the profile's times of day (any when none stated)."""
    times = set(profile.get("times") or [])
    if not times or times >= {"morning", "afternoon"}:
        return True
    start = str(meta.get("start") or "")
    if not start[:2].isdigit():
        return True
    morning = int(start[:2]) < 12
    return morning if "morning" in times else not morning


def without_avoided(profile: dict[str, Any], meta: dict[str, Any]) -> bool:
    """False for a session in a topic the attendee excluded (exclusions never relax)."""
    avoided = set(profile.get("avoided_topics") or [])
    return not avoided & set(meta.get("topics") or [])
