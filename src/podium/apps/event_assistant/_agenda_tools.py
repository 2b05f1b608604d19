"""The agenda and feedback tools: add/remove/show the agenda, record attendance and ratings.

Each answers in plain sentences (what a person would say back), so any model, the offline one
included, can hand them on as they are. The actor comes from ``agent.state``, never from the
model's arguments. Names and descriptions are what the offline model routes by.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strands import ToolContext, tool

from podium.errors import InvalidInput, PodiumError

from ._agenda import parse_feedback

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._agenda import Attendee

__all__ = ["make_agenda_tools"]


def _when(item: dict[str, Any]) -> str:
    return f"{item.get('day')} {item.get('start')}-{item.get('end')}"


def _named(item: dict[str, Any]) -> str:
    return f"{item.get('code')} \u201c{item.get('title')}\u201d"


def _failed(error: PodiumError) -> dict[str, Any]:
    return {"status": "error", "content": [{"text": f"Error: {error}"}]}


def make_agenda_tools(attendee: Callable[[ToolContext], Attendee | None]) -> list[Any]:
    """The agenda and feedback tools over the attendee ``attendee(tool_context)`` gives."""

    def person(tool_context: ToolContext) -> Attendee:
        found = attendee(tool_context)
        if found is None:
            raise InvalidInput("this assistant keeps no agenda")
        return found

    @tool(context=True)
    def add_to_agenda(code: str, tool_context: ToolContext) -> Any:  # noqa: D417
        """Add a session, named by its code or title, to the attendee's agenda; warns about clashes.

        Args:
            code: The session's code (for example SEC212) or its title.
        """
        try:
            done = person(tool_context).add_to_agenda(code)
        except PodiumError as e:
            return _failed(e)
        added = done["added"]
        text = f"I added {_named(added)} to your agenda ({_when(added)}, {added.get('room')})."
        if done["clashes"]:
            others = ", ".join(f"{_named(c)} ({_when(c)})" for c in done["clashes"])
            text += f" Heads up: it clashes with {others}, which is at the same time."
        return text

    @tool(context=True)
    def remove_from_agenda(code: str, tool_context: ToolContext) -> Any:  # noqa: D417
        """Remove (drop, delete, cancel) a session from the attendee's agenda or schedule.

        Args:
            code: The session's code (for example SEC212) or its title.
        """
        try:
            done = person(tool_context).remove_from_agenda(code)
        except PodiumError as e:
            return _failed(e)
        left = len(done["agenda"])
        return f"I removed {done['removed']} from your agenda; {left} session(s) remain on it."

    @tool(context=True)
    def show_agenda(tool_context: ToolContext) -> Any:
        """Show the attendee's agenda: what's next on it, and any clashes."""
        try:
            found = person(tool_context).next_on_agenda()
        except PodiumError as e:
            return _failed(e)
        agenda, upcoming = found["agenda"], found["next"]
        if not agenda:
            return "Your agenda is empty so far. Ask me to add a session by its code."
        if upcoming is None:
            lines = ["All the sessions on your agenda are over:"]
            lines += [f"{_named(i)}, {_when(i)}." for i in agenda]
        else:
            lines = [f"Next on your agenda: {_named(upcoming)}, {_when(upcoming)}."]
            later = agenda[agenda.index(upcoming) + 1 :]
            lines += [f"Then {_named(i)}, {_when(i)}." for i in later]
        clashing = [i for i in agenda if i.get("clashes_with")]
        if clashing:
            pairs = sorted({tuple(sorted([i["code"], *i["clashes_with"]][:2])) for i in clashing})
            lines.append(
                "Clash: " + "; ".join(f"{a} and {b} run at the same time" for a, b in pairs) + "."
            )
        return "\n".join(lines)

    @tool(context=True)
    def record_session_feedback(  # noqa: D417
        code: str, attended_or_rating: str, tool_context: ToolContext
    ) -> Any:
        """Record that the attendee attended, went to or saw a session, talk or workshop, or rated it.

        For example "I attended SEC212", "AIM301 was great", "loved it", "boring", "five stars".

        Args:
            code: The session's code (for example SEC212) or its title.
            attended_or_rating: The attendee's words about it (went, great, boring, 4 stars).
        """
        rating, attended = parse_feedback(attended_or_rating)
        try:
            done = person(tool_context).record_feedback(
                code, rating=rating, attended=True if attended or rating is None else None
            )
        except PodiumError as e:
            return _failed(e)
        note = done["feedback"]
        if note.get("rating"):
            text = f"Thanks, I noted {note['rating']}/5 for {_named(note)}."
            if note["rating"] >= 4:
                text += " I'll suggest more sessions like it."
            else:
                text += " I'll suggest fewer sessions like it."
        else:
            text = f"Noted: you attended {_named(note)}. I won't suggest it again."
        return text

    return [add_to_agenda, remove_from_agenda, show_agenda, record_session_feedback]
