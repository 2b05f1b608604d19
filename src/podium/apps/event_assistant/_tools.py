"""The assistant's tools: ``search_sessions`` (KB retrieve with filters) and ``get_session``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from podium.errors import InvalidInput

from ._profile import preference_boost

if TYPE_CHECKING:
    from podium.knowledge import KnowledgeBase, RetrievalResult

__all__ = ["make_tools"]

Day = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
Level = Literal[100, 200, 300, 400]
SessionType = Literal[
    "keynote",
    "breakout",
    "workshop",
    "chalk talk",
    "builders' session",
    "code talk",
    "lightning talk",
]
Topic = Literal[
    "generative AI", "security", "serverless", "databases", "analytics", "containers", "networking",
    "observability", "cost", "MLOps", "IoT", "DevOps", "storage", "migration", "industry",
]  # fmt: skip

_CODE = re.compile(r"^[A-Z]{3}\d{3}$")
_SNIPPET_WORDS = 40


def _card(result: RetrievalResult, reasons: list[str]) -> dict[str, Any]:
    m = result.metadata
    body = result.text.split("\n", 1)[-1]
    words = body.split()
    return {
        "code": m.get("code"),
        "title": m.get("title"),
        "day": m.get("day"),
        "start": m.get("start"),
        "end": m.get("end"),
        "room": m.get("room"),
        "venue": m.get("venue"),
        "level": m.get("level"),
        "type": m.get("type"),
        "topics": m.get("topics", []),
        "summary": " ".join(words[:_SNIPPET_WORDS]) + (" …" if len(words) > _SNIPPET_WORDS else ""),
        "why": reasons,
        "score": round(result.score, 4),
    }


def make_tools(kb: KnowledgeBase) -> list[Any]:
    """Strands tools bound to the sessions knowledge base."""
    from strands import ToolContext, tool

    @tool(context=True)
    def search_sessions(
        query: str,
        tool_context: ToolContext,
        day: Day | None = None,
        level: Level | None = None,
        session_type: SessionType | None = None,
        topic: Topic | None = None,
        max_results: int = 5,
    ) -> list[dict[str, Any]]:
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
        clauses: list[dict[str, Any]] = []
        if day:
            clauses.append({"equals": {"key": "day", "value": day}})
        if level:
            clauses.append({"equals": {"key": "level", "value": int(level)}})
        if session_type:
            clauses.append({"equals": {"key": "type", "value": session_type}})
        if topic:
            clauses.append({"listContains": {"key": "topics", "value": topic}})
        flt: dict[str, Any] | None = None
        if len(clauses) == 1:
            flt = clauses[0]
        elif clauses:
            flt = {"andAll": clauses}
        profile = tool_context.agent.state.get("profile") or {}
        boost, reasons = preference_boost(profile)
        results = kb.retrieve(query, int(max_results), filter=flt, boost=boost)
        return [_card(r, reasons(r.metadata)) for r in results]

    @tool
    def get_session(code: str) -> dict[str, Any]:
        """Look up one session by its code (for example AIM301) to get its full details.

        Args:
            code: The session code, three letters and three digits.
        """
        code = code.strip().upper()
        if not _CODE.match(code):
            raise InvalidInput(f"session code must look like AIM301, got {code!r}")
        found = kb.retrieve(code, 1, "KEYWORD", filter={"equals": {"key": "code", "value": code}})
        if not found:
            found = kb.retrieve(
                code, 1, "SEMANTIC", filter={"equals": {"key": "code", "value": code}}
            )
        if not found:
            return {"error": f"no session with code {code}"}
        card = _card(found[0], [])
        card["abstract"] = found[0].text.split("\n", 1)[-1]
        del card["summary"], card["why"], card["score"]
        return card

    return [search_sessions, get_session]
