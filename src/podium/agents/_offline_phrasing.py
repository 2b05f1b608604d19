"""How the offline model talks about tools and their results in plain words.

Answers never show tool names, argument names or machine ids: a tool becomes what its
description says it does ("search the conference catalog for sessions"), a call's arguments
become 'for "security" with day Tuesday', and the items a list tool returned are named by the
plural noun in the tool's name ("sessions", "recipes") or, failing that, "results". Generic by
construction: it reads only tool specs and argument values, never tool names known in advance.
"""

from __future__ import annotations

import re
from typing import Any

from podium.agents._offline_text import join_phrases, split_identifier

__all__ = [
    "capabilities_sentence",
    "capability",
    "criteria",
    "history_text",
    "is_machine_id",
    "item_nouns",
    "last_time",
    "second_person",
]

_QUERY_KEYS = frozenset(
    "query q search text keywords keyword prompt question terms term input".split()  # noqa: SIM905
)
# Arguments that size or page the answer: nothing the user would call a criterion.
_SIZE_KEY = re.compile(r"max|limit|number|top|count|page|size|offset|^k$|^n$", re.IGNORECASE)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_HEXISH = re.compile(r"(?=[0-9a-z]*\d)(?=[0-9a-z]*[a-z])[0-9a-z]{8,}", re.IGNORECASE)
_NOT_NOUNS = frozenset("results items details status news series analysis process".split())  # noqa: SIM905


def capability(spec: dict[str, Any]) -> str:
    """What one tool does, in words: its description's first sentence, lower-cased, no period."""
    description = str(spec.get("description", "")).strip().split("\n")[0]
    first = (
        re.split(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.!?])\s+(?=[A-Z])", description)[0]
        .strip()
        .rstrip(".!")
        if description
        else ""
    )
    # An example in brackets ("(for example AIM301)") and what follows a semicolon are for
    # the model, not the person; the person is "you".
    first = re.sub(
        r"\s*\((?:e\.g\.|i\.e\.|for example|for instance|such as|like)[^)]*\)", "", first
    ).split(";")[0]
    first = re.sub(r",\s*named by [^,]*,", "", first)
    first = re.sub(r"\bthe (?:attendee|user|reader|customer)'s\b", "your", first)
    first = re.sub(r"\bthe (?:attendee|user|reader|customer)\b", "you", first).strip()
    if not first:
        return split_identifier(str(spec.get("name", ""))).strip().lower()
    # "Get the forecast" → "get the forecast", but an acronym ("AWS ...") keeps its case.
    return first if first[:2].isupper() else first[:1].lower() + first[1:]


def capabilities_sentence(tool_specs: list[dict[str, Any]], limit: int | None = None) -> str:
    """'I can x, y or z.' over the tools' capabilities ("" without tools).

    With ``limit``, only the first ``limit`` are said, then "and a few other things".
    """
    phrases = [p for p in dict.fromkeys(capability(s) for s in tool_specs) if p]
    if not phrases:
        return ""
    if limit is not None and len(phrases) > limit:
        return f"I can {', '.join(phrases[:limit])}, and a few other things."
    if len(phrases) == 1:
        return f"I can {phrases[0]}."
    return f"I can {', '.join(phrases[:-1])}, and {phrases[-1]}."


def item_nouns(tool_name: str) -> tuple[str, str]:
    """(singular, plural) for what a list tool returns: the plural noun in its name, or "result"."""
    for word in reversed(split_identifier(tool_name).lower().split()):
        if (
            len(word) > 3
            and word.endswith("s")
            and not word.endswith("ss")
            and word not in _NOT_NOUNS
        ):
            if word.endswith("ies"):
                return word[:-3] + "y", word
            if re.search(r"(?:ch|sh|x)es$", word):
                return word[:-2], word
            return word[:-1], word
    return "result", "results"


def is_machine_id(value: str) -> bool:
    """True for generated ids (UUIDs, hex-like tokens) that mean nothing to a person."""
    if _UUID.search(value):
        return True
    return any(_HEXISH.fullmatch(token) for token in re.split(r"[-_:/.]", value))


def criteria(
    arguments: dict[str, Any], *, generic: frozenset[str] = frozenset(), values_only: bool = False
) -> str:
    """' for "security" with day Tuesday and level 300' from a call's arguments ("" if none).

    A query of only ``generic`` words (the tool's own nouns: "sessions") says nothing and is
    left out. ``values_only`` (a lookup of one thing) gives ' for Paris and Monday'.
    """
    query: list[str] = []
    filters: list[str] = []
    for key, value in arguments.items():
        if value is None or isinstance(value, dict | bool) or "namespace" in key.lower():
            continue
        if isinstance(value, list):
            if not value or not all(isinstance(v, str | int | float) for v in value):
                continue
            value = ", ".join(str(v) for v in value)
        text = str(value).strip()
        if not text or len(text) > 80 or is_machine_id(text):
            continue
        if isinstance(value, int | float) and _SIZE_KEY.search(key):
            continue
        if values_only:
            query.append(text)
        elif key.lower() in _QUERY_KEYS:
            if any(w not in generic for w in re.findall(r"[\w'-]+", text.lower())):
                query.append(f'"{text}"')
        else:
            filters.append(f"{split_identifier(key).lower()} {text}")
    out = f" for {join_phrases(query)}" if query else ""
    if filters:
        out += f" with {join_phrases(filters)}"
    return out


_THE_USER = re.compile(r"^(?:the\s+)?user\s+(?P<verb>[a-z']+)\b", re.IGNORECASE)
_PERSON_VERBS = {"is": "are", "was": "were", "has": "have", "does": "do", "doesn't": "don't"}


def second_person(fact: str) -> str:
    """Tell a fact to the user: "The user is into AI" becomes "You are into AI"; others stay."""
    match = _THE_USER.match(fact)
    if not match:
        return fact
    verb = match.group("verb").lower()
    if verb in _PERSON_VERBS:
        verb = _PERSON_VERBS[verb]
    elif re.search(r"(?:ch|sh|ss|x|o)es$", verb):
        verb = verb[:-2]
    elif verb.endswith("ies") and len(verb) > 4:
        verb = verb[:-3] + "y"
    elif verb.endswith("s") and not verb.endswith("ss"):
        verb = verb[:-1]
    return f"You {verb}{fact[match.end() :]}"


_HISTORY_PREFIX = re.compile(
    r"^\s*(?:earlier\s+)?session\s+\S+?(?:\s*\((?P<when>[^)]*)\))?\s*:\s*", re.IGNORECASE
)


def history_text(line: str) -> str:
    """A history line without the raw session id it is keyed by ("(2026-12-07) ..." at most)."""
    match = _HISTORY_PREFIX.match(line)
    if not match:
        return line.strip()
    rest = line[match.end() :].strip()
    when = (match.group("when") or "").strip()
    return f"({when}) {rest}" if when and rest else rest


def last_time(text: str) -> str:
    """Say "Last time you asked ..." for a summary written as "You asked ..." (else quote it)."""
    if re.match(r"you\b", text, re.IGNORECASE):
        return f"Last time {text[:1].lower()}{text[1:]}"
    return f"Here's what I have from our last conversation: {text}"
