"""The offline summary strategy's sentence: what was discussed and which sessions came up.

Written to the user, as the assistant would recall it: "You asked for hands-on generative AI and
security sessions on Tuesday; I suggested AIM334 and SEC212." Built only from what the session
holds: the preference candidates of the user's messages, the topics and formats of their
requests, the weekdays they named and the session codes the assistant's replies cited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ._lexicon import FORMAT_LEXICON, TOPIC_LEXICON, categories_of

__all__ = ["summary_sentence"]

# How a category reads in a sentence (the rest read as their slug with spaces).
_LABELS = {
    "generative-ai": "generative AI",
    "iot": "IoT",
    "mlops": "MLOps",
    "devops": "DevOps",
    "cost": "cost optimisation",
    "deep-dive": "deep-dive",
    "beginner": "beginner-level",
    "hands-on": "hands-on",
}
_REQUEST = re.compile(
    r"\?|\b(?:find|recommend|suggest|show|looking\s+for|need|want|help|can\s+you|could\s+you|"
    r"please|plan|book|search|which|what)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|no\s+longer|don'?t|do\s+not|never|nothing|avoid|without|except|hate|dislike)\b",
    re.IGNORECASE,
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY = re.compile(r"\b(" + "|".join(_DAYS) + r")\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_MAX_CODES = 5
_GIST = 100


def _label(category: str) -> str:
    return _LABELS.get(category, category.replace("-", " "))


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _gist(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _GIST else text[: _GIST - 1].rstrip() + "…"


def summary_sentence(
    user_texts: Sequence[str],
    preferences: Sequence[Mapping[str, Any]],
    sessions: Sequence[Mapping[str, str]],
) -> str:
    """One or two sentences saying what the user asked or told, and which sessions came up.

    ``preferences`` are the preference candidates' contents (``polarity``, ``categories``) of the
    user's messages; ``sessions`` the codes (and titles) cited in the assistant's replies.
    """
    liked: list[str] = []
    avoided: list[str] = []
    for pref in preferences:
        bucket = avoided if pref.get("polarity") == "negative" else liked
        bucket += [str(c) for c in pref.get("categories") or () if str(c) not in bucket]
    asked: list[str] = []
    requests: list[str] = []
    days: list[str] = []
    for text in user_texts:
        for sentence in _SENTENCE.split(text):
            if not sentence.strip():
                continue
            days += [d.capitalize() for d in _DAY.findall(sentence) if d.capitalize() not in days]
            negated = bool(_NEGATED.search(sentence))
            if _REQUEST.search(sentence):
                requests.append(sentence.strip())
                if not negated:
                    asked += [c for c in categories_of(sentence) if c not in asked]
            elif not negated:
                # A format said in passing ("..., and I prefer hands-on sessions") still counts.
                asked += [
                    c for c in categories_of(sentence) if c in FORMAT_LEXICON and c not in asked
                ]
    wanted = [c for c in dict.fromkeys(asked + liked) if c not in avoided]
    topics = [_label(c) for c in wanted if c in TOPIC_LEXICON]
    formats = [_label(c) for c in wanted if c in FORMAT_LEXICON]
    on_days = f" on {_join(days)}" if days else ""
    parts: list[str] = []
    if requests and (topics or formats):
        parts.append(
            f"you asked for {' '.join([*formats, _join(topics)]).strip()} sessions{on_days}"
        )
    elif requests and days:
        parts.append(f"you asked for sessions{on_days}")
    elif requests:
        parts.append(f'you asked "{_gist(requests[0])}"')
    elif topics:
        parts.append(f"you told me you're interested in {_join(topics)}")
        if formats:
            parts[-1] += f", preferably {_join(formats)} sessions"
    elif formats:
        parts.append(f"you told me you prefer {_join(formats)} sessions")
    if avoided:
        parts.append(f"you'd rather avoid {_join([_label(c) for c in avoided])}")
    said = ", and ".join(parts)
    codes = [s["code"] for s in sessions if s.get("code")]
    if codes:
        shown = codes[:_MAX_CODES]
        more = len(codes) - len(shown)
        cited = _join(shown + ([f"{more} more"] if more else []))
        said = f"{said}; I suggested {cited}" if said else f"I suggested {cited}"
    if not said:
        return ""
    return said[:1].upper() + said[1:] + "."
