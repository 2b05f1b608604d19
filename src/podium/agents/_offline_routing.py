"""Offline tool routing: pick the tool for a user message (arguments: ``_offline_arguments``).

Generic by construction: it reads only the tool specs (name, description, ``inputSchema``), never
tool names it knows in advance. Scores are token overlaps with light stemming and synonyms; an
identifier in the text that fits a parameter (a schema ``pattern`` or a code-like token for a
``code``/``id`` parameter) is strong evidence for that tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from podium.agents._offline_arguments import (
    FILLER_WORDS,
    flatten_schema,
    identifier_in,
    properties,
    tool_arguments,
)
from podium.agents._offline_text import content_stems, split_identifier, words

__all__ = [
    "ROUTE_THRESHOLD",
    "RoutedCall",
    "is_information_request",
    "is_request",
    "open_request_call",
    "route_tool",
]

ROUTE_THRESHOLD = 2.5
_IDENTIFIER_BONUS = 4.0
_SEARCH_TOOL_WORDS = frozenset(("search", "query", "retrieve", "lookup"))
_REQUEST_OPENERS = frozenset(
    """what which who when where why how can could would will is are do does did should shall
    may find show list search recommend suggest give tell get look book convert help any
    please lookup need want i'm plan pick choose suggestions recommendations anything got
    recommend""".split()  # noqa: SIM905
)


@dataclass(kw_only=True)
class RoutedCall:
    """The tool chosen for a message, with the arguments filled and any required ones missing."""

    name: str
    arguments: dict[str, Any]
    missing: list[str]
    score: float


#: Words that ask for something even with nothing else said ("picks pls", "ideas?").
_ASKING_WORDS = frozenset(
    "picks pick recommendations recommend suggestions suggest ideas options plan help".split()  # noqa: SIM905
)
_CONTRACTION = re.compile(r"'(?:s|re|d|ll|ve|m)$")
#: Short imperatives about the speaker ("sort me out", "surprise me", "fill my week").
_ABOUT_ME = frozenset(("me", "my", "us", "our"))


#: Words that open a message without being its request ("ok, what should I see").
_INTERJECTIONS = frozenset("ok okay so alright right well hmm um uh and then now".split())  # noqa: SIM905


def _opener(tokens: list[str]) -> str:
    """The first word without a contraction ("what's" → "what")."""
    return _CONTRACTION.sub("", tokens[0]) if tokens else ""


def _request_words(text: str) -> list[str]:
    """The words of ``text`` after any leading interjections."""
    tokens = words(text)
    while len(tokens) > 1 and tokens[0] in _INTERJECTIONS:
        tokens = tokens[1:]
    return tokens


def is_request(text: str) -> bool:
    """Whether ``text`` asks for something (a question or an imperative), not just small talk."""
    tokens = _request_words(text)
    if [t for t in tokens if t not in ("on", "then", "ahead")] in (["go"], ["shoot"]) or tokens == [
        "surprise",
        "me",
    ]:
        return True  # "ok, go": go ahead with what you can do for me
    if 1 < len(tokens) <= 6 and tokens[1] in _ABOUT_ME:
        # "sort me out", "build me a schedule" ask; "bake me a cake" asks for an action.
        return tokens[0] not in _ACTION_VERBS
    if not [t for t in tokens if t not in FILLER_WORDS]:
        # "what's on?", "picks pls": a request made only of function words.
        return ("?" in text and _opener(tokens) in _REQUEST_OPENERS) or bool(
            set(tokens) & _ASKING_WORDS
        )
    if "?" in text or _opener(tokens) in _REQUEST_OPENERS:
        return True
    lowered = " ".join(tokens)
    return bool(re.search(r"\b(?:looking for|i need|i want|recommend|suggest|please)\b", lowered))


_EXPERIENCE = re.compile(
    r"\b(?:i|we)\s+(?:just\s+|really\s+)?(?:attended|went\s+to|saw|was\s+at|were\s+at|sat\s+in|"
    r"loved|liked|enjoyed|hated|rated|gave)\b|\b(?:was|were)\s+(?:really\s+|so\s+|pretty\s+)?"
    r"(?:great|good|boring|amazing|awful|excellent|terrible|fantastic|meh|useful|brilliant|"
    r"disappointing|fun|dull)\b|\b[1-5]\s*(?:/\s*5|stars?)\b|\b(?:one|two|three|four|five)\s+stars?\b",
    re.IGNORECASE,
)
_RECORDS_REPORTS = re.compile(r"\b(?:rate[ds]?|rating|review|feedback|attended|record)\b", re.I)
_ACTION_VERBS = frozenset(
    """book buy order send call cancel schedule reserve pay delete remove create email text
    register sign subscribe purchase transfer rent hire drive fly write draw sing play bake
    cook fetch bring pour""".split()  # noqa: SIM905
)


def open_request_call(
    tool_specs: list[dict[str, Any]], text: str, interests: list[str]
) -> RoutedCall | None:
    """The search call for an open request ("What should I go to?", "Anything for me?").

    A request that names nothing to look for asks for what fits the person: the search-like
    tool runs on their known interests (or the request's own words when none are known), and
    the tool personalises the rest.
    """
    tokens = _request_words(text)
    # All function words is fine here ("What should I go to?"): the form makes it a request.
    if not tokens or not ("?" in text or _opener(tokens) in _REQUEST_OPENERS or is_request(text)):
        return None
    lead = [w for w in tokens[:5] if w not in {"please", "can", "could", "would", "you", "will"}]
    if lead and lead[0] in _ACTION_VERBS:
        return None  # "book me a taxi" is an action, not a request for sessions
    for spec in tool_specs:
        name = str(spec.get("name", ""))
        if not set(content_stems(split_identifier(name))) & _SEARCH_TOOL_WORDS:
            continue
        # Filters come from what was asked; the interests only stand in for the query (as
        # filters, "code talks" in a profile would rule out every other format).
        arguments, missing = tool_arguments(spec, " ".join(tokens), interests)
        if not missing:
            return RoutedCall(name=name, arguments=arguments, missing=[], score=0.0)
    return None


def is_information_request(text: str) -> bool:
    """A request for information (question, "find/show/recommend ..."), not an action to perform."""
    if not is_request(text):
        return False
    lead = [
        w for w in words(text)[:5] if w not in {"please", "can", "could", "would", "you", "will"}
    ]
    return not (lead and lead[0] in _ACTION_VERBS)


# --- scoring ------------------------------------------------------------------------------------


def _vocabulary(spec: dict[str, Any]) -> dict[str, float]:
    weights: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        for token in content_stems(text):
            weights[token] = max(weights.get(token, 0.0), weight)

    props, _ = properties(spec)
    add(str(spec.get("description", "")), 1.0)
    for name, schema in props.items():
        add(str(schema.get("description", "")), 0.75)
        add(split_identifier(name), 1.5)
        enum = schema.get("enum") or flatten_schema(schema.get("items", {})).get("enum", [])
        for value in enum:
            if isinstance(value, str):
                add(split_identifier(value), 2.5)
    add(split_identifier(str(spec.get("name", ""))), 3.0)
    return weights


def _score(spec: dict[str, Any], text: str) -> float:
    weights = _vocabulary(spec)
    score = sum(weights.get(token, 0.0) for token in content_stems(text))
    props, _ = properties(spec)
    if any(identifier_in(text, name, schema) for name, schema in props.items()):
        score += _IDENTIFIER_BONUS
    return score


def route_tool(
    tool_specs: list[dict[str, Any]],
    text: str,
    *,
    interests: list[str] | None = None,
    request: bool = True,
    forced: str | None = None,
    any_tool: bool = False,
) -> RoutedCall | None:
    """Choose the tool for ``text`` and fill its arguments, or return None when none fits.

    A tool must score at least :data:`ROUTE_THRESHOLD` and have every required argument; for a
    ``request`` the search-like tool (name with search/find/list/query) is the fallback. When the
    best-scoring tool lacks required arguments it is returned with ``missing`` set, so the caller
    can ask for them. ``forced`` names the tool to use; ``any_tool`` takes the best tool whatever
    its score (Strands' ``tool_choice``).
    """
    candidates: list[RoutedCall] = []
    # "I attended the guardrails workshop, it was great" reports an experience: it is not a
    # search, even though it names what a search could look for.
    reporting = not forced and not is_request(text) and bool(_EXPERIENCE.search(text))
    for spec in tool_specs:
        name = str(spec.get("name", ""))
        if forced and name != forced:
            continue
        if reporting and set(content_stems(split_identifier(name))) & _SEARCH_TOOL_WORDS:
            continue
        arguments, missing = tool_arguments(spec, text, interests)
        candidates.append(
            RoutedCall(name=name, arguments=arguments, missing=missing, score=_score(spec, text))
        )
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda c: (-c.score, len(c.missing)))
    complete = [c for c in ranked if not c.missing]
    if forced or any_tool:
        return (complete or ranked)[0]
    if reporting:
        # A tool that records such reports takes it even on a thin word overlap.
        for call in complete:
            spec = next(s for s in tool_specs if s.get("name") == call.name)
            if call.score > 0 and _RECORDS_REPORTS.search(str(spec.get("description", ""))):
                return call
    if complete and complete[0].score >= ROUTE_THRESHOLD:
        return complete[0]
    if request and is_information_request(text):
        for call in complete:
            if set(content_stems(split_identifier(call.name))) & _SEARCH_TOOL_WORDS:
                return call
    if ranked[0].score >= ROUTE_THRESHOLD:
        return ranked[0]
    return None
