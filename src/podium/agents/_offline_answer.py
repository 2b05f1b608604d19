"""Offline answers: greetings, memory questions, "cannot help", and grounded answers from tool results.

Every sentence is built from what the user said, the memory context and the tool results; nothing
is invented. Answers read as a person would write them: no tool names, argument names,
namespaces or generated ids (``_offline_phrasing``). Answers from tool results cite each item's
human-readable id (``[AIM301]``) and end with a ``Sources:`` line so the UI and tests can check
grounding.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from podium.agents._offline_phrasing import (
    capabilities_sentence,
    capability,
    criteria,
    history_text,
    is_machine_id,
    item_nouns,
    last_time,
    second_person,
)
from podium.agents._offline_text import (
    STOPWORDS,
    MemoryContext,
    UserFacts,
    join_phrases,
    phrase_in,
    split_identifier,
    stems,
    words,
)

__all__ = [
    "ToolOutcome",
    "acknowledgement",
    "cannot_help_reply",
    "greeting_reply",
    "memory_question_kind",
    "memory_reply",
    "missing_arguments_reply",
    "small_talk_reply",
    "strip_greeting",
    "tool_outcome_reply",
]

_GREETING_RE = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|howdy|greetings|yo|good\s+(?:morning|afternoon|evening|day))\b"
    r"(?:\s+(?:there|all|everyone|again))?[\s,!.:;-]*",
    re.IGNORECASE,
)
_MEETING_RE = re.compile(r"\b(?:nice|pleased|glad) to meet you\b[\s,!.]*", re.IGNORECASE)
_MEMORY_NAME_RE = re.compile(
    r"\b(?:who am i|what(?:'s|’s| is) my name|do you (?:know|remember) (?:me|my name|who i am))\b",
    re.IGNORECASE,
)
_MEMORY_PROFILE_RE = re.compile(
    r"\b(?:what do you (?:know|remember) about me|what have i told you|tell me about myself|"
    r"what (?:are|were) my (?:interests|preferences))\b",
    re.IGNORECASE,
)
_MEMORY_HISTORY_RE = re.compile(
    r"\b(?:what did (?:we|i|you) (?:talk|discuss|chat|speak|say)|last time|do you remember|"
    r"remember (?:me|my|what|when|that|our)|(?:earlier|previous|past|last) (?:conversation|chat|"
    r"session|discussion)s?|what have we (?:discussed|talked about)|have we (?:met|talked|spoken))",
    re.IGNORECASE,
)
_ID_KEYS = ("code", "id", "isbn", "sku", "slug", "key", "ref", "reference")
_TITLE_KEYS = ("title", "name", "headline", "label", "subject")
_PREFERRED_FIELDS = (
    "day", "date", "start", "start_time", "time", "end", "room", "location", "venue", "level",
    "type", "session_type", "format", "track", "topic", "category", "genre", "author", "speaker",
    "speakers", "city", "cuisine",
)  # fmt: skip
_SKIPPED_FIELDS = frozenset(
    """description abstract text content body summary score distance embedding vector url uri
    chunk snippet excerpt""".split()  # noqa: SIM905
)
_LIST_KEYS = (
    "results", "items", "sessions", "records", "data", "hits", "matches", "documents", "entries",
    "rows", "retrievalresults", "chunks",
)  # fmt: skip
_NESTED_SKIPPED = frozenset(("location", "content", "highlights", "embedding"))
_SHORT = 40
_FALLBACK_REASON = "closest match for your request"


@dataclass(kw_only=True)
class ToolOutcome:
    """One tool call and what came back: what the grounded answer is written from."""

    name: str
    arguments: dict[str, Any]
    status: str
    content: list[dict[str, Any]]
    terms: list[str] = field(default_factory=list)


# --- small talk and greetings -------------------------------------------------------------------


def strip_greeting(text: str) -> tuple[bool, str]:
    """Split a leading greeting ("hi", "good morning") off ``text``: ``(greeted, rest)``."""
    match = _GREETING_RE.match(text)
    rest = text[match.end() :] if match else text
    meeting = _MEETING_RE.search(rest)
    if meeting:
        rest = rest[: meeting.start()] + rest[meeting.end() :]
    return bool(match or meeting), rest


def _article(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeiou" else "a"


def _about_you(profile: UserFacts) -> list[str]:
    parts: list[str] = []
    if profile.role and profile.employer:
        parts.append(f"you work as {_article(profile.role)} {profile.role} at {profile.employer}")
    elif profile.role:
        parts.append(f"you work as {_article(profile.role)} {profile.role}")
    elif profile.employer:
        parts.append(f"you work at {profile.employer}")
    if profile.interests:
        parts.append(f"you're interested in {join_phrases(profile.interests)}")
    if profile.preferences:
        prefs = [re.sub(r"^(?:to\s+)?", "", p) for p in profile.preferences]
        parts.append(f"you prefer {join_phrases(prefs)}")
    if profile.dislikes:
        parts.append(f"you'd rather avoid {join_phrases(profile.dislikes)}")
    return parts


def acknowledgement(intro: UserFacts, known: UserFacts, *, greeted: bool) -> str:
    """The opening that reflects back what the user just said about themselves ("" if nothing)."""
    if intro.name:
        opening = f"Nice to meet you, {intro.name}!"
    elif known.name and (greeted or not intro.empty):
        opening = f"Nice to meet you again, {known.name}!"
    elif greeted:
        opening = "Hello!"
    elif not intro.empty:
        opening = "Thanks for telling me about yourself!"
    else:
        return ""
    parts = _about_you(intro)
    if not parts:
        return opening
    sentence = "; ".join(parts)
    return f"{opening} {sentence[:1].upper()}{sentence[1:]}. I'll keep that in mind."


def greeting_reply(
    intro: UserFacts, known: UserFacts, *, greeted: bool, tool_specs: list[Any]
) -> str:
    """Answer a greeting or self-introduction, reflecting back what the user said.

    What the assistant can do is said in one sentence of plain words (from the tools'
    descriptions), never as a list of tool names.
    """
    opening = acknowledgement(intro, known, greeted=greeted) or "Hello!"
    # A greeting is not a manual: the first couple of things, not the whole tool list.
    can = capabilities_sentence(tool_specs, limit=2)
    if not can:
        return f"{opening} How can I help?"
    invite = (
        " Tell me what you're interested in and I'll keep it in mind."
        if intro.empty and known.empty
        else ""
    )
    return f"{opening} {can}{invite} How can I help?"


def small_talk_reply(text: str) -> str | None:
    """A short answer to thanks / goodbye / how-are-you, or None when ``text`` is not small talk."""
    lowered = " ".join(words(text))
    if re.search(r"\b(?:thanks|thank you|thx|cheers|much appreciated)\b", lowered):
        return "You're welcome! Anything else I can help with?"
    if re.search(r"\b(?:bye|goodbye|see you|see ya|good night)\b", lowered):
        return "Goodbye! Come back any time."
    if re.search(r"\bhow are you\b|\bhow's it going\b|\bhow are things\b", lowered):
        return "I'm running fine in offline mode, thanks for asking. How can I help?"
    if lowered in {"ok", "okay", "cool", "great", "nice", "got it", "sure", "yes", "no"}:
        return "Okay! Let me know if you need anything else."
    return None


def cannot_help_reply(tool_specs: list[dict[str, Any]]) -> str:
    """Say plainly that the request is out of reach, and list what the tools can do."""
    if not tool_specs:
        return (
            "I can't help with that offline: I have no tools for it, and without a language "
            "model I can only handle greetings and questions about what you've told me."
        )
    return f"I can't help with that offline. {capabilities_sentence(tool_specs)}"


def missing_arguments_reply(spec: dict[str, Any], missing: list[str], prefix: str = "") -> str:
    """Ask for the required arguments the message did not give."""
    schema = spec.get("inputSchema", {})
    props = schema.get("json", schema).get("properties", {}) if isinstance(schema, dict) else {}
    asks = []
    for name in missing:
        description = str(props.get(name, {}).get("description", "")).strip().rstrip(".")
        plain = split_identifier(name).lower()
        asks.append(f"{plain} ({description})" if description else plain)
    body = (
        f"To {capability(spec) or 'do that'}, I need the {join_phrases(asks)}. Could you tell me?"
    )
    return f"{prefix}\n\n{body}" if prefix else body


# --- memory -------------------------------------------------------------------------------------


def memory_question_kind(text: str) -> str | None:
    """Which memory ``text`` asks about: "name", "profile", "history", or None."""
    if _MEMORY_NAME_RE.search(text):
        return "name"
    if _MEMORY_PROFILE_RE.search(text):
        return "profile"
    if _MEMORY_HISTORY_RE.search(text):
        return "history"
    return None


def memory_reply(kind: str, context: MemoryContext, known: UserFacts) -> str:
    """Answer a memory question from the parsed memory context, or say there is no record."""
    facts = [second_person(item.text) for item in context.profile]
    if kind == "name":
        if known.name:
            return f"Yes — you're {known.name}." + (
                f" {_about_you(known)[0][:1].upper()}{_about_you(known)[0][1:]}."
                if _about_you(known)
                else ""
            )
        return "I don't know your name yet. Tell me and I'll remember it."
    if kind == "profile":
        if facts:
            return "Here's what I know about you:\n" + "\n".join(f"- {fact}" for fact in facts)
        return (
            "I don't know anything about you yet. Tell me your name, what you do and what "
            "you're interested in, and I'll keep it in mind."
        )
    earlier = [text for item in context.history if (text := history_text(item.text))]
    said = [f"You said: {text}" for role, text in context.transcript if role == "user"][-5:]
    if len(earlier) == 1 and not said:
        answer = last_time(earlier[0])
        if facts:
            answer += "\n\nWhat I know about you:\n" + "\n".join(f"- {fact}" for fact in facts)
        return answer
    lines = [f"- {text}" for text in earlier + said]
    if lines:
        answer = "Here's what I have from our earlier conversations:\n" + "\n".join(lines)
        if facts:
            answer += "\n\nWhat I know about you:\n" + "\n".join(f"- {fact}" for fact in facts)
        return answer
    if facts:
        return (
            "I have no record of our earlier conversations, but here's what I know about you:\n"
            + "\n".join(f"- {fact}" for fact in facts)
        )
    return "I have no record of earlier conversations with you."


# --- grounded answers from tool results ---------------------------------------------------------


def _payload(content: list[dict[str, Any]]) -> tuple[Any, str]:
    texts: list[str] = []
    for block in content:
        if "json" in block:
            return block["json"], ""
        if isinstance(block.get("text"), str):
            texts.append(block["text"])
    text = "\n".join(texts).strip()
    if text[:1] in "[{":
        try:
            return json.loads(text), ""
        except ValueError:
            pass
    return None, text


def _records(payload: Any) -> tuple[list[Any], bool]:
    """The result list inside ``payload`` and whether it was a list (vs one object)."""
    if isinstance(payload, list):
        return payload, True
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key.lower() in _LIST_KEYS and isinstance(value, list):
                return value, True
        for value in payload.values():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                return value, True
        return [payload], False
    return [payload], False


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int | str):
        return str(value).strip()
    if isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    return None


def _flatten_item(item: dict[str, Any]) -> dict[str, Any]:
    """Lift one level of nested fields (e.g. a retrieval result's ``metadata``) to the top.

    Where a passage sits (``location``) or its body (``content``) are not item fields to show.
    """
    flat = dict(item)
    for key, value in item.items():
        if isinstance(value, dict) and key.lower() not in _NESTED_SKIPPED:
            for inner_key, inner in value.items():
                flat.setdefault(inner_key, inner)
    return flat


def _pick(flat: dict[str, Any], keys: tuple[str, ...], limit: int) -> tuple[str, str] | None:
    lowered = {k.lower(): k for k in flat}
    for key in keys:
        if key in lowered:
            value = _scalar(flat[lowered[key]])
            if value and len(value) <= limit:
                return lowered[key], value
    return None


def _identifier(flat: dict[str, Any]) -> tuple[str, str] | None:
    """The item's id a person can look up (a code, an ISBN); generated ids are not shown."""
    found = _pick(flat, _ID_KEYS, 60)
    if found and not is_machine_id(found[1]):
        return found
    for key, value in flat.items():
        if (
            re.search(r"(?:_id|Id|_code|Code|_ref|Ref)$", key)
            and (text := _scalar(value))
            and len(text) <= 60
            and not is_machine_id(text)
        ):
            return key, text
    return None


def _internal(key: str, value: str) -> bool:
    """Fields that are plumbing, not content: namespaces, generated ids, id keys, timestamps."""
    lowered = key.lower()
    return (
        "namespace" in lowered
        or is_machine_id(value)
        or bool(re.search(r"(?:[_-]ids?|Ids?)$", key))
        or bool(re.search(r"created|updated|expir|timestamp|(?:_at|At)$", key))
        or lowered in {"id", "ids", "arn"}
        or lowered.endswith("arn")
    )


def _fields(flat: dict[str, Any], skip: set[str], limit: int) -> list[tuple[str, str]]:
    ordered = sorted(
        flat,
        key=lambda k: (
            _PREFERRED_FIELDS.index(k.lower()) if k.lower() in _PREFERRED_FIELDS else 99,
            list(flat).index(k),
        ),
    )
    out: list[tuple[str, str]] = []
    for key in ordered:
        if key in skip or key.lower() in _SKIPPED_FIELDS or isinstance(flat[key], dict):
            continue
        value = _scalar(flat[key])
        if value and len(value) <= _SHORT and not _internal(key, value):
            out.append((key, value))
        if len(out) == limit:
            break
    return out


def _gist(record: dict[str, Any], limit: int = 120) -> str:
    """An untitled item's own words: its text body (``content.text``, ``text``, ...), shortened."""
    for key, value in record.items():
        if isinstance(value, dict):
            value = next((v for v in value.values() if isinstance(v, str) and v.strip()), None)
        if (
            key.lower() in _SKIPPED_FIELDS | {"content"}
            and isinstance(value, str)
            and value.strip()
        ):
            text = " ".join(value.split())
            return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
    return ""


def _item_text(flat: dict[str, Any]) -> str:
    parts: list[str] = []
    for value in flat.values():
        if isinstance(value, dict):
            parts.extend(str(v) for v in value.values() if isinstance(v, str | int | float))
        elif isinstance(value, list):
            parts.extend(str(v) for v in value if isinstance(v, str | int | float))
        elif isinstance(value, str | int | float):
            parts.append(str(value))
    return " ".join(parts)


def _preference_options(preference: str) -> tuple[str, list[str]]:
    head = re.sub(r"\s*\(.*?\)\s*", " ", preference).strip()
    head = re.sub(r"^(?:the user\s+)?(?:prefers?|likes?|wants?)\s+", "", head, flags=re.IGNORECASE)
    inside = re.search(r"\(([^)]*)\)", preference)
    options = [o.strip() for o in re.split(r",|/|\bor\b", inside.group(1))] if inside else []
    head_words = [w for w in re.findall(r"[\w'-]+", head) if w.lower() not in STOPWORDS]
    generic = {"session", "sessions", "format", "formats", "ones", "type", "types", "content"}
    options += [w for w in head_words if w.lower() not in generic]
    return head, [o for o in options if o]


def _reason(flat: dict[str, Any], query_words: list[str], profile: UserFacts) -> str:
    item_stems = stems(_item_text(flat), synonyms=False)
    reasons: list[str] = []
    interests = [i for i in profile.interests if phrase_in(i, item_stems)]
    if interests:
        reasons.append(f"matches your interest in {join_phrases(interests)}")
    for preference in profile.preferences:
        head, options = _preference_options(preference)
        if any(phrase_in(option, item_stems) for option in options):
            reasons.append(f"fits your preference for {head}")
    covered = {s for i in interests for s in stems(i, synonyms=False)}
    terms = [
        w
        for w in query_words
        if phrase_in(w, item_stems) and stems(w, synonyms=False)[0] not in covered
    ]
    if terms:
        reasons.append("mentions " + join_phrases([f'"{t}"' for t in dict.fromkeys(terms)]))
    avoided = [d for d in profile.dislikes if phrase_in(d, item_stems)]
    if avoided:
        reasons.append(f"note: you said you'd rather avoid {join_phrases(avoided)}")
    return "; ".join(r.rstrip(" .") for r in reasons) if reasons else _FALLBACK_REASON


def _error_reply(outcome: ToolOutcome) -> str:
    _, text = _payload(outcome.content)
    detail = re.sub(r"^Error:\s*", "", text or "no details were given").strip()
    detail = detail.splitlines()[0][:300].rstrip(".") if detail else "no details were given"
    # An exception's class name ("RuntimeError - ...") is plumbing, not part of the reason.
    detail = re.sub(r"^\w*(?:Error|Exception)\s*[-:]\s*", "", detail) or detail
    return (
        f"Sorry, I couldn't get that done: {detail}. "
        "Please try again in a moment, or rephrase your request."
    )


def _single_reply(outcome: ToolOutcome, record: Any) -> tuple[str, list[str]]:
    if not isinstance(record, dict):
        return f"Here is what I found: {_scalar(record) or json.dumps(record)[:300]}", []
    error = record.get("error")
    if isinstance(error, str) and set(record) <= {"error", "message", "detail", "status", "code"}:
        # A tool that reports a miss as data ({"error": "no session with code X"}).
        return f"Sorry, {error.strip().rstrip('.')}.", []
    flat = _flatten_item(record)
    ident, title = _identifier(flat), _pick(flat, _TITLE_KEYS, 120)
    skip = {pair[0] for pair in (ident, title) if pair}
    head = " ".join(x for x in (f"[{ident[1]}]" if ident else "", title[1] if title else "") if x)
    asked = criteria(outcome.arguments, values_only=True)
    lines = ["Here are the details:" if head else f"Here is what I found{asked}:"]
    if head:
        lines.append(head)
    lines += [f"- {split_identifier(k)}: {v}" for k, v in _fields(flat, skip, 8)]
    long_text = next(
        (str(v) for k, v in flat.items() if k.lower() in _SKIPPED_FIELDS and isinstance(v, str)),
        "",
    )
    if long_text:
        lines.append(long_text if len(long_text) <= 300 else long_text[:297].rstrip() + "...")
    return "\n".join(lines), [ident[1]] if ident else []


def _list_reply(
    outcome: ToolOutcome, records: list[Any], profile: UserFacts, limit: int
) -> tuple[str, list[str]]:
    singular, plural = item_nouns(outcome.name)
    asked = criteria(outcome.arguments, generic=frozenset((singular, plural)) | STOPWORDS)
    interests = " ".join(profile.interests).lower()
    if interests and any(
        isinstance(v, str) and v.lower() == interests for v in outcome.arguments.values()
    ):
        # An open request searched on the attendee's own interests: say so, not the query.
        asked = " that fit what you've told me"
    if not records:
        return (
            f"I couldn't find any {plural}{asked}. "
            "Try broadening the request: fewer filters or more general words.",
            [],
        )
    shown = records[:limit]
    if len(records) > len(shown) == 1:
        intro = f"Here is the best of the {len(records)} {plural}"
    elif len(records) > len(shown):
        intro = f"Here are the top {len(shown)} of the {len(records)} {plural}"
    else:
        intro = (
            f"Here is the one {singular}"
            if len(shown) == 1
            else f"Here are the {len(shown)} {plural}"
        )
    lines = [f"{intro} I found{asked}:"]
    cited: list[str] = []
    query_words = outcome.terms
    matched = relaxed = False
    for index, record in enumerate(shown, start=1):
        if not isinstance(record, dict):
            lines.append(f"{index}. {_scalar(record) or json.dumps(record)[:200]}")
            continue
        flat = _flatten_item(record)
        ident, title = _identifier(flat), _pick(flat, _TITLE_KEYS, 120)
        skip = {pair[0] for pair in (ident, title) if pair}
        details = ", ".join(f"{split_identifier(k)}: {v}" for k, v in _fields(flat, skip, 4))
        head = " ".join(
            x
            for x in (
                f"[{ident[1]}]" if ident else "",
                title[1] if title else _gist(record),
                f"({details})" if details else "",
            )
            if x
        )
        # The tool's own account of why it picked the item, when it gives one, is the reason.
        given = [str(w).rstrip(" .") for w in record.get("why") or [] if isinstance(w, str)]
        reason = _reason(flat, query_words, profile)
        matched = matched or reason != _FALLBACK_REASON
        if given:
            reason = "; ".join(given)
            relaxed = relaxed or any("although" in w for w in given)
        lines.append(f"{index}. {head}")
        lines.append(f"   Why: {reason}.")
        if ident:
            cited.append(ident[1])
    if not matched and query_words:
        quoted = join_phrases([f'"{w}"' for w in query_words])
        lines.insert(1, f"None of these mention {quoted} directly; this is what came closest.")
    if relaxed:
        lines.insert(
            1,
            "Too few meet everything you asked for, so I relaxed one constraint for some of "
            "them (each says which).",
        )
    return "\n".join(lines), cited


def tool_outcome_reply(
    outcomes: list[ToolOutcome], *, profile: UserFacts, max_results: int, prefix: str = ""
) -> str:
    """Compose the grounded answer from tool outcomes, citing item ids and giving reasons."""
    sections: list[str] = [prefix] if prefix else []
    cited: list[str] = []
    for outcome in outcomes:
        if outcome.status == "error":
            sections.append(_error_reply(outcome))
            continue
        payload, text = _payload(outcome.content)
        if payload is None:
            lines = [line.strip() for line in text.splitlines() if line.strip()][:8]
            body = "\n".join(line[:200] for line in lines)
            if not body:
                sections.append("I looked, but there was nothing to show.")
            elif len(lines) <= 4 and all(line[-1:] in ".!?" for line in lines):
                sections.append(body)  # the tool already answered in sentences: say it as is
            else:
                sections.append(f"Here is what I found:\n{body}")
            continue
        records, is_list = _records(payload)
        if is_list:
            section, ids = _list_reply(outcome, records, profile, max_results)
        else:
            section, ids = _single_reply(outcome, records[0])
        sections.append(section)
        cited += [i for i in ids if i not in cited]
    if cited:
        sections.append("Sources: " + ", ".join(f"[{i}]" for i in cited))
    return "\n\n".join(sections)
