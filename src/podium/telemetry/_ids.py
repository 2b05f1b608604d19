"""The ids of the invocation being served, in context variables (logs and spans read them)."""

from __future__ import annotations

from contextvars import ContextVar

__all__ = ["bind_ids", "current_ids"]

_SESSION: ContextVar[str | None] = ContextVar("podium_session_id", default=None)
_ACTOR: ContextVar[str | None] = ContextVar("podium_actor_id", default=None)
_REQUEST: ContextVar[str | None] = ContextVar("podium_request_id", default=None)


def bind_ids(
    *, session_id: str | None = None, actor_id: str | None = None, request_id: str | None = None
) -> None:
    """Set the ids of this context (the current task or thread); None leaves one as it is.

    Never reset: an invocation runs in its own task (a request, a worker's invocation), whose
    context ends with it, so the ids cannot leak into another invocation.
    """
    if session_id is not None:
        _SESSION.set(session_id)
    if actor_id is not None:
        _ACTOR.set(actor_id)
    if request_id is not None:
        _REQUEST.set(request_id)


def current_ids() -> dict[str, str]:
    """``session_id``, ``actor_id`` and ``request_id`` of this context, those that are known."""
    found = {"session_id": _SESSION.get(), "actor_id": _ACTOR.get(), "request_id": _REQUEST.get()}
    return {k: v for k, v in found.items() if v is not None}
