"""The assistant's tools: ``search_sessions``, ``get_session``, the agenda and feedback ones.

The agenda and feedback tools live in ``_agenda_tools``.

Every knowledge-base call runs under a deadline (:func:`call_with_deadline`). A call that raises
or overruns becomes an *error tool result* the model can read and apologise for, so a turn
always ends with a ``toolResult`` for each ``toolUse`` and the session stays usable: Strands
has no per-tool timeout of its own, and a sync tool that never returns would hang the turn.

Strands is imported at module level because ``@tool`` resolves the functions' type hints
(``ToolContext``) from this module's globals; ``create_agent`` imports this module lazily.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from strands import ToolContext, tool

from podium.errors import InvalidInput, PodiumError

from ._agenda import Attendee, overlaps, recommendation_state
from ._agenda_tools import make_agenda_tools
from ._catalog import one_per_session, session_card, session_filter
from ._constraints import (
    RELAX_ORDER,
    format_types,
    in_time_window,
    profile_clauses,
    topic_clause,
    without_avoided,
)
from ._profile import preference_boost
from ._semantic_topics import with_semantic_topics
from ._understanding import spot_topics

# Module-level, not under TYPE_CHECKING: ``@tool`` resolves the hints at runtime to build the
# tools' JSON schemas (an ``enum`` per vocabulary).
from ._vocabulary import Day, Level, SessionType, Topic

if TYPE_CHECKING:
    from podium.knowledge import RetrievalResult

    from ._notes import AttendeeNotes
    from ._services import MemoryCalls, Retriever

__all__ = ["ToolTimeout", "call_with_deadline", "make_tools"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_CODE = re.compile(r"^[A-Z]{3}\d{3}$")
#: Sessions can have several chunks: over-fetch, then keep each session once.
_OVERFETCH = 3
_MAX_FETCH = 30
#: More chunks than any one session has (a catalog entry is 2-3 chunks of 256 tokens).
_MAX_CHUNKS = 20
#: Fewer sessions than this meeting every constraint: relax them in ``RELAX_ORDER``.
_TOO_FEW = 3


class ToolTimeout(TimeoutError):
    """A tool's backend call did not finish within its deadline."""


def call_with_deadline(fn: Callable[[], T], timeout_s: float, what: str) -> T:
    """``fn()``, or :class:`ToolTimeout` when it has not returned within ``timeout_s``.

    The call runs in a daemon thread: Python cannot kill a thread, so a call that hangs keeps
    running in the background, but neither the turn nor interpreter shutdown waits for it.
    Exceptions raised by ``fn`` propagate to the caller unchanged.
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as e:  # handed back to the caller's thread
            outcome["error"] = e
        finally:
            done.set()

    threading.Thread(target=run, name=f"podium-tool-{what}", daemon=True).start()
    if not done.wait(timeout_s):
        raise ToolTimeout(f"{what} did not finish within {timeout_s:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


def _error_result(tool_name: str, error: BaseException) -> dict[str, Any]:
    """A Strands error tool result the model can read (no internals beyond the message)."""
    if isinstance(error, ToolTimeout):
        text = f"the session catalog did not answer in time ({error}); try again shortly"
    elif isinstance(error, PodiumError):
        text = str(error)
    else:
        text = f"the session catalog is unavailable right now ({type(error).__name__})"
    logger.warning("tool=<%s>, error=<%s> | tool call failed", tool_name, type(error).__name__)
    return {"status": "error", "content": [{"text": f"Error: {text}"}]}


def _stitch(chunks: list[str]) -> str:
    """Rejoin a document's chunks (in order), dropping the text consecutive chunks overlap by."""
    if not chunks:
        return ""
    text = chunks[0]
    for chunk in chunks[1:]:
        probe = chunk[: min(32, len(chunk))]
        overlap = 0
        at = text.find(probe)
        while at != -1:
            if chunk.startswith(text[at:]):
                overlap = len(text) - at
                break
            at = text.find(probe, at + 1)
        text += chunk[overlap:] if overlap else " " + chunk
    return text


def _with_exclusions(flt: dict[str, Any] | None, codes: list[str]) -> dict[str, Any] | None:
    if not codes:
        return flt
    not_these = {"notIn": {"key": "code", "value": codes}}
    return not_these if flt is None else {"andAll": [flt, not_these]}


def _code(r: RetrievalResult) -> str:
    return str(r.metadata.get("code") or r.source_uri)


def _constrained_search(
    kb: Retriever,
    query: str,
    profile: dict[str, Any],
    max_results: int,
    timeout_s: float,
    *,
    day: str | None,
    level: int | None,
    session_type: str | None,
    topic: str | None,
) -> list[dict[str, Any]]:
    """Cards of sessions meeting the request and the profile's constraints, best first.

    Exclusions always hold; the profile's days, level bounds and time window hold unless fewer
    than :data:`_TOO_FEW` sessions meet them, and then relax in :data:`RELAX_ORDER` (the cards
    found that way say which constraint was relaxed). Preferred formats are searched first.
    """
    base = _with_exclusions(
        session_filter(day, level, session_type, topic), list(profile.get("exclude_codes") or [])
    )
    # An agenda slot is taken: a session at the same time cannot be attended.
    busy = list(profile.get("busy") or [])
    boost, reasons = preference_boost(profile)
    types = [] if session_type else format_types(profile)
    constrained = bool(
        types
        or profile.get("times")
        or profile.get("avoided_topics")
        or profile_clauses(profile, day=day, level=level, keep=RELAX_ORDER)
    )
    fetch = _MAX_FETCH if constrained else min(max_results * _OVERFETCH, _MAX_FETCH)
    # The topics to hold while relaxing: the ones the request names, else the profile's.
    named = spot_topics(query)
    topics = None if topic else topic_clause({"topics": named} if named else profile)

    def search(clauses: list[dict[str, Any]], keep: tuple[str, ...]) -> list[RetrievalResult]:
        all_clauses = ([base] if base else []) + clauses
        flt = None
        if all_clauses:
            flt = all_clauses[0] if len(all_clauses) == 1 else {"andAll": all_clauses}
        found = call_with_deadline(
            lambda: kb.retrieve(query, fetch, filter=flt, boost=boost),
            timeout_s,
            "search_sessions",
        )
        return [
            r
            for r in one_per_session(found, _MAX_FETCH)
            if without_avoided(profile, r.metadata)
            and ("times" not in keep or in_time_window(profile, r.metadata))
            and not any(overlaps(r.metadata, b) for b in busy)
        ]

    picked: dict[str, tuple[RetrievalResult, str | None]] = {}
    enough = min(_TOO_FEW, max_results)
    # The attendee's topics hold longest: while relaxing a constraint still finds sessions in
    # them, sessions outside them wait (a networking 400-level fan on Thursday gets networking
    # at another level before 400-level sessions on anything).
    others: list[tuple[RetrievalResult, str | None]] = []
    for step in range(len(RELAX_ORDER) + 1):
        keep = RELAX_ORDER[step:]
        relaxed = RELAX_ORDER[step - 1] if step else None
        clauses = profile_clauses(profile, day=day, level=level, keep=keep)
        type_clause = [{"in": {"key": "type", "value": types}}] if types else []
        pool: list[RetrievalResult] = []
        if topics:
            # Retrieval can only rank what it found: also look inside the attendee's topics.
            pool += search([*clauses, *type_clause, topics], keep) if types else []
            pool += search([*clauses, topics], keep)
            rest = search([*clauses, *type_clause], keep) if types else []
            others += [(r, relaxed) for r in [*rest, *search(clauses, keep)]]
        else:
            pool += search([*clauses, *type_clause], keep) if types else []
            pool += search(clauses, keep)
        for r in pool:
            picked.setdefault(_code(r), (r, relaxed))
        if len(picked) >= enough or not constrained:
            break
    if len(picked) < max_results:
        for r, relaxed in others:
            picked.setdefault(_code(r), (r, relaxed))
    cards = []
    for r, relaxed in list(picked.values())[:max_results]:
        why = reasons(r.metadata)
        if relaxed:
            why.append(f"shown although it is outside your stated {relaxed}")
        cards.append(session_card(r, why))
    return cards


def make_tools(
    kb: Retriever,
    *,
    timeout_s: float,
    memory: MemoryCalls | None = None,
    notes: AttendeeNotes | None = None,
    memory_id: str | None = None,
) -> list[Any]:
    """Strands tools bound to the sessions knowledge base (and the attendees' notes, if given).

    The tools hold no per-agent state (the profile comes from ``tool_context.agent.state``), so
    one list serves every agent of a process. ``timeout_s`` bounds each knowledge-base call.
    With ``memory``, ``notes`` and ``memory_id`` the agenda and feedback tools are added, and
    searches leave out what the attendee attended or cannot attend (an agenda clash).
    """
    if timeout_s <= 0:
        raise InvalidInput("timeout_s must be positive")

    def attendee(tool_context: ToolContext) -> Attendee | None:
        if memory is None or notes is None or memory_id is None:
            return None
        state = tool_context.agent.state
        return Attendee(
            memory=memory,
            notes=notes,
            kb=kb,
            memory_id=memory_id,
            actor_id=str(state.get("actor_id")),
            session_id=str(state.get("session_id")),
        )

    @tool(context=True)
    def search_sessions(  # noqa: D417 - Strands supplies tool_context; it is not a tool argument
        query: str,
        tool_context: ToolContext,
        day: Day | None = None,
        level: Level | None = None,
        session_type: SessionType | None = None,
        topic: Topic | None = None,
        max_results: int = 5,
    ) -> Any:
        """Search the conference catalog for sessions to recommend or find.

        Use it to recommend, suggest, find or list sessions, talks and workshops. Results are
        personalised with the attendee's stored preferences.

        Args:
            query: What the attendee is looking for, in their words.
            day: Only sessions on this day.
            level: Only sessions of this level (100 introductory ... 400 expert).
            session_type: Only sessions of this format.
            topic: Only sessions in this track.
            max_results: How many sessions to return (1-10).
        """
        if not 1 <= int(max_results) <= 10:
            raise InvalidInput("max_results must be between 1 and 10")
        profile = dict(tool_context.agent.state.get("profile") or {})
        person = attendee(tool_context)
        try:
            if person is not None:
                profile |= call_with_deadline(
                    lambda: recommendation_state(person.agenda(), person.feedback()),
                    timeout_s,
                    "search_sessions",
                )
            if profile.get("phrases") or profile.get("avoided_phrases"):
                profile = call_with_deadline(
                    lambda: with_semantic_topics(kb, profile), timeout_s, "search_sessions"
                )
            cards = _constrained_search(
                kb, query, profile, int(max_results), timeout_s,
                day=day, level=level, session_type=session_type, topic=topic,
            )  # fmt: skip
        except Exception as e:
            return _error_result("search_sessions", e)
        return cards

    @tool
    def get_session(code: str) -> Any:
        """Look up one session by its code (for example AIM301) to get its full details.

        Args:
            code: The session code, three letters and three digits.
        """
        code = code.strip().upper()
        if not _CODE.match(code):
            raise InvalidInput(f"session code must look like AIM301, got {code!r}")
        by_code = {"equals": {"key": "code", "value": code}}
        # The code is metadata, not text: a filtered semantic search returns the session's
        # chunks (any query will do), which are stitched back into the whole document.
        try:
            found = call_with_deadline(
                lambda: kb.retrieve(code, _MAX_CHUNKS, "SEMANTIC", filter=by_code),
                timeout_s,
                "get_session",
            )
        except Exception as e:
            return _error_result("get_session", e)
        if not found:
            return {"error": f"no session with code {code}"}
        document = _stitch([r.text for r in sorted(found, key=lambda r: r.chunk_id)])
        card = session_card(found[0])
        title, _, body = document.partition("\n")
        card["abstract"] = body.split("\n", 1)[0] if title == card["title"] else document
        del card["summary"], card["score"]
        return card

    has_notes = memory is not None and notes is not None and memory_id is not None
    # After get_session: on a tie (a message that only names a code) the offline model takes
    # the first tool, and a plain code is a look-up.
    agenda_tools = make_agenda_tools(attendee) if has_notes else []
    return [search_sessions, get_session, *agenda_tools]
