"""Memory resources: create, get, list, update (strategies) and delete a memory.

Namespace templates are checked by :mod:`._namespaces`; reading memory rows (and the caches
every operation shares) is :mod:`._lookup`.
"""

from __future__ import annotations

import logging
import re
import secrets
import string
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.errors import Conflict, InvalidInput, NotFound

from . import _tables as t
from ._lookup import row_to_memory
from ._models import STRATEGY_TYPES, Memory, MemoryStrategy
from ._namespaces import DEFAULT_NAMESPACES, validate_namespace_template
from .extraction import _queue

if TYPE_CHECKING:
    import numpy as np

    from podium.config import Settings
    from podium.embeddings import Embedder
    from podium.storage import Database

    from ._lookup import MemoryLookup

__all__ = ["MemoryResources", "normalize_strategy"]

logger = logging.getLogger(__name__)

_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]{0,47}")
_ALNUM = string.ascii_letters + string.digits
MAX_STRATEGIES = 6
MAX_DESCRIPTION = 4096

# AgentCore's wrapper keys and type spellings -> Podium strategy types.
_WRAPPERS = {
    "userPreferenceMemoryStrategy": "user_preference",
    "semanticMemoryStrategy": "semantic",
    "summaryMemoryStrategy": "summary",
    "summarizationMemoryStrategy": "summary",
    "episodicMemoryStrategy": "episodic",
    "customMemoryStrategy": "custom",
}
_TYPE_ALIASES = {
    "user_preference": "user_preference",
    "userpreference": "user_preference",
    "semantic": "semantic",
    "summary": "summary",
    "summarization": "summary",
    "episodic": "episodic",
    "custom": "custom",
}


def _random_suffix() -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(10))


def _normalize_configuration(raw: object, field: str) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidInput(f"{field} must be an object")
    config = dict(raw)
    append = config.pop("appendToPrompt", config.get("append_to_prompt"))
    model = config.pop("modelId", config.get("model_id"))
    if append is not None and not isinstance(append, str):
        raise InvalidInput(f"{field}.append_to_prompt must be a string")
    if model is not None and not isinstance(model, str):
        raise InvalidInput(f"{field}.model_id must be a string")
    config["append_to_prompt"] = append
    config["model_id"] = model
    triggers = config.get("triggers") or {}
    if not isinstance(triggers, dict):
        raise InvalidInput(f"{field}.triggers must be an object")
    count = triggers.get("message_count", triggers.get("messageCount", 1))
    idle = triggers.get("idle_seconds", triggers.get("idleSeconds"))
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
        raise InvalidInput(f"{field}.triggers.message_count must be an integer in 1..1000")
    if idle is not None and (
        isinstance(idle, bool) or not isinstance(idle, (int, float)) or idle <= 0
    ):
        raise InvalidInput(f"{field}.triggers.idle_seconds must be a positive number")
    config["triggers"] = {
        "message_count": count,
        "idle_seconds": float(idle) if idle is not None else None,
    }
    return config


def normalize_strategy(raw: object, field: str = "strategies[0]") -> MemoryStrategy:
    """A new strategy from AgentCore's wrapped form or Podium's ``{"type", "name", ...}`` form."""
    if not isinstance(raw, dict):
        raise InvalidInput(f"{field} must be an object")
    wrapped = [k for k in raw if k in _WRAPPERS]
    if wrapped:
        if len(raw) != 1:
            raise InvalidInput(f"{field} must have exactly one strategy key")
        kind = _WRAPPERS[wrapped[0]]
        body = raw[wrapped[0]]
        if not isinstance(body, dict):
            raise InvalidInput(f"{field}.{wrapped[0]} must be an object")
    else:
        type_name = raw.get("type")
        key = str(type_name).lower().replace("-", "_") if isinstance(type_name, str) else ""
        if key not in _TYPE_ALIASES:
            raise InvalidInput(
                f"{field}.type must be one of {', '.join(STRATEGY_TYPES)} "
                "(or use an AgentCore key such as 'semanticMemoryStrategy')"
            )
        kind = _TYPE_ALIASES[key]
        body = raw
    name = body.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput(f"{field}.name must match {_NAME.pattern}")
    description = body.get("description") or ""
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"{field}.description must be a string of at most {MAX_DESCRIPTION}")
    namespaces = body.get("namespaces")
    if namespaces is None:
        namespaces = [DEFAULT_NAMESPACES[kind]]
    if not isinstance(namespaces, list) or not 1 <= len(namespaces) <= 1:
        raise InvalidInput(f"{field}.namespaces must be a list with one template")
    templates = [validate_namespace_template(ns, f"{field}.namespaces") for ns in namespaces]
    config = _normalize_configuration(body.get("configuration"), f"{field}.configuration")
    return MemoryStrategy(
        strategy_id=f"{name}-{_random_suffix()}",
        name=name,
        type=kind,
        namespaces=templates,
        description=description,
        configuration=config,
    )


def _check_expiry(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 3 <= days <= 365:
        raise InvalidInput(
            f"eventExpiryDuration must be an integer number of days in 3..365 (got {days!r})"
        )
    return days


def _check_description(description: object) -> str:
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"description must be a string of at most {MAX_DESCRIPTION} characters")
    return description


def _check_unique_names(strategies: Sequence[MemoryStrategy]) -> None:
    if len(strategies) > MAX_STRATEGIES:
        raise InvalidInput(f"a memory has at most {MAX_STRATEGIES} strategies")
    names = [s.name for s in strategies]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InvalidInput(f"strategies names must be unique within a memory: {', '.join(dupes)}")


class MemoryResources:
    """Memory resource operations over ``db``: create, get, list, update, delete; embedders."""

    db: Database
    settings: Settings
    lookup: MemoryLookup

    def create_memory(
        self,
        name: str,
        description: str = "",
        event_expiry_days: int = 90,
        strategies: Sequence[dict[str, Any]] | None = None,
        embedding_model: str | None = None,
    ) -> Memory:
        """Create a memory (event expiry 3..365 days; strategies in AgentCore or Podium form).

        Strategy ids and default namespaces are filled in.
        """
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise InvalidInput(f"name must match {_NAME.pattern} (got {name!r})")
        _check_description(description)
        _check_expiry(event_expiry_days)
        if strategies is not None and not isinstance(strategies, (list, tuple)):
            raise InvalidInput("strategies must be a list")
        parsed = [normalize_strategy(s, f"strategies[{i}]") for i, s in enumerate(strategies or [])]
        _check_unique_names(parsed)
        model_id = embedding_model or self.settings.embedding_model
        self.lookup.embedder(model_id)  # unknown model ids fail here, before anything is stored
        now = time.time()
        memory = Memory(
            memory_id=f"{name}-{_random_suffix()}",
            name=name,
            description=description,
            event_expiry_days=event_expiry_days,
            strategies=parsed,
            embedding_model=model_id,
            created_at=now,
            updated_at=now,
        )
        with self.db.begin() as conn:
            if conn.execute(sa.select(t.memories.c.id).where(t.memories.c.name == name)).first():
                raise Conflict(f"a memory named {name!r} already exists")
            conn.execute(
                t.memories.insert().values(
                    id=memory.memory_id,
                    name=name,
                    description=description,
                    event_expiry_days=event_expiry_days,
                    strategies=[s.as_dict() for s in parsed],
                    embedding_model=model_id,
                    records_version=0,
                    created_at=now,
                    updated_at=now,
                )
            )
        logger.info("memory_id=<%s> | memory created", memory.memory_id)
        return memory

    def get_memory(self, memory_id: str) -> Memory:
        """One memory; NotFound if absent."""
        return self.lookup.get(memory_id)

    def list_memories(self) -> list[Memory]:
        """Every memory, oldest first."""
        with self.db.connect() as conn:
            rows = conn.execute(sa.select(t.memories).order_by(t.memories.c.created_at))
            return [row_to_memory(r) for r in rows]

    def update_memory(
        self,
        memory_id: str,
        description: str | None = None,
        event_expiry_days: int | None = None,
        add_strategies: Sequence[dict[str, Any]] | None = None,
        modify_strategies: Sequence[dict[str, Any]] | None = None,
        delete_strategy_ids: Sequence[str] | None = None,
    ) -> Memory:
        """Change description/expiry; add, modify or delete strategies.

        Records of a deleted strategy stay (AgentCore keeps them too); no new jobs are queued.
        """
        if description is not None:
            _check_description(description)
        if event_expiry_days is not None:
            _check_expiry(event_expiry_days)
        added = [
            normalize_strategy(s, f"addMemoryStrategies[{i}]")
            for i, s in enumerate(add_strategies or [])
        ]
        with self.db.begin() as conn:
            memory = self.lookup.load(conn, memory_id)
            strategies = {s.strategy_id: s for s in memory.strategies}
            for sid in delete_strategy_ids or []:
                if sid not in strategies:
                    raise NotFound(f"deleteMemoryStrategies: strategy {sid!r} not found")
                del strategies[sid]
            for i, change in enumerate(modify_strategies or []):
                self._modify(strategies, change, f"modifyMemoryStrategies[{i}]")
            merged = list(strategies.values()) + added
            _check_unique_names(merged)
            memory.strategies = merged
            if description is not None:
                memory.description = description
            if event_expiry_days is not None:
                memory.event_expiry_days = event_expiry_days
            memory.updated_at = time.time()
            conn.execute(
                t.memories.update()
                .where(t.memories.c.id == memory_id)
                .values(
                    description=memory.description,
                    event_expiry_days=memory.event_expiry_days,
                    strategies=[s.as_dict() for s in merged],
                    updated_at=memory.updated_at,
                )
            )
            self.lookup.invalidate(memory_id)
            if delete_strategy_ids:
                _queue.delete_strategy_cursors(conn, memory_id, list(delete_strategy_ids))
        return memory

    @staticmethod
    def _modify(strategies: dict[str, MemoryStrategy], change: object, field: str) -> None:
        if not isinstance(change, dict):
            raise InvalidInput(f"{field} must be an object")
        sid = change.get("strategyId", change.get("memoryStrategyId"))
        if sid not in strategies:
            raise NotFound(f"{field}: strategy {sid!r} not found")
        strategy = strategies[sid]
        if "description" in change:
            strategy.description = _check_description(change["description"])
        if "namespaces" in change:
            namespaces = change["namespaces"]
            if not isinstance(namespaces, list) or len(namespaces) != 1:
                raise InvalidInput(f"{field}.namespaces must be a list with one template")
            strategy.namespaces = [
                validate_namespace_template(ns, f"{field}.namespaces") for ns in namespaces
            ]
        if "configuration" in change:
            update = change["configuration"]
            if not isinstance(update, dict):
                raise InvalidInput(f"{field}.configuration must be an object")
            merged = {**strategy.configuration, **update}
            if "triggers" in update and isinstance(update["triggers"], dict):
                merged["triggers"] = {
                    **strategy.configuration.get("triggers", {}),
                    **update["triggers"],
                }
            strategy.configuration = _normalize_configuration(merged, f"{field}.configuration")

    def delete_memory(self, memory_id: str) -> None:
        """Delete a memory and everything in it (events, records, history, jobs, FTS rows)."""
        with self.db.begin() as conn:
            self.lookup.load(conn, memory_id)
            t.EVENTS_FTS.delete_scope(conn, memory_id)
            t.RECORDS_FTS.delete_scope(conn, memory_id)
            conn.execute(t.memories.delete().where(t.memories.c.id == memory_id))
        self.lookup.invalidate(memory_id)
        logger.info("memory_id=<%s> | memory deleted", memory_id)

    def embedder(self, model_id: str) -> Embedder:
        """The embedder for ``model_id`` (shared per process)."""
        return self.lookup.embedder(model_id)

    def memory_embedder(self, memory_id: str) -> Embedder:
        """The embedder a memory's vectors are made with."""
        return self.lookup.embedder(self.lookup.get(memory_id).embedding_model)

    def vector_of(self, text: str, memory_id: str) -> np.ndarray:
        """A document vector of ``text`` with the memory's model (helper for record writers)."""
        return self.memory_embedder(memory_id).embed([text], kind="document")[0]
