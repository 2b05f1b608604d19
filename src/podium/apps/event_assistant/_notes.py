"""Attendee notes: an actor's agenda and session feedback, kept as long-term memory records.

Each note is one record of the assistant's memory under a per-actor namespace of its kind
(``/attendee/agenda/actors/{actorId}``, ``/attendee/feedback/actors/{actorId}``), one record per
session code. A note's ``content`` is ``{"text": <a sentence>, "note": {...}}`` and its
``metadata`` ``{"kind", "code"}``; ``source_event_ids`` name the short-term events (the
attendee's own words, or the API call) it came from, so the UI can show its provenance.

:class:`LocalNotes` writes them over a :class:`~podium.memory.MemoryService`; a thin session
worker reaches the gateway's through ``_host`` (``notes.*``) and ``_remote``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol

from podium.errors import InvalidInput
from podium.memory import escape_namespace_value

if TYPE_CHECKING:
    from collections.abc import Sequence

    from podium.memory import MemoryRecord, MemoryService

__all__ = ["NOTE_KINDS", "AttendeeNotes", "LocalNotes", "NoteKind", "notes_namespace"]

NoteKind = Literal["agenda", "feedback"]
NOTE_KINDS: tuple[NoteKind, ...] = ("agenda", "feedback")
#: More than any attendee's agenda or feedback list (a conference has a few hundred sessions).
_MAX_NOTES = 100


def notes_namespace(kind: str, actor_id: str) -> str:
    """The concrete namespace of one actor's notes of ``kind``."""
    if kind not in NOTE_KINDS:
        raise InvalidInput(f"note kind must be one of {', '.join(NOTE_KINDS)}")
    return f"/attendee/{kind}/actors/{escape_namespace_value(actor_id)}"


class AttendeeNotes(Protocol):
    """Read and write one actor's notes (in this process, or the gateway's for a thin worker)."""

    def list_notes(self, memory_id: str, actor_id: str, kind: str) -> list[dict[str, Any]]:
        """The actor's notes of ``kind``, newest first, each with ``record_id`` and sources."""
        ...

    def put_note(
        self,
        memory_id: str,
        actor_id: str,
        kind: str,
        note: dict[str, Any],
        text: str,
        source_event_ids: list[str],
    ) -> dict[str, Any]:
        """Create or replace the note for ``note["code"]``; the stored note."""
        ...

    def delete_note(self, memory_id: str, actor_id: str, kind: str, code: str) -> bool:
        """Delete the note for ``code``; False when there was none."""
        ...


def _as_note(record: MemoryRecord) -> dict[str, Any]:
    note = record.content.get("note")
    out = dict(note) if isinstance(note, dict) else {}
    out.update(
        record_id=record.record_id,
        source_event_ids=list(record.source_event_ids),
        updated_at=record.updated_at,
    )
    return out


class LocalNotes:
    """:class:`AttendeeNotes` over a memory service in this process."""

    def __init__(self, memory: MemoryService) -> None:
        self.memory = memory

    def _records(self, memory_id: str, actor_id: str, kind: str) -> list[MemoryRecord]:
        records, _ = self.memory.list_memory_records(
            memory_id,
            notes_namespace(kind, actor_id),
            max_results=_MAX_NOTES,
            actor_id=actor_id,
            exact=True,
        )
        return records

    def list_notes(self, memory_id: str, actor_id: str, kind: str) -> list[dict[str, Any]]:
        """The actor's notes of ``kind``, newest first."""
        return [_as_note(r) for r in self._records(memory_id, actor_id, kind)]

    def put_note(
        self,
        memory_id: str,
        actor_id: str,
        kind: str,
        note: dict[str, Any],
        text: str,
        source_event_ids: Sequence[str],
    ) -> dict[str, Any]:
        """Replace the actor's note for the same code (history keeps the old one)."""
        from podium.memory.records._writes import NewRecord

        code = note.get("code")
        if not isinstance(code, str) or not code:
            raise InvalidInput("a note needs a session code")
        namespace = notes_namespace(kind, actor_id)
        old = [
            r for r in self._records(memory_id, actor_id, kind) if r.metadata.get("code") == code
        ]
        sources = list(
            dict.fromkeys([*source_event_ids, *(s for r in old for s in r.source_event_ids)])
        )
        with self.memory.db.begin() as conn:
            for record in old:
                self.memory.records.delete_record(
                    conn, record.record_id, rationale=f"{kind} note replaced"
                )
            record_id = self.memory.records.add_record(
                conn,
                NewRecord(
                    memory_id=memory_id,
                    namespace=namespace,
                    actor_id=actor_id,
                    content={"text": text, "note": dict(note)},
                    metadata={"kind": kind, "code": code},
                    source_event_ids=sources,
                    rationale=f"{kind} note written by the event assistant",
                ),
            )
        return {**note, "record_id": record_id, "source_event_ids": sources}

    def delete_note(self, memory_id: str, actor_id: str, kind: str, code: str) -> bool:
        """Delete the actor's note for ``code``."""
        old = [
            r for r in self._records(memory_id, actor_id, kind) if r.metadata.get("code") == code
        ]
        with self.memory.db.begin() as conn:
            for record in old:
                self.memory.records.delete_record(
                    conn, record.record_id, rationale=f"{kind} note removed"
                )
        return bool(old)
