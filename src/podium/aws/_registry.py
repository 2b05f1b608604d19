"""Operation handlers by (service, operation), and what each call gets to work with."""

from __future__ import annotations

import functools
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._errors import AwsError

if TYPE_CHECKING:
    from starlette.requests import Request

    from podium.config import Settings
    from podium.knowledge import KnowledgeService
    from podium.memory import MemoryService
    from podium.storage import Database

    from ._keys import AccessKey, AccessKeys

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_REGION",
    "HANDLERS",
    "AwsBackend",
    "Call",
    "EventStream",
    "operation",
]

#: The account id in every ARN Podium makes (AWS's documentation account).
ACCOUNT_ID = "000000000000"
DEFAULT_REGION = "us-east-1"

Handler = Callable[["Call", dict[str, Any]], Any]
#: (service, operation) -> handler. A sync handler runs in a worker thread; an async one is
#: awaited. It returns the output as a dict, or a Starlette ``Response`` to send as it is.
HANDLERS: dict[tuple[str, str], Handler] = {}


def operation(service: str, name: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``service``'s operation ``name``."""

    def register(handler: Handler) -> Handler:
        HANDLERS[(service, name)] = handler
        return handler

    return register


@dataclass
class EventStream:
    """An event-stream output member: (event member name, event dict) pairs, sync or async."""

    events: Iterator[tuple[str, dict[str, Any]]] | AsyncIterator[tuple[str, dict[str, Any]]]


@dataclass
class AwsBackend:
    """The services behind the endpoints, opened on first use.

    ``open`` returns an object with ``knowledge``, ``memory``, ``database`` and ``settings``
    (a :class:`podium.Podium`); ``runtime`` is the gateway's (for InvokeAgentRuntime).
    """

    settings: Settings
    open: Callable[[], Any]
    runtime: Any = None
    agent_name: str | None = None
    _opened: Any = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def region(self) -> str:
        """The region ARNs and the dev environment use (``aws_region``, else us-east-1)."""
        return self.settings.aws_region or DEFAULT_REGION

    def services(self) -> Any:
        """The opened services (opened once, thread-safe)."""
        with self._lock:
            if self._opened is None:
                self._opened = self.open()
            return self._opened

    @property
    def knowledge(self) -> KnowledgeService:
        """The knowledge-base service."""
        return self.services().knowledge

    @property
    def memory(self) -> MemoryService:
        """The memory service."""
        return self.services().memory

    @property
    def database(self) -> Database:
        """The database both use."""
        return self.services().database

    @functools.cached_property
    def keys(self) -> AccessKeys:
        """The access keys (in the same database)."""
        from ._keys import AccessKeys

        return AccessKeys(self.database)

    def close(self) -> None:
        """Close what :meth:`services` opened."""
        with self._lock:
            opened, self._opened = self._opened, None
        close = getattr(opened, "close", None)
        if close is not None:
            close()


@dataclass
class Call:
    """One request to an operation."""

    service: str
    operation: str
    region: str
    key: AccessKey | None
    backend: AwsBackend
    request: Request
    #: The actor a JWT bearer (InvokeAgentRuntime with OAuth) authenticated, if any.
    bearer_actor: str | None = None

    @property
    def settings(self) -> Settings:
        """The server's settings."""
        return self.backend.settings

    def require_actor(self, actor_id: str) -> None:
        """AccessDeniedException unless this call's key may touch ``actor_id``'s data."""
        if self.key is not None and not self.key.allows_actor(actor_id):
            raise AwsError(
                "AccessDeniedException",
                f"access key {self.key.access_key_id} is not allowed to access actor "
                f"{actor_id!r} (its actor pattern is {self.key.actor_pattern!r})",
                403,
            )

    def arn(self, service: str, resource: str) -> str:
        """An ARN in this call's region and Podium's account."""
        return f"arn:aws:{service}:{self.region}:{ACCOUNT_ID}:{resource}"
