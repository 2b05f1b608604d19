"""Offline tool arguments: fill a tool call's arguments from the user's text and the tool's JSON schema.

Generic by construction: it reads only the tool spec (``inputSchema``, descriptions, enums,
patterns), never tool names it knows in advance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from podium.agents._offline_text import (
    STOPWORDS,
    content_stems,
    split_identifier,
    stem,
    stems,
)

__all__ = [
    "FILLER_WORDS",
    "flatten_schema",
    "generic_stems",
    "identifier_in",
    "properties",
    "searched_words",
    "tool_arguments",
]


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = frozenset(
    """january february march april may june july august september october november december""".split()  # noqa: SIM905
)
_RELATIVE_DAYS = ("today", "tomorrow", "tonight", "weekend")
_QUERY_NAMES = frozenset(
    """query q text question search prompt keywords keyword terms term search_query search_term
    search_text input message request phrase""".split()  # noqa: SIM905
)
_ID_NAMES = frozenset(
    ["code", "id", "identifier", "key", "slug", "sku", "isbn", "ref", "reference"]
)
_DAY_NAMES = frozenset(["day", "weekday", "day_of_week", "dayofweek", "date", "when"])
_LOCATION_NAMES = frozenset(
    """city location place country destination town region area where address""".split()  # noqa: SIM905
)
_PERSON_NAMES = frozenset(
    """author writer artist speaker presenter director creator composer chef by""".split()  # noqa: SIM905
)
_COUNT_WORDS = frozenset(
    ["max", "limit", "top", "count", "num", "number", "k", "n", "size", "result", "results"]
)
_RESULT_NOUNS = frozenset(
    """result item option suggestion recommendation idea pick choice match hit""".split()  # noqa: SIM905
)
# Nouns that name "things in a catalogue" rather than a topic: a query of only these is generic.
_GENERIC_NOUNS = frozenset(
    """search session event activity option item thing result recommendation suggestion idea
    pick choice""".split()  # noqa: SIM905
)
FILLER_WORDS = STOPWORDS | frozenset(
    """recommend recommendations recommended suggest suggestions suggested attend attending
    find search show list lookup look looking browse discover retrieve explore locate seek
    options ideas results top first interested prefer hi hello hey thanks thank ok okay yes
    well now able should which
    good great best worth worthwhile interesting cool fun nice year week today time conference
    event events stuff things thing anything something pick picks reckon think guess see sort
    help start begin even going go out got fill sign up free seeing hook last yesterday
    earlier ago pls plz""".split()  # noqa: SIM905
)

#: Function words a title may hold inside it ("Designing tools for LLM agents").
_TITLE_JOINERS = frozenset("for of the to with in on a an and at from your my by".split())  # noqa: SIM905
_NUMBER_RE = re.compile(r"(?<![\w.:/])(\d+(?:\.\d+)?)(?![\d:/])")
_DATE_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b")
_CODE_RE = re.compile(r"(?<![\w-])([A-Za-z]{2,6}[-_]?\d{2,6}[A-Za-z0-9]*)(?![\w-])")
_CAPS = r"(?-i:([A-Z][\w'’.&-]*(?:[ \t]+[A-Z][\w'’&-]*){0,3}))"
_LOCATION_RE = re.compile(r"\b(?:in|for|at|near|around|to|from|of)\s+" + _CAPS, re.IGNORECASE)
_PERSON_RE = re.compile(r"\bby\s+" + _CAPS, re.IGNORECASE)
_CONVERSION_RE = re.compile(
    r"(?:\d+(?:\.\d+)?\s*|\bfrom\s+)([A-Za-z°][\w°]*)\s+(?:to|into|in)\s+([A-Za-z°][\w°]*)",
    re.IGNORECASE,
)
_VOCAB_RE = re.compile(r"(?:e\.g\.|for example|such as|one of|like|:)\s*([^.;)]+)", re.IGNORECASE)


def generic_stems(spec: dict[str, Any]) -> set[str]:
    """Stems that only restate what the tool is about (its name and description nouns).

    A query made only of these ("which sessions ...?" to a session search) is generic; the
    example values a description lists ("e.g. security") are not generic.
    """
    description = str(spec.get("description", ""))
    examples = {
        s for match in _VOCAB_RE.finditer(description) for s in content_stems(match.group(1))
    }
    return (
        set(content_stems(split_identifier(str(spec.get("name", "")))))
        | set(content_stems(description)) - examples
    )


# --- schema helpers -----------------------------------------------------------------------------


def properties(spec: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """A tool spec's parameters (name -> flattened JSON schema) and its required names."""
    schema = spec.get("inputSchema", {})
    schema = schema.get("json", schema) if isinstance(schema, dict) else {}
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    required = schema.get("required", []) if isinstance(schema, dict) else []
    return (
        {k: flatten_schema(v) for k, v in props.items() if isinstance(v, dict)},
        [r for r in required if isinstance(r, str)],
    )


def flatten_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Collapse ``anyOf``/``oneOf`` (Optional[...]) and list types onto one concrete schema."""
    out = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key, []):
            if isinstance(branch, dict) and branch.get("type") != "null":
                out = {**branch, **out}
                break
    kind = out.get("type")
    if isinstance(kind, list):
        out["type"] = next((t for t in kind if t != "null"), "string")
    if "type" not in out and "enum" in out:
        out["type"] = "integer" if all(isinstance(v, int) for v in out["enum"]) else "string"
    return out


def _name_words(name: str) -> set[str]:
    return {w.lower() for w in split_identifier(name).split()}


def _is_query_param(name: str, schema: dict[str, Any]) -> bool:
    if schema.get("type", "string") != "string" or "enum" in schema:
        return False
    lowered = name.lower()
    if lowered in _QUERY_NAMES or _name_words(name) & {"query", "keyword", "keywords"}:
        return True
    description = str(schema.get("description", "")).lower()
    return bool(
        re.search(r"\b(?:search (?:query|terms|text)|free[- ]text|keywords?)\b", description)
    )


def _is_id_param(name: str, schema: dict[str, Any]) -> bool:
    lowered = name.lower()
    return "pattern" in schema or lowered in _ID_NAMES or lowered.endswith(("_id", "_code", "id"))


def _valid(value: Any, schema: dict[str, Any]) -> bool:
    kind = schema.get("type", "string")
    checks = {
        "string": lambda v: isinstance(v, str) and v != "",
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
    }
    if kind in checks and not checks[kind](value):
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
    if isinstance(value, str) and "pattern" in schema:
        try:
            return re.search(schema["pattern"], value) is not None
        except re.error:
            return True
    return True


# --- argument extraction ------------------------------------------------------------------------


@dataclass(kw_only=True)
class _Filler:
    """Extracts argument values from one message, remembering which spans are used up."""

    text: str
    tool_stems: set[str]
    interests: list[str]
    #: Every stem of the tool's name and description, examples included: never part of a title.
    own_stems: set[str] = field(default_factory=set)
    used: list[tuple[int, int]] = field(default_factory=list)

    def free(self, span: tuple[int, int]) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in self.used)

    def take(self, span: tuple[int, int]) -> None:
        self.used.append(span)

    def identifier(self, name: str, schema: dict[str, Any], *, titles: bool = True) -> str | None:
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            core = pattern.removeprefix("^").removesuffix("$")
            try:
                regex = re.compile(rf"(?<![\w-])(?:{core})(?![\w-])")
            except re.error:
                regex = None
            if regex is not None:
                for candidate in (self.text, self.text.upper()):
                    for match in regex.finditer(candidate):
                        if self.free(match.span()):
                            self.take(match.span())
                            return match.group(0)
        if name.lower() == "isbn":
            isbn = re.search(r"\b(?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx]\b", self.text)
            if isbn:
                self.take(isbn.span())
                return isbn.group(0).replace("-", "").replace(" ", "")
        for match in _CODE_RE.finditer(self.text):
            if self.free(match.span()):
                self.take(match.span())
                return match.group(1)
        numbered = re.search(r"(?:#|\bid\s*:?\s*|\bnumber\s+)(\d+)\b", self.text, re.IGNORECASE)
        if numbered and self.free(numbered.span(1)):
            self.take(numbered.span(1))
            return numbered.group(1)
        if titles and "title" in str(schema.get("description", "")).lower():
            return self.title()
        return None

    def title(self) -> str | None:
        """A quoted phrase, else the longest run of words that are not the tool's own.

        For a parameter that takes a title as well as an id ("add Designing tools for LLM
        agents to my agenda"): function words may sit inside the run, not at its ends.
        """
        quoted = re.search(r"[\"“']([^\"”']{3,160})[\"”']", self.text)
        if quoted and self.free(quoted.span(1)):
            self.take(quoted.span(1))
            return quoted.group(1).strip()
        best: tuple[int, int, int] | None = None  # (content words, start, end)
        run: list[re.Match[str]] = []
        tokens = list(re.finditer(r"[\w][\w'+#:-]*", self.text))
        for match in [*tokens, None]:
            word = match.group(0).lower() if match else ""
            own = (
                match is None
                or not self.free(match.span())
                or stem(word) in self.tool_stems | self.own_stems
            )
            inner = word in _TITLE_JOINERS
            if match is not None and not own and (inner or word not in FILLER_WORDS):
                run.append(match)
                continue
            while run and run[-1].group(0).lower() in _TITLE_JOINERS:
                run.pop()
            while run and run[0].group(0) in _TITLE_JOINERS:  # "The Quiet Harbour" keeps "The"
                run.pop(0)
            content = sum(1 for m in run if m.group(0).lower() not in _TITLE_JOINERS)
            # Capitalised words away from the message's start look like a name.
            content += 2 * sum(1 for m in run if m.start() > 0 and m.group(0)[:1].isupper())
            if run and (best is None or content > best[0]):
                best = (content, run[0].start(), run[-1].end())
            run = []
        if best is None:
            return None
        self.take((best[1], best[2]))
        return self.text[best[1] : best[2]]

    def day(self, schema: dict[str, Any]) -> str | None:
        match = re.search(r"\b\d{4}-\d{2}-\d{2}\b", self.text)
        if match and schema.get("format") == "date":
            self.take(match.span())
            return match.group(0)
        options = _WEEKDAYS + (() if "enum" in schema else _RELATIVE_DAYS)
        for match in re.finditer(r"[A-Za-z]+", self.text):
            word = match.group(0).lower()
            base = word[:-1] if word.endswith("s") and word[:-1] in _WEEKDAYS else word
            if base in options and self.free(match.span()):
                self.take(match.span())
                return base.capitalize() if base in _WEEKDAYS else base
        if match := re.search(r"\b\d{4}-\d{2}-\d{2}\b", self.text):
            self.take(match.span())
            return match.group(0)
        return None

    def numbers(self) -> list[re.Match[str]]:
        masked = [m.span() for m in _DATE_RE.finditer(self.text)]
        return [
            m
            for m in _NUMBER_RE.finditer(self.text)
            if self.free(m.span()) and all(m.end() <= a or m.start() >= b for a, b in masked)
        ]

    def adjacent_number(self, name: str, schema: dict[str, Any]) -> float | int | None:
        keys = {stem(w, synonyms=False) for w in _name_words(name)} - {
            stem(w, synonyms=False) for w in _COUNT_WORDS | {"min", "minimum", "maximum", "of"}
        }
        if not keys:
            return None
        for match in self.numbers():
            before = re.search(r"([A-Za-z]+)[\s-]*$", self.text[: match.start()])
            after = re.match(r"[\s-]*([A-Za-z]+)", self.text[match.end() :])
            for word, span in (
                (before, (before.start(1), match.end()) if before else None),
                (after, (match.start(), match.end() + after.end()) if after else None),
            ):
                if word and span and stem(word.group(1), synonyms=False) in keys:
                    value = _number(match.group(1), schema)
                    if value is not None and _valid(value, schema):
                        self.take(span)
                        return value
        return None

    def enum_number(self, schema: dict[str, Any]) -> int | float | None:
        for match in self.numbers():
            value = _number(match.group(1), schema)
            if value is not None and value in schema["enum"]:
                self.take(match.span())
                return value
        return None

    def count(self, schema: dict[str, Any]) -> int | None:
        nouns = _RESULT_NOUNS | self.tool_stems
        patterns = [
            r"\b(?:top|first|best|only|just|show me|give me|list|find|recommend|suggest|get)\s+(\d+)\b",
            r"\b(\d+)\s+([A-Za-z]+)",
        ]
        for index, pattern in enumerate(patterns):
            for match in re.finditer(pattern, self.text, re.IGNORECASE):
                if not self.free(match.span(1)):
                    continue
                if index == 1 and stem(match.group(2)) not in nouns:
                    continue
                value = int(match.group(1))
                if _valid(value, {**schema, "type": "integer"}):
                    self.take(match.span())
                    return value
        return None

    def enum_strings(self, schema: dict[str, Any]) -> list[Any]:
        text_stems = stems(self.text, synonyms=False)
        found: list[tuple[int, int, Any]] = []
        for value in schema["enum"]:
            needle = stems(split_identifier(str(value)), synonyms=False)
            n = len(needle)
            if not n:
                continue
            for i in range(len(text_stems) - n + 1):
                if text_stems[i : i + n] == needle:
                    found.append((-n, i, value))
                    break
        found.sort(key=lambda f: (f[0], f[1]))
        chosen: list[Any] = []
        for _, _, value in found:
            # A shorter value inside a longer match ("session" in "builders session") is not a
            # second, separate mention.
            if not any(_contains(str(c), str(value)) for c in chosen):
                chosen.append(value)
        return chosen

    def conversion(self, name: str) -> str | None:
        parts = _name_words(name)
        side = 1 if parts & {"from", "source", "src", "origin"} else 0
        side = 2 if parts & {"to", "target", "dest", "destination", "into"} else side
        if not side:
            return None
        match = _CONVERSION_RE.search(self.text)
        return match.group(side) if match else None

    def capitalised(self, regex: re.Pattern[str]) -> str | None:
        for match in regex.finditer(self.text):
            value = match.group(1).strip(" .")
            first = value.split()[0].lower()
            if first in _WEEKDAYS or first in _MONTHS or first == "i":
                continue
            if self.free(match.span(1)):
                self.take(match.span(1))
                return value
        return None

    def vocabulary(self, schema: dict[str, Any]) -> str | None:
        text_stems = stems(self.text, synonyms=False)
        for match in _VOCAB_RE.finditer(str(schema.get("description", ""))):
            for option in re.split(r"\s*(?:,|/|\bor\b|\band\b)\s*", match.group(1)):
                option = option.strip(" '\"`:")
                needle = stems(option, synonyms=False)
                if option and len(needle) <= 3 and _sublist(needle, text_stems):
                    return option
        return None

    def query(self) -> str:
        kept: list[str] = []
        for match in re.finditer(r"[\w][\w'’+#.-]*", self.text):
            token = match.group(0).rstrip(".-'’")
            if not token or not self.free(match.span()) or token.lower() in FILLER_WORDS:
                continue
            kept.append(token)
        generic = self.tool_stems | _GENERIC_NOUNS
        specific = [t for t in kept if stem(t) not in generic]
        if specific:
            return " ".join(specific)
        if self.interests:
            return " ".join(self.interests)
        return " ".join(kept) or self.text.strip()


def _contains(longer: str, shorter: str) -> bool:
    return longer != shorter and _sublist(
        stems(split_identifier(shorter), synonyms=False),
        stems(split_identifier(longer), synonyms=False),
    )


def _sublist(needle: list[str], haystack: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _number(raw: str, schema: dict[str, Any]) -> int | float | None:
    value = float(raw)
    if schema.get("type") == "integer":
        return int(value) if value.is_integer() else None
    return int(value) if value.is_integer() and "." not in raw else value


def tool_arguments(
    spec: dict[str, Any], text: str, interests: list[str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Fill ``spec``'s arguments from ``text``; returns ``(arguments, missing_required_names)``.

    Optional parameters are filled only from what the text says; a query-like parameter falls
    back to the user's ``interests`` when the text is generic ("which sessions should I attend?").
    """
    props, required = properties(spec)
    filler = _Filler(
        text=text,
        tool_stems=generic_stems(spec),
        interests=list(interests or []),
        own_stems=set(content_stems(f"{split_identifier(str(spec.get('name', '')))} "
                                    f"{spec.get('description', '')}")),
    )  # fmt: skip
    args: dict[str, Any] = {}

    def put(name: str, value: Any) -> None:
        if name not in args and value not in (None, "", []) and _valid(value, props[name]):
            args[name] = value

    ordered = sorted(props, key=lambda n: (n not in required, list(props).index(n)))
    for name in ordered:
        schema = props[name]
        if _is_id_param(name, schema) and schema.get("type", "string") == "string":
            put(name, filler.identifier(name, schema))
    for name in ordered:
        schema = props[name]
        enum_days = any(str(v).lower() in _WEEKDAYS for v in schema.get("enum", []))
        if name.lower() in _DAY_NAMES or enum_days:
            day = filler.day(schema)
            if day and "enum" in schema:
                day = next((v for v in schema["enum"] if str(v).lower() == day.lower()), None)
            put(name, day)
    for name in ordered:
        if props[name].get("type") in ("integer", "number"):
            put(name, filler.adjacent_number(name, props[name]))
    for name in ordered:
        schema = props[name]
        if name in args or "enum" not in schema:
            continue
        if schema.get("type") in ("integer", "number"):
            put(name, filler.enum_number(schema))
        elif conversion := filler.conversion(name):
            put(
                name,
                next((v for v in schema["enum"] if str(v).lower() == conversion.lower()), None),
            )
        else:
            values = filler.enum_strings(schema)
            put(name, values[0] if values else None)
    for name in ordered:
        schema = props[name]
        if schema.get("type") == "integer" and _name_words(name) & _COUNT_WORDS:
            put(name, filler.count(schema))
        elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            items = flatten_schema(schema["items"])
            if "enum" in items:
                put(name, filler.enum_strings(items))
    for name in ordered:
        schema = props[name]
        if name in args or schema.get("type", "string") != "string" or "enum" in schema:
            continue
        if _is_query_param(name, schema):
            continue
        words_of_name = _name_words(name)
        value = filler.conversion(name)
        if not value and words_of_name & _LOCATION_NAMES:
            value = filler.capitalised(_LOCATION_RE)
        if not value and words_of_name & _PERSON_NAMES:
            value = filler.capitalised(_PERSON_RE)
        put(name, value or filler.vocabulary(schema))
    for name in ordered:
        if name not in args and _is_query_param(name, props[name]):
            put(name, filler.query())
    _fill_required_fallbacks(props, required, args, filler)
    missing = [name for name in required if name not in args]
    return args, missing


def _fill_required_fallbacks(
    props: dict[str, dict[str, Any]], required: list[str], args: dict[str, Any], filler: _Filler
) -> None:
    free_strings = [
        n
        for n in required
        if n not in args
        and props[n].get("type", "string") == "string"
        and "enum" not in props[n]
        and not _is_id_param(n, props[n])
        and not _name_words(n) & (_LOCATION_NAMES | _PERSON_NAMES | _DAY_NAMES)
    ]
    for name in required:
        schema = props.get(name, {})
        if name in args:
            continue
        if "default" in schema and _valid(schema["default"], schema):
            args[name] = schema["default"]
        elif schema.get("type") in ("integer", "number"):
            for match in filler.numbers():
                value = _number(match.group(1), schema)
                if value is not None and _valid(value, schema):
                    filler.take(match.span())
                    args[name] = value
                    break
        elif schema.get("type") == "boolean":
            negated = re.search(r"\b(?:no|not|without|don't|dont)\b", filler.text, re.IGNORECASE)
            args[name] = not negated
        elif name in free_strings and len(free_strings) == 1:
            query = filler.query()
            if query and _valid(query, schema):
                args[name] = query


def searched_words(spec: dict[str, Any], arguments: dict[str, Any]) -> list[str]:
    """The words the user searched for in a call.

    That is the query-like arguments minus filler and the tool's own nouns (used to explain why
    each result was returned).
    """
    props, _ = properties(spec)
    free_text = [
        n for n, s in props.items() if s.get("type", "string") == "string" and "enum" not in s
    ]
    names = [n for n in free_text if _is_query_param(n, props[n])] or free_text
    generic = generic_stems(spec)
    seen: dict[str, None] = {}
    for name in names:
        value = arguments.get(name)
        if not isinstance(value, str):
            continue
        for word in re.findall(r"[\w][\w'+#-]*", value):
            if (
                word.lower() in FILLER_WORDS
                or len(word) < 2
                or word.isdigit()
                or stem(word) in generic
            ):
                continue
            seen.setdefault(word, None)
    return list(seen)


def identifier_in(text: str, name: str, schema: dict[str, Any]) -> bool:
    """Whether ``text`` holds an identifier that fits the id-like parameter ``name``."""
    if not (_is_id_param(name, schema) and schema.get("type", "string") == "string"):
        return False
    filler = _Filler(text=text, tool_stems=set(), interests=[])
    return bool(filler.identifier(name, schema, titles=False))
