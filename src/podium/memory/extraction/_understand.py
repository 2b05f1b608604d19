"""A small grammar over one user turn: clauses, negation scope, topics, formats, levels, days.

Layers, each cheap (well under a millisecond per sentence):

- **clauses**: a sentence is cut at coordinators that start a new statement (", and I", "; ",
  " but ", "so", ...), so every clause of "I like AI and security, and I prefer hands-on
  sessions" is read; reasons ("since I fly home Thursday") are set aside;
- **negation scope**: a negation or retraction cue ("not a fan of", "no longer into", "nothing to
  do with", "skip", "used to be into") makes what follows it in the clause negative;
- **lexicon spotting** (``_lexicon``) for topics and formats anywhere in a clause, so
  "Kubernetes is my daily bread" needs no trigger verb;
- **levels** from numbers ("300 or 400 level", "400-level if you have it") and words
  ("gentle introductions", "nothing too basic", "expert-level");
- **availability**: days, ranges ("Monday through Wednesday"), negated days ("not on Friday"),
  times of day ("Thursday afternoon", "mornings only").

The result is a list of :class:`Statement` values; the offline extractor turns them into
preference records whose categories carry the constraints (``day-monday``, ``level-min-300``...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ._consolidate import Candidate
from ._days import DAY_NAMES, availability_phrase, available_days
from ._extractor import Message
from ._lexicon import SUMMARY_STOPWORDS, TOPIC_LEXICON, WEAK_PHRASES

__all__ = [
    "DAY_NAMES",
    "Statement",
    "constraint_phrase",
    "content_phrase",
    "grammar_candidates",
    "self_description",
    "split_clauses",
    "spot_topics",
    "understand_sentence",
]

_CLAUSE = re.compile(
    r"\s*(?:;|,\s*(?:and|but|so|while|whereas|though|although)\s+|\s+but\s+|\s+whereas\s+|"
    r"\.\s+|\s+[—–]\s+|\s+-\s+|,\s+(?=i\b|i'm\b|i'd\b|we\b|my\b|please\b|ideally\b))",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not\s+(?:a\s+(?:big\s+|huge\s+)?fan\s+of|interested\s+in|into|keen\s+on|really\s+into)"
    r"|no\s+longer(?:\s+(?:really\s+)?(?:interested\s+in|into|keen\s+on|care\s+(?:about|for)"
    r"|a\s+fan\s+of|want|need|like|enjoy|focus(?:ed|ing)?\s+on|work(?:ing)?\s+(?:on|with)|doing))?"
    r"|nothing\s+to\s+do\s+with|nothing\s+(?:on|about|around)"
    r"|nothing\s+(?:too|overly|that)|not\s+too|no\s+(?=intro|basic|beginner)"
    r"|no\s+(?=(?:[\w/-]+\s+){1,2}(?:sessions?|talks?|content|stuff|topics?|tracks?)\b)"
    r"|(?:don't|do\s+not|dont|won't|never)\s+(?:\w+\s+){0,2}?(?:like|enjoy|want|care|need|love)"
    r"|(?:don't|do\s+not|dont|never)\s+(?:send|show|give|recommend|suggest|book|put)\s+(?:me\s+)?"
    r"|keep\s+(?:me\s+)?away\s+from|keep\s+(?=(?:[\w/-]+\s+){1,3}away\b)"
    r"|can(?:'t|not|\s+not)\s+(?:\w+\s+){0,2}?(?:hear|stand|bear|take|face)"
    r"|pass\s+on|give\s+(?:\w+\s+){0,2}a\s+miss|sit\s+(?:those|them|that|it)\s+out"
    r"|allergic\s+to|(?:so\s+)?done\s+with|moved\s+on\s+from|burned\s+out\s+on"
    r"|(?:don't|do\s+not)\s+bother|(?:is|are)\s*(?:n't|\s+not)\s+(?:really\s+)?our\s+thing"
    r"|(?:is|are)\s+(?:another|some(?:one|body)\s+else's|the\s+other)\s+team's\s+(?:problem|job)"
    r"|not\s+my\s+(?:problem|job|area|department|concern)|nothing(?=\s+\w)"
    r"|(?:skip|avoid|exclude|hate|dislike|spare\s+me|no\s+more|tired\s+of|fed\s+up\s+with"
    r"|done\s+with|bored\s+(?:of|with)|lost\s+interest\s+in|other\s+than|except(?:\s+for)?"
    r"|away\s+from\s+me|(?:is|are)\s*(?:n't|\s+not)\s+(?:really\s+)?(?:for\s+me|my\s+thing)"
    r"|leave\s+out|leave\s+(?=(?:[\w/-]+\s+){1,3}out\b)|count\s+me\s+out\s+of|rule\s+out"
    r"|stopped\s+(?:caring\s+about|being\s+(?:into|interested\s+in)|following|doing)"
    r"|(?:had|have|heard)\s+(?:had\s+)?enough\s+(?:of|about)|sick\s+of"
    r"|over\s+(?=(?:[\w/-]+\s+){0,2}(?:talks?|sessions?)\b)"
    r"|rather\s+not|stay\s+away\s+from|steer\s+clear\s+of|used\s+to\s+be\s+(?:into|interested\s+in)"
    r"|not\s+anymore))\b",
    re.IGNORECASE,
)
_TIME = {
    "morning": re.compile(r"\bmornings?\b|\bbefore\s+(?:noon|lunch)\b|\bearly\s+sessions\b", re.I),
    "afternoon": re.compile(r"\bafternoons?\b|\bafter\s+lunch\b|\bpm\b", re.I),
}
_GREETING = re.compile(r"(?:good\s+)?(?:morning|afternoon|evening)(?:\s+\w+)?(?:\s+here)?", re.I)
_LEVEL_NUMBER = re.compile(r"\b([1-4])00(?:\s*\+)?(?=\s*(?:-|\s)?\s*(?:level|or\b|and\b|\+|s\b|-\s*[1-4]00))",
                           re.IGNORECASE)  # fmt: skip
_LEVEL_WORD_NUMBER = re.compile(
    r"\blevel\s+([1-4])00\b|\b([1-4])00s?\s+(?:sessions?|talks?|stuff|content|ones)\b"
    r"|\b(?:at|above|over|past|beyond)\s+([1-4])00\b(?!\s*(?:people|users|devices|-))",
    re.I,
)
#: "the 400 sessions go right over my head": that level and above is too much.
_TOO_HARD = re.compile(
    r"\b(?:over\s+my\s+head|too\s+(?:hard|advanced|deep|technical|much)|beyond\s+me|lose\s+me|"
    r"(?:way\s+)?above\s+my\s+(?:level|pay\s*grade))\b",
    re.IGNORECASE,
)
_BOUND = re.compile(
    r"\b(above|over|beyond|past|higher\s+than|below|under|less\s+than|lower\s+than)\s+"
    r"(?:level\s+)?([1-4])00\b(?!\s*(?:people|users|devices|-bed|beds|employees|stores))",
    re.IGNORECASE,
)
_LEVEL_SPAN = re.compile(
    r"\b([1-4])00\s*(?:to|-|–|through|thru)\s*([1-4])00\b(?!\s*(?:people|users|devices|-bed))",
    re.IGNORECASE,
)
_MIDDLE = re.compile(
    r"\b(?:mid-level|mid\s+level|intermediate|middle[- ]of[- ]the[- ]road)\b", re.I
)
_BEGINNER = re.compile(
    r"\b(?:not\s+an?\s+(?:engineer|developer|techie)|beginners?|beginner-friendly|introductory|introductions?|intro\b|basics|basic|"
    r"fundamentals?|getting\s+started|gentle|new\s+to|brand\s+new|starting\s+out|101|"
    r"entry[- ]level|first\s+steps|novice|from\s+scratch|newcomers?|new\s+here|easy|simple\s+(?:material|sessions?|talks?)|never\s+(?:touched|used|tried|done|worked\s+with)|know\s+(?:very\s+)?little|"
    r"(?:fairly|pretty|quite|very|totally|completely|relatively|still)\s+new\b|"
    r"keep\s+it\s+(?:light|simple|high[- ]level)|no\s+prior\s+experience|newbie|"
    r"first\s+time\s+(?:at|here|attending)|barely\s+know|(?:don't|do\s+not)\s+know\s+much|"
    r"not\s+(?:very\s+|that\s+|super\s+|really\s+)?technical|i'?m\s+new\b|i\s+am\s+new\b|non-technical|high[- ]level|"
    r"explain\s+like|eli5)\b",
    re.IGNORECASE,
)
_EXPERT = re.compile(
    r"\b(?:expert(?:-level|\s+level)?|experts?|deepest|hardcore|guru|hardest|most\s+advanced)\b",
    re.I,
)
_ADVANCED = re.compile(
    r"\b(?:advanced|deep[- ]dives?|in[- ]depth|under\s+the\s+hood|internals|senior-level|"
    r"deep(?:ly)?\s+technical|nitty[- ]gritty|highly\s+technical|keep\s+it\s+(?:advanced|technical)|"
    r"not\s+(?:for\s+)?beginners|technical\s+depth|too\s+deep|architecture-level|serious\s+architecture|"
    r"not\s+(?:the\s+)?(?:intros?|introductions?|introductory|basics?|101)|"
    r"(?:done|did|past|beyond|know|covered|seen|through)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?"
    r"(?:intro|introductory|basic|beginner|101)\w*(?:\s+(?:stuff|material|sessions|content))?)\b",
    re.IGNORECASE,
)
_HANDS_ON = re.compile(
    r"\b(?:hands[- ]on|workshops?|labs?\b|builders?'?\s+sessions?|code\s+talks?|"
    r"learn(?:ing)?\s+(?:best\s+)?by\s+(?:doing|building|typing|coding|trying|breaking)|build(?:ing)?\s+(?:things|stuff)(?:\s+myself)?|"
    r"(?:type|code|follow|build|work)\s+along|on\s+my\s+(?:own\s+)?laptop|in\s+my\s+own\s+account|exercises|practi[cs]e\s+(?:it|them|on)|live[- ]coding|code\s+(?:being\s+)?written|"
    r"writ(?:e|es|ing)\s+(?:real\s+|actual\s+)?code|code\s+live|live\s+code|"
    r"get\s+my\s+hands\s+dirty|roll\s+up\s+my\s+sleeves|keyboard|practical\s+exercises|"
    r"build(?:ing)?\s+(?:something|it)|rather\s+(?:build|do|make|code)|than\s+(?:sit\s+and\s+)?listen|"
    r"sit\s+down\s+and\s+(?:write|build|code)|(?:show|see)\s+(?:me\s+)?(?:real|actual|some)\s+code|tinker(?:ing)?|hack(?:ing)?\s+on|"
    r"try\s+(?:things|it)\s+(?:out\s+)?myself|at\s+the\s+keyboard)",
    re.IGNORECASE,
)
_CHALK = re.compile(r"\b(?:whiteboard\w*|chalk\s+talks?|discussions?|interactive\s+q&a)\b", re.I)
_SHORT = re.compile(r"\b(?:short\s+(?:formats?|sessions?|talks?)|lightning\s+talks?|bite-sized|"
                    r"quick\s+talks?)\b", re.IGNORECASE)  # fmt: skip


_ANAPHORA = re.compile(
    r"\s*(?:those|them|these|that|it|this)(?:\s+(?:ones?|stuff|talks?|sessions?))?\s*$", re.I
)


@dataclass
class Statement:
    """What one clause says: topics liked or avoided, and the constraints it states."""

    clause: str
    topics: list[str] = field(default_factory=list)
    avoided: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the clause says nothing the profile uses."""
        return not (self.topics or self.avoided or self.constraints)


_EMPLOYER = re.compile(
    r"\b(?:at|for|with|in)\s+(?:an?|the|our|my)\s+(?:[\w&-]+\s+){0,3}$", re.IGNORECASE
)
_TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {}


def _topic_patterns() -> dict[str, re.Pattern[str]]:
    """One alternation per topic, longest phrase first (one scan per topic, not per phrase)."""
    if not _TOPIC_PATTERNS:
        for name, phrases in TOPIC_LEXICON.items():
            ordered = sorted(phrases, key=len, reverse=True)
            body = "|".join(re.escape(p) for p in ordered)
            _TOPIC_PATTERNS[name] = re.compile(r"(?<![\w-])(?:" + body + r")(?![\w-])", re.I)
    return _TOPIC_PATTERNS


def spot_topics(text: str) -> list[str]:
    """Topic categories named in ``text``, longest match first.

    A phrase inside a longer phrase of another topic does not count ("model monitoring" is
    MLOps, not observability; "release pipelines" is DevOps, not analytics).
    """
    spans: list[tuple[int, int, str]] = []
    for name, pattern in _topic_patterns().items():
        spans += [(m.start(), m.end(), name) for m in pattern.finditer(text)]
    # "a security analyst at a telecom": an industry word naming the employer is no interest.
    spans = [
        (a, b, name)
        for a, b, name in spans
        if name != "industry" or not _EMPLOYER.search(text[max(0, a - 40) : a])
    ]
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, name in spans:
        if any(a <= start and end <= b and (b - a) > (end - start) for a, b, _ in kept):
            continue
        kept.append((start, end, name))
    # An ambiguous word ("pipelines", "edge") counts only when nothing more specific is there.
    strong = {name for a, b, name in kept if text[a:b].lower() not in WEAK_PHRASES}
    found = [
        name
        for a, b, name in kept
        if name in strong or not strong or text[a:b].lower() not in WEAK_PHRASES
    ]
    return list(dict.fromkeys(found))


#: Leaving on a day: available up to it ("I fly home Tuesday night", "here until Wednesday").
def _levels(clause: str, negated: bool) -> list[str]:
    """``level-min-N`` / ``level-max-N`` categories a clause states."""
    numbers = [int(m.group(1)) * 100 for m in _LEVEL_NUMBER.finditer(clause)]
    numbers += [
        int(next(g for g in m.groups() if g)) * 100 for m in _LEVEL_WORD_NUMBER.finditer(clause)
    ]
    bound = _BOUND.search(clause)
    if bound:
        number = int(bound.group(2)) * 100
        upper = bound.group(1).lower() in ("above", "over", "beyond", "past", "higher than")
        # "nothing above 200" caps it at 200, "nothing below 300" floors it at 300; without the
        # negation, "above 200" starts at 300 and "below 300" stops at 200.
        if negated:
            return [f"level-max-{number}"] if upper else [f"level-min-{number}"]
        return (
            [f"level-min-{min(number + 100, 400)}"]
            if upper
            else [f"level-max-{max(number - 100, 100)}"]
        )
    span = _LEVEL_SPAN.search(clause)
    if span:
        low, high = sorted((int(span.group(1)) * 100, int(span.group(2)) * 100))
        return [f"level-min-{low}", f"level-max-{high}"]
    if numbers and _TOO_HARD.search(clause):
        return [f"level-max-{max(min(numbers) - 100, 100)}"]
    if numbers:
        low, high = min(numbers), max(numbers)
        if negated and high < 400:
            # "skip the 100-level stuff": everything above what was ruled out.
            return [f"level-min-{high + 100}"]
        if re.search(r"\b(?:or\s+(?:below|less|under)|at\s+most|up\s+to|max(?:imum)?)\b", clause):
            return [f"level-max-{high}"]
        if low >= 300 or re.search(r"\b(?:and\s+up|or\s+(?:above|higher|more)|at\s+least|\+)",
                                   clause):  # fmt: skip
            return [f"level-min-{low}"]
        return [f"level-max-{high}"]
    if _MIDDLE.search(clause):
        # "nothing past intermediate" caps it; "intermediate" alone is the middle band.
        return ["level-max-300"] if negated else ["level-min-200", "level-max-300"]
    if negated and _EXPERT.search(clause):
        return ["level-max-300"]  # "nothing hardcore"
    if negated and _ADVANCED.search(clause) and not _BEGINNER.search(clause):
        return ["level-max-200"]  # "nothing too advanced"
    if _EXPERT.search(clause) and not negated:
        # "advanced or expert level": the lower of the two is the floor.
        return ["level-min-300" if _ADVANCED.search(clause) else "level-min-400"]
    if _ADVANCED.search(clause) and not negated:
        return ["level-min-300"]
    if _BEGINNER.search(clause):
        # "nothing too basic", "skip anything introductory": beginner words under negation.
        return ["level-min-300"] if negated else ["level-max-200"]
    return []


def _has_number(clause: str) -> bool:
    return bool(
        _LEVEL_NUMBER.search(clause)
        or _LEVEL_WORD_NUMBER.search(clause)
        or _BOUND.search(clause)
        or _LEVEL_SPAN.search(clause)
    )


def _formats(clause: str) -> list[str]:
    out = []
    if _HANDS_ON.search(clause):
        out.append("hands-on")
    if _CHALK.search(clause):
        out.append("chalk-talk")
    if _SHORT.search(clause):
        out.append("short-format")
    return out


def split_clauses(sentence: str) -> list[str]:
    """The clauses of a sentence (coordinated statements read one by one)."""
    return [c.strip(" ,.!?") for c in _CLAUSE.split(sentence) if c and c.strip(" ,.!?")]


def understand_sentence(sentence: str) -> list[Statement]:
    """One :class:`Statement` per clause of ``sentence`` that says something."""
    out: list[Statement] = []
    # A weak word ("network" in "hospital network") names a topic only when nothing more
    # specific is said anywhere in the sentence, not just in its own clause.
    sentence_topics = set(spot_topics(sentence))
    clauses = split_clauses(sentence)
    numeric = any(_has_number(c) and _levels(c, negated=False) for c in clauses)
    for clause in clauses:
        statement = Statement(clause=clause)
        negation = _NEGATION.search(clause)
        level_only = bool(negation and _BEGINNER.match(clause[negation.end() :].lstrip()))
        # Topics before the cue stay positive ("AI is fine but not security"); after it, negative.
        before = clause[: negation.start()] if negation else clause
        after = clause[negation.end() :] if negation else ""
        topics_before = spot_topics(before)
        topics_after = spot_topics(after)
        if level_only:
            # "nothing too basic on security": the negation is about the level, not the topic.
            topics_before, topics_after = topics_before + topics_after, []
        elif negation and not topics_after:
            # "Security is something I no longer care about": the cue follows its object.
            topics_after, topics_before = topics_before, []
        if negation and not topics_before and not topics_after and out and _ANAPHORA.match(after):
            # "every other talk is about LLMs now - I'd rather skip those": the pronoun's
            # topics are the previous clause's.
            topics_after, out[-1].topics = out[-1].topics, []
        statement.topics = [t for t in topics_before if t in sentence_topics]
        statement.avoided = [
            t for t in topics_after if t not in topics_before and t in sentence_topics
        ]
        formats = _formats(clause)
        if negation and formats and _HANDS_ON.search(after):
            formats = [f for f in formats if f != "hands-on"]
        statement.constraints += formats
        levels = _levels(clause, negated=negation is not None)
        if numeric and not _has_number(clause):
            # "new to AI, so middle of the road: 200 to 300": the numbers say it exactly.
            levels = []
        statement.constraints += levels
        statement.constraints += [f"day-{d}" for d in available_days(clause)]
        if not _GREETING.fullmatch(clause) and not availability_phrase(clause):
            statement.constraints += [name for name, rx in _TIME.items() if rx.search(clause)]
        if not statement.empty:
            out.append(statement)
    return out


_TOPIC_NAMES = {
    "generative-ai": "generative AI", "mlops": "MLOps", "iot": "IoT", "devops": "DevOps",
    "cost": "cost optimisation",
}  # fmt: skip
_DAY_TITLES = {f"day-{d}": d.capitalize() for d in DAY_NAMES}


def constraint_phrase(categories: Iterable[str]) -> str:
    """A readable phrase for constraint categories ("hands-on sessions at level 300+ on Monday")."""
    cats = list(categories)
    words = []
    if "hands-on" in cats:
        words.append("hands-on")
    if "chalk-talk" in cats:
        words.append("whiteboard-style")
    if "short-format" in cats:
        words.append("short")
    phrase = " ".join([*words, "sessions"])
    for c in cats:
        if c.startswith("level-min-"):
            phrase += f" at level {c.removeprefix('level-min-')} or above"
        elif c.startswith("level-max-"):
            phrase += f" at level {c.removeprefix('level-max-')} or below"
    days = [_DAY_TITLES[c] for c in cats if c in _DAY_TITLES]
    if days:
        phrase += " on " + (", ".join(days[:-1]) + " or " + days[-1] if len(days) > 1 else days[0])
    times = [c for c in cats if c in _TIME]
    if times:
        phrase += " in the " + " or ".join(times)
    return phrase


def _candidate(
    message: Message, sentence: str, phrase: str, polarity: str, categories: list[str]
) -> Candidate:
    verb = "is interested in" if polarity == "positive" else "is not interested in"
    if polarity == "constraint":
        verb, polarity = "prefers", "positive"
    record = {
        "context": f'The user said: "{sentence}"',
        "preference": f"The user {verb} {phrase}.",
        "categories": categories,
    }
    return Candidate(
        content={
            "preference": phrase,
            "polarity": polarity,
            "context": sentence,
            "categories": categories,
        },
        text=json.dumps(record, ensure_ascii=False),
        rationale=f'the user said: "{sentence}" ({verb} {phrase})',
        source_event_ids=(message.event_id,),
    )


_SELF = re.compile(
    r"\b(?:i|we)\s+(?:mostly\s+|mainly\s+)?(?:work\s+(?:on|with)|build|write|design|develop|"
    r"maintain|operate|look\s+after|tune|automate|program)\s+(?P<obj>[^,.;!?]{3,80})"
    r"|^(?P<obj2>[^,.;!?]{3,60}?)\s+(?:is|are)\s+(?:my|our)\s+(?:whole\s+|main\s+)?"
    r"(?:job|world|area|focus|thing|speciality|specialty|day\s+job|daily\s+bread|life)\b",
    re.IGNORECASE,
)


def self_description(sentence: str) -> str | None:
    """What the attendee says they work on ("I tune control loops for turbines"), if anything."""
    match = _SELF.search(sentence)
    if match is None:
        return None
    phrase = (match.group("obj") or match.group("obj2") or "").strip()
    return phrase or None


_WORD = re.compile(r"[a-z][a-z0-9'-]+", re.IGNORECASE)
_NOT_ABOUT_WORK = re.compile(
    r"\?|^\s*(?:hi|hello|hey|thanks|thank\s+you|my\s+name|i'm\s+[A-Z]\w*\s*$|can\s+you|could\s+you"
    r"|what|which|where|when|who|how|please\s+(?:show|find|recommend|suggest))",
    re.IGNORECASE,
)


def content_phrase(text: str) -> str:
    """``text`` without function words ("I mostly care about our bill" → "mostly care bill")."""
    return " ".join(w for w in _WORD.findall(text) if w.lower() not in SUMMARY_STOPWORDS)


def _topic_free_statement(sentence: str) -> str | None:
    """A statement about the attendee's work with no lexicon topic, for the classifier.

    Questions, greetings and short remarks are not; a clause that states a constraint ("keep it
    light") is left out of the phrase.
    """
    if _NOT_ABOUT_WORK.search(sentence):
        return None
    clauses = [
        c for c in split_clauses(sentence) if not any(s.constraints for s in understand_sentence(c))
    ]
    phrase = " ".join(clauses).strip()
    content = [w for w in _WORD.findall(phrase) if w.lower() not in SUMMARY_STOPWORDS]
    return phrase if len(content) >= 3 else None


def grammar_candidates(message: Message, sentence: str, found: list[Candidate]) -> list[Candidate]:
    """Preference candidates the clause grammar finds in ``sentence`` beyond the trigger rules'.

    ``found`` are the trigger rules' candidates for the sentence. A topic they did not produce
    becomes its own record (so a later retraction removes only that one). Constraints (formats,
    levels, days, times) of a clause a trigger record came from go into that record's
    ``constraints``; those of the other clauses become one constraint record.
    """
    covered = {
        (str(c.content.get("polarity")), str(cat))
        for c in found
        for cat in c.content.get("categories", [])
    }
    out: list[Candidate] = []
    constraints: list[str] = []
    statements = understand_sentence(sentence)
    # "Keep me away from security talks, our CISO makes me sit through plenty": a topic the
    # sentence rules out is not also liked because another clause mentions it in passing.
    avoided = {t for st in statements for t in st.avoided}
    for statement in statements:
        for topic in statement.topics:
            if topic in avoided:
                continue
            if ("positive", topic) not in covered:
                covered.add(("positive", topic))
                name = _TOPIC_NAMES.get(topic, topic.replace("-", " "))
                out.append(_candidate(message, sentence, name, "positive", [topic]))
        for topic in statement.avoided:
            if ("negative", topic) not in covered:
                covered.add(("negative", topic))
                name = _TOPIC_NAMES.get(topic, topic.replace("-", " "))
                out.append(_candidate(message, sentence, name, "negative", [topic]))
        hosts = [
            c
            for c in found
            if c.content.get("polarity") == "positive"
            and str(c.content.get("preference", "")).lower() in statement.clause.lower()
        ]
        for host in hosts:
            extra = [c for c in statement.constraints if c not in host.content["categories"]]
            host.content["constraints"] = list(
                dict.fromkeys([*host.content.get("constraints", []), *extra])
            )
        if not hosts:
            constraints += [c for c in statement.constraints if c not in constraints]
    if not found and not covered:
        phrase = self_description(sentence) or _topic_free_statement(sentence)
        if phrase:
            # No lexicon topic: the phrase is kept for the catalog's semantic classifier; under
            # a negation cue it is what the attendee wants to avoid.
            negation = _NEGATION.search(phrase)
            if negation and content_phrase(phrase[negation.end() :]):
                phrase = phrase[negation.end() :].strip(" ,.")
                out.append(_candidate(message, sentence, phrase, "negative", []))
            else:
                out.append(_candidate(message, sentence, phrase, "positive", []))
    new = [c for c in constraints if ("positive", c) not in covered]
    if new:
        out.append(_candidate(message, sentence, constraint_phrase(new), "constraint", new))
    return out
