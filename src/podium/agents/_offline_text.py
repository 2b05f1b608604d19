"""Text helpers shared by the offline model: tokens, the memory-context format, self-introductions.

The offline model has no language model, so everything it "understands" goes through these small,
deterministic functions. They are deliberately generic: nothing here knows about conferences.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

__all__ = [
    "HISTORY_TAG",
    "PROFILE_TAG",
    "STOPWORDS",
    "MemoryContext",
    "MemoryItem",
    "UserFacts",
    "content_stems",
    "extract_introduction",
    "join_phrases",
    "parse_memory_context",
    "phrase_in",
    "profile_from_memory",
    "render_memory_context",
    "split_identifier",
    "stem",
    "stems",
    "words",
]

PROFILE_TAG = "user_profile"
HISTORY_TAG = "conversation_history"

_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

# Verbs people use to ask for information all route to one token so that "recommend", "attend"
# and "show" each match a tool called ``search_*`` or ``find_*``.
_SYNONYM_GROUPS: dict[str, tuple[str, ...]] = {
    "search": (
        "search", "find", "recommend", "recommendation", "suggest", "suggestion", "attend",
        "show", "list", "lookup", "look", "browse", "discover", "query", "retrieve", "explore",
        "locate", "seek",
    ),
    "detail": ("detail", "info", "information", "describe", "description", "explain"),
    "weather": ("weather", "forecast", "temperature", "rain", "sunny", "snow", "wind", "climate"),
    "convert": ("convert", "conversion", "converter", "transform"),
    "session": ("session", "talk", "presentation", "lecture"),
    "recipe": ("recipe", "dish", "meal", "cook", "cooking"),
}  # fmt: skip
_SYNONYMS = {word: canon for canon, group in _SYNONYM_GROUPS.items() for word in group}

STOPWORDS = frozenset(
    """a an the i me my mine myself you your yours we us our it its this that these those is
    are was were be been being am do does did doing have has had can could would should will
    shall may might must of on in at to from with by about for as into onto over under and
    or but so if then than too very just also really please what which who whom whose when
    where why how there here any some all more most other else such no not only own same few
    each both i'm i'd i'll i've what's there's let's it's that's don't doesn't isn't aren't
    can't won't tell give get got go going want wanna need like love know help good best
    great nice cool interesting anything something thing things stuff kind sort maybe lot
    lots one ones up out use using tool tools return returns returned given via e g eg etc""".split()  # noqa: SIM905
)


def words(text: str) -> list[str]:
    """Lower-cased word tokens of ``text`` (letters and digits; inner apostrophes kept)."""
    return [w.lower().replace("’", "'") for w in _WORD_RE.findall(text)]


def split_identifier(name: str) -> str:
    """Turn ``search_sessions`` / ``getForecast`` / ``builders-session`` into plain words."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return re.sub(r"[_\-./:]+", " ", spaced)


def _strip_suffix(word: str) -> str:
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def stem(word: str, *, synonyms: bool = True) -> str:
    """A light, deterministic stem; with ``synonyms`` request verbs collapse onto one token."""
    word = word.lower()
    if synonyms and word in _SYNONYMS:
        return _SYNONYMS[word]
    base = _strip_suffix(word)
    return _SYNONYMS.get(base, base) if synonyms else base


def stems(text: str, *, synonyms: bool = True) -> list[str]:
    """Stems of every word in ``text``, in order (stopwords included)."""
    return [stem(w, synonyms=synonyms) for w in words(text)]


def content_stems(text: str) -> list[str]:
    """Stems of the meaningful words of ``text`` (stopwords dropped), in order, without repeats."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        seen.setdefault(stem(word), None)
    return list(seen)


def phrase_in(phrase: str, text_stems: list[str]) -> bool:
    """Whether the stemmed words of ``phrase`` occur contiguously in ``text_stems`` (no synonyms)."""
    needle = [s for s in stems(phrase, synonyms=False) if s not in STOPWORDS] or stems(
        phrase, synonyms=False
    )
    if not needle:
        return False
    n = len(needle)
    return any(text_stems[i : i + n] == needle for i in range(len(text_stems) - n + 1))


def join_phrases(items: list[str]) -> str:
    """``["a"]`` → "a"; ``["a", "b"]`` → "a and b"; ``["a", "b", "c"]`` → "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- memory context -----------------------------------------------------------------------------


@dataclass(kw_only=True, frozen=True)
class MemoryItem:
    """One ``- kind: text`` line of a memory block (``kind`` is "" when the line has none)."""

    kind: str
    text: str


@dataclass(kw_only=True)
class MemoryContext:
    """What the memory hooks put in the system prompt, parsed back."""

    profile: list[MemoryItem] = field(default_factory=list)
    history: list[MemoryItem] = field(default_factory=list)
    transcript: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when there is neither a profile nor any history."""
        return not (self.profile or self.history or self.transcript)


_TRANSCRIPT_RE = re.compile(r"^(user|assistant)\s*:\s*(.+)$", re.IGNORECASE)
_KIND_RE = re.compile(r"^([A-Za-z][A-Za-z _-]{0,24}):\s+(.+)$")


def _clean_line(line: str) -> str:
    # One item per line, and an item must never be able to close (or open) a memory block.
    untagged = re.sub(rf"</?\s*(?:{PROFILE_TAG}|{HISTORY_TAG})\s*>", " ", line)
    return " ".join(untagged.split())


def render_memory_context(profile_lines: list[str], history_lines: list[str]) -> str:
    """Render long-term profile facts and conversation history as tagged system-prompt blocks.

    Each line becomes a ``- `` bullet (``kind: text`` by convention, e.g. ``preference: ...``);
    transcript lines starting with ``user:``/``assistant:`` are kept as they are. Empty lists
    give no block; both empty give "".
    """
    blocks: list[str] = []
    for tag, lines in ((PROFILE_TAG, profile_lines), (HISTORY_TAG, history_lines)):
        body: list[str] = []
        for raw in lines:
            line = _clean_line(raw)
            if not line:
                continue
            if _TRANSCRIPT_RE.match(line) or line.startswith("- "):
                body.append(line)
            else:
                body.append("- " + line)
        if body:
            blocks.append(f"<{tag}>\n" + "\n".join(body) + f"\n</{tag}>")
    return "\n".join(blocks)


def _block(text: str, tag: str) -> list[str]:
    lines: list[str] = []
    for match in re.finditer(rf"<{tag}>(.*?)(?:</{tag}>|\Z)", text, re.DOTALL):
        lines.extend(line.strip() for line in match.group(1).splitlines() if line.strip())
    return lines


def _item(line: str) -> MemoryItem:
    body = line[1:].strip() if line[:1] in "-*•" else line
    body = _json_record_text(body)
    kind_match = _KIND_RE.match(body)
    if kind_match:
        return MemoryItem(
            kind=kind_match.group(1).strip().lower(), text=kind_match.group(2).strip()
        )
    return MemoryItem(kind="", text=body)


def _json_record_text(body: str) -> str:
    """A user-preference record in AgentCore's JSON form as its sentence and its categories."""
    if not body.startswith("{"):
        return body
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict) or not isinstance(data.get("preference"), str):
        return body
    categories = [str(c) for c in data.get("categories") or [] if isinstance(c, str | int)]
    return data["preference"] + (f" (categories: {', '.join(categories)})" if categories else "")


def _untagged_profile(system_prompt: str) -> list[str]:
    """Bullet lines of a system prompt without Podium's tags: how other apps inject memories."""
    return [
        line.strip()
        for line in system_prompt.splitlines()
        if line.strip()[:2] in ("- ", "* ", "• ")
    ]


def parse_memory_context(system_prompt: str | None) -> MemoryContext:
    """Parse the ``<user_profile>``/``<conversation_history>`` blocks out of a system prompt.

    A prompt without those blocks (an app not written for Podium, such as one that lists the
    records ``search_long_term_memories`` returned) has its bullet lines read as the profile;
    records in AgentCore's JSON form read as their sentence and categories.
    """
    context = MemoryContext()
    if not system_prompt:
        return context
    tagged = f"<{PROFILE_TAG}>" in system_prompt or f"<{HISTORY_TAG}>" in system_prompt
    lines = _block(system_prompt, PROFILE_TAG) if tagged else _untagged_profile(system_prompt)
    context.profile = [_item(line) for line in lines]
    for line in _block(system_prompt, HISTORY_TAG):
        turn = _TRANSCRIPT_RE.match(line)
        if turn:
            context.transcript.append((turn.group(1).lower(), turn.group(2).strip()))
        else:
            context.history.append(_item(line))
    return context


# --- who the user is ----------------------------------------------------------------------------


@dataclass(kw_only=True)
class UserFacts:
    """What the user told us about themselves (this turn, or from long-term memory)."""

    name: str = ""
    role: str = ""
    employer: str = ""
    interests: list[str] = field(default_factory=list)
    preferences: list[str] = field(default_factory=list)
    dislikes: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing about the user is known."""
        return not (
            self.name
            or self.role
            or self.employer
            or self.interests
            or self.preferences
            or self.dislikes
        )

    def merged_with(self, newer: UserFacts) -> UserFacts:
        """This profile updated with what ``newer`` says (newer wins; lists are unioned)."""

        def union(old: list[str], new: list[str]) -> list[str]:
            out = list(new)
            out += [x for x in old if x.lower() not in {y.lower() for y in new}]
            return out

        return UserFacts(
            name=newer.name or self.name,
            role=newer.role or self.role,
            employer=newer.employer or self.employer,
            interests=union(self.interests, newer.interests),
            preferences=union(self.preferences, newer.preferences),
            dislikes=union(self.dislikes, newer.dislikes),
        )


_NOT_NAMES = frozenset(
    """interested looking here back new not also the a an from in at on just so very really
    sure fine good great ok okay happy glad curious working trying going into keen
    passionate currently still based attending planning hoping thinking wondering""".split()  # noqa: SIM905
)
_PHRASE_END = (
    r"(?=\s*(?:[.;!?—–\n(]|,?\s+(?:and|but|so|because)\s+(?:i|i'm|i’m|my|what|which|can|could|"
    r"please|do|would|also|any)\b|,\s*(?:what|which|can|could|please|do|would|any|so|but)\b|$))"
)
_PHRASE = r"([^.;!?—–\n(]+?)" + _PHRASE_END
_EMPLOYER = r"(?-i:([A-Z](?:[\w&'’-]|\.(?=\w))*(?:[ \t]+[A-Z](?:[\w&'’-]|\.(?=\w))*){0,3}))"
_ROLE = r"((?:(?!(?:at|for|with|and|in|from|but|so|who|working)\b)[A-Za-z][\w/&+-]*\s*){1,5})"

_NAME_PATTERNS = [
    re.compile(r"\bmy name(?:'s|’s| is)\s+([A-Za-z][\w'’-]*)", re.IGNORECASE),
    re.compile(r"\bcall me\s+([A-Za-z][\w'’-]*)", re.IGNORECASE),
    re.compile(r"\b(?:I'm|I’m|I am|this is|it's|it’s)\s+(?-i:([A-Z][a-z'’-]+))\b", re.IGNORECASE),
]
_ROLE_PATTERNS = [
    re.compile(
        r"\bI\s+(?:work|am working|'m working|’m working)\s+as\s+(?:an?\s+)?"
        + _ROLE
        + r"(?:\s*(?:at|for|with)\s+"
        + _EMPLOYER
        + r")?",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:\bI'm|\bI’m|\bI am|,)\s+(?:an?)\s+"
        + _ROLE
        + r"(?:\s*(?:at|for|with)\s+"
        + _EMPLOYER
        + ")?",
        re.IGNORECASE,
    ),
]
_EMPLOYER_PATTERN = re.compile(r"\bI\s+work\s+(?:at|for|with)\s+" + _EMPLOYER, re.IGNORECASE)
_INTEREST_PATTERN = re.compile(
    r"\b(?:I(?:'m|’m| am)\s+(?:really\s+|very\s+|mostly\s+|especially\s+|mainly\s+)?"
    r"(?:interested in|into|passionate about|curious about|keen on|focused on)|"
    r"I\s+(?:really\s+)?(?:like|love|enjoy)|my interests (?:are|include)|I care about)\s+"
    + _PHRASE,
    re.IGNORECASE,
)
_PREFERENCE_PATTERN = re.compile(
    r"\bI(?:'d|’d| would)?\s+(?:really\s+|generally\s+|usually\s+)?(?:prefer|rather)\s+" + _PHRASE,
    re.IGNORECASE,
)
_DISLIKE_PATTERN = re.compile(
    r"\bI\s+(?:don't|don’t|do not|dont)\s+(?:like|enjoy|want)\s+"
    + _PHRASE
    + r"|\bI\s+(?:dislike|hate|avoid)\s+"
    + _PHRASE,
    re.IGNORECASE,
)
_SPLIT_RE = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*|\s*/\s*")


def _items(phrase: str) -> list[str]:
    return [p.strip(" .,'\"") for p in _SPLIT_RE.split(phrase) if p.strip(" .,'\"")]


def _role_text(raw: str) -> str:
    role = raw.strip(" ,.")
    return role if role and role.split()[0].lower() not in _NOT_NAMES else ""


def extract_introduction(text: str) -> UserFacts:
    """Find name, role, employer, interests, preferences and dislikes the user states in ``text``.

    ``spans`` records where each statement sits so callers can cut it out of the request.
    """
    profile = UserFacts()
    for pattern in _NAME_PATTERNS:
        match = pattern.search(text)
        if match and match.group(1).lower() not in _NOT_NAMES:
            profile.name = match.group(1)[:1].upper() + match.group(1)[1:]
            profile.spans.append(match.span())
            break
    for pattern in _ROLE_PATTERNS:
        match = pattern.search(text)
        if match and _role_text(match.group(1)):
            profile.role = _role_text(match.group(1))
            profile.employer = (match.group(2) or "").strip(" .,")
            profile.spans.append(match.span())
            break
    if not profile.employer:
        match = _EMPLOYER_PATTERN.search(text)
        if match:
            profile.employer = match.group(1).strip(" .,")
            profile.spans.append(match.span())
    for pattern, bucket in (
        (_INTEREST_PATTERN, profile.interests),
        (_PREFERENCE_PATTERN, profile.preferences),
        (_DISLIKE_PATTERN, profile.dislikes),
    ):
        for match in pattern.finditer(text):
            phrase = next(g for g in match.groups() if g)
            if pattern is _INTEREST_PATTERN:
                bucket.extend(_items(phrase))
            else:
                bucket.append(phrase.strip(" .,"))
            profile.spans.append(match.span())
    return profile


_NAME_FACT = re.compile(r"\b(?:name(?:'s| is|:)|called)\s+([A-Za-z][\w'’-]*)", re.IGNORECASE)
_WORK_FACT = re.compile(
    r"\bworks?\s+as\s+(?:an?\s+)?" + _ROLE + r"(?:\s*(?:at|for|with)\s+" + _EMPLOYER + ")?",
    re.IGNORECASE,
)
_CATEGORIES = re.compile(r"\((?:categories|topics|interests)\s*:\s*([^)]*)\)", re.IGNORECASE)
_INTERESTED = re.compile(r"\binterest(?:ed)?\s+in\s+([^(;.]+)", re.IGNORECASE)
_DISLIKE = re.compile(
    r"\b(?:dislikes?|avoids?|doesn't like|does not like|(?:is|are)\s+not\s+interested|"
    r"(?:is|are)\s*n't\s+interested|no\s+longer\s+interested|not\s+into|wants\s+nothing)\b",
    re.IGNORECASE,
)


def profile_from_memory(context: MemoryContext) -> UserFacts:
    """Read a :class:`UserFacts` out of the ``<user_profile>`` items of the memory context."""
    profile = UserFacts()
    for item in context.profile:
        text = item.text
        name = _NAME_FACT.search(text)
        if name and not profile.name:
            profile.name = name.group(1)[:1].upper() + name.group(1)[1:]
            continue
        work = _WORK_FACT.search(text)
        if work and not profile.role:
            profile.role = _role_text(work.group(1))
            profile.employer = (work.group(2) or "").strip(" .,")
            continue
        if _DISLIKE.search(text):
            # "The user is not interested in cost optimisation" names a topic to keep away.
            profile.dislikes.append(text)
            continue
        categories = _CATEGORIES.search(text)
        interested = _INTERESTED.search(text)
        if categories or interested or item.kind in {"interest", "interests", "topic"}:
            found = _items(categories.group(1)) if categories else []
            if not found and interested:
                found = _items(interested.group(1))
            if not found:
                found = _items(text)
            profile.interests += [
                f for f in found if f.lower() not in map(str.lower, profile.interests)
            ]
            continue
        if item.kind == "preference" or re.search(r"\bprefer", text, re.IGNORECASE):
            profile.preferences.append(text)
    return profile
