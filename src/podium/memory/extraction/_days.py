"""Availability in a clause: named days, ranges, arrivals and departures, busy days.

"I fly home Tuesday night" is Monday and Tuesday; "I get in Wednesday night" is Thursday on;
"on booth duty Monday and Tuesday, so Wednesday onwards"; "only the first three days". Reasons
("since I fly home Thursday") are set aside first, so they name no availability.
"""

from __future__ import annotations

import re

__all__ = ["DAY_NAMES", "availability_phrase", "available_days"]

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday")
_DAY_RE = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri)(?:day)?s?\b"
_DAY = re.compile(r"\b(" + _DAY_RE + r")", re.IGNORECASE)
_RANGE = re.compile(
    r"\b(?:from\s+)?(" + _DAY_RE + r")\s*(?:through|thru|to|until|till|-|–)\s*(" + _DAY_RE + r")",
    re.IGNORECASE,
)
_NOT_DAY = re.compile(
    r"\b(?:not|nothing|never|except|but\s+not|can't|cannot|won't|unavailable|off)\b[^.;,]{0,24}?\b("
    + _DAY_RE
    + r")",
    re.IGNORECASE,
)
_DAY_OUT = re.compile(
    r"\b(" + _DAY_RE + r")(?:\s+(?:is|are)|'s)\s+(?:out|off|impossible|a\s+no[- ]go|not\s+possible|"
    r"a\s+write[- ]off|a\s+wash|lost|gone|taken|booked)"
    r"|\b(" + _DAY_RE + r")\s+(?:doesn't|does\s+not|won't|will\s+not)\s+work",
    re.IGNORECASE,
)
_REASON = re.compile(r"\s*,?\s+\b(?:since|because|as\s+i|as\s+we|cause)\b.*$", re.IGNORECASE)


_UNTIL = re.compile(
    r"\b(?:fly(?:ing)?\s+(?:home|out|back)|flight\s+(?:home|out|back)\s+(?:is\s+)?(?:on\s+)?|"
    r"leav(?:e|es|ing)|head(?:ing)?\s+(?:home|out|back)|gone\s+(?:by|after)|until|till|up\s+to|"
    r"(?:have|need)\s+to\s+(?:leave|go)|out\s+of\s+here|"
    r"(?:out\s+of\s+here|gone|leaving|flying\s+(?:out|home)|home|off)\s+after)"
    r"\s+(?:on\s+)?(?:the\s+)?(" + _DAY_RE + r")",
    re.IGNORECASE,
)
#: Arriving on a day: available from it ("I get in Wednesday night", "Wednesday onwards").
_FROM = re.compile(
    r"\b(?:get(?:ting)?\s+in|arriv(?:e|ing)|land(?:ing)?|fly(?:ing)?\s+in|show(?:ing)?\s+up|"
    r"from|starting|(?P<after>after))\s+(?:on\s+)?(?:the\s+)?(?P<day>" + _DAY_RE + r")"
    r"(?P<late>\s+(?:night|evening|late))?"
    r"|\b(?P<onward>"
    + _DAY_RE
    + r")\s+(?:onwards?|on(?=\s+(?:for|is|works|i\b)|\s*$)|and\s+(?:after|later))",
    re.IGNORECASE,
)
#: Days taken by something else ("booth duty Monday and Tuesday", "kid's recital on Friday").
_BUSY = re.compile(
    r"\b(?:booth|stand|manning|staffing|duty|busy|booked|tied\s+up|stuck|meetings?|recital|wedding|appointment|offsite|"
    r"workshop\s+of\s+my\s+own|travel(?:l?ing)?|presenting|speaking)\b[^.;,]{0,30}?((?:\b"
    + _DAY_RE
    + r"(?:\s*(?:,|and|&|or)\s*)?)+)",
    re.IGNORECASE,
)
_ONLY = re.compile(r"\bonly\b[^.;]{0,40}", re.IGNORECASE)
_FIRST_DAYS = re.compile(r"\b(first|last)\s+(two|three|four|2|3|4)\s+days\b", re.IGNORECASE)
_COUNTS = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}


def _after_not_a_day(text: str, m: re.Match[str]) -> bool:
    """Whether a day name is part of "Black Friday", "Cyber Monday" and the like."""
    return any(n.end() == m.start() for n in _NOT_A_DAY.finditer(text))


def _inside(m: re.Match[str], outer: re.Match[str]) -> bool:
    return outer.start() <= m.start() < outer.end()


def _day_index(word: str) -> int:
    w = word.lower()[:3]
    return {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4}[w]


_NOT_A_DAY = re.compile(
    r"\b(?:black|cyber|good|casual|super)\s+(?=(?:mon|fri|tues|thurs)day)", re.I
)


def _named_days(text: str) -> set[int]:
    """Day indexes a phrase names, ranges ("Monday through Wednesday") expanded."""
    named = {_day_index(m.group(1)) for m in _DAY.finditer(text) if not _after_not_a_day(text, m)}
    for m in _RANGE.finditer(text):
        a, b = sorted((_day_index(m.group(1)), _day_index(m.group(2))))
        named.update(range(a, b + 1))
    return named


def available_days(clause: str) -> list[str]:
    """The days a clause says the attendee is available (empty when it names none)."""
    text = _REASON.sub("", clause)
    excluded = {_day_index(m.group(1)) for m in _NOT_DAY.finditer(text)}
    excluded |= {_day_index(m.group(1) or m.group(2)) for m in _DAY_OUT.finditer(text)}
    named = _named_days(text)
    for m in _BUSY.finditer(text):
        excluded |= {_day_index(d.group(1)) for d in _DAY.finditer(m.group(1))}
    ranges = list(_RANGE.finditer(text))
    until = list(_UNTIL.finditer(text))
    since = [m for m in _FROM.finditer(text) if not any(_inside(m, r) for r in [*ranges, *until])]
    for m in until:
        last = _day_index(m.group(1))
        named.update(range(0, last + 1))
        if re.match(r"\s*(?:morning|early)", text[m.end() :], re.IGNORECASE):
            excluded.add(last)  # gone on Thursday morning: Wednesday is the last day
    for m in since:
        if m.group("onward"):
            named.update(range(_day_index(m.group("onward")), len(DAY_NAMES)))
        else:
            # In on Wednesday night, or after Wednesday: Thursday is the first day.
            late = 1 if m.group("late") or m.group("after") else 0
            first = _day_index(m.group("day"))
            named.update(range(first + late, len(DAY_NAMES)))
            if late:
                excluded.add(first)
    if until or since:
        # Days named outside the arrival/departure phrases are what keeps them busy.
        spans = [*ranges, *until, *since]
        named -= {
            _day_index(m.group(1))
            for m in _DAY.finditer(text)
            if not any(_inside(m, r) for r in spans)
        }
    for m in _FIRST_DAYS.finditer(text):
        count = _COUNTS[m.group(2).lower()]
        first = m.group(1).lower() == "first"
        named.update(range(count) if first else range(len(DAY_NAMES) - count, len(DAY_NAMES)))
    only = [_named_days(m.group(0)) for m in _ONLY.finditer(text)]
    if any(only) and not (until or since):
        # "I can only be around Wednesday and Thursday, kid's recital on Friday": the days
        # after "only" are the whole availability.
        named = set().union(*only)
    named -= excluded
    if not named and excluded:
        named = set(range(len(DAY_NAMES))) - excluded
    return [DAY_NAMES[i] for i in sorted(named)]


def availability_phrase(clause: str) -> bool:
    """Whether the clause states an arrival or departure ("leaving Thursday morning")."""
    return bool(_UNTIL.search(clause) or _FROM.search(clause))
