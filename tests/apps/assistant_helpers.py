"""Helpers for event-assistant tests: a small real catalog, service copies, turns, fault injection."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import shutil
import threading
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from strands.types.content import Messages
from strands.types.streaming import StreamEvent
from strands.types.tools import ToolSpec

from podium.agents._offline_model import OfflineModel
from podium.apps.event_assistant import AssistantServices, TurnResult, open_services, stream_turn
from podium.config import Settings
from podium.errors import StorageError

REPO = Path(__file__).resolve().parents[2]
FULL_CATALOG = REPO / "data" / "catalog" / "sessions.jsonl"

#: A fixed slice of the sample catalog (real lines, copied verbatim).
#: Hands-on (workshop / builders' session / code talk) sessions on generative AI or security:
HANDS_ON_AI_SECURITY = [
    "AIM203", "AIM318", "AIM333", "AIM334", "AIM412", "SEC204", "SEC207", "SEC304", "SEC314",
    "SEC328", "SVS202", "DOP210",
]  # fmt: skip
#: AI / security sessions in other formats, and hands-on sessions of other tracks:
OTHER_AI_SECURITY = ["AIM101", "AIM302", "AIM317", "SEC306", "SEC301"]
OTHER_HANDS_ON = ["DAT217", "DAT321"]
#: Breakouts, chalk and lightning talks of other tracks, on every day and level:
OTHER_TRACKS = [
    "ANT317", "CNT205", "COP214", "DAT316", "DOP207", "IND306", "IOT201", "MIG303", "NET214",
    "OBS222", "STG318", "SVS304",
]  # fmt: skip
CATALOG_CODES = HANDS_ON_AI_SECURITY + OTHER_AI_SECURITY + OTHER_HANDS_ON + OTHER_TRACKS
HANDS_ON_TYPES = {"workshop", "builders' session", "code talk"}


def write_catalog(path: Path) -> dict[str, dict[str, Any]]:
    """Write the selected catalog lines to ``path``; return the sessions by code."""
    lines = {}
    for line in FULL_CATALOG.read_text(encoding="utf-8").splitlines():
        if line.strip():
            lines[json.loads(line)["code"]] = line
    path.write_text("".join(lines[code] + "\n" for code in CATALOG_CODES), encoding="utf-8")
    return {code: json.loads(lines[code]) for code in CATALOG_CODES}


def copy_home(seed_home: Path, home: Path) -> None:
    """Copy a built home (the SQLite file with the ingested KB and embedding cache)."""
    home.mkdir(parents=True, exist_ok=True)
    for item in seed_home.iterdir():
        if item.is_file():
            shutil.copy2(item, home / item.name)


def services_in(
    seed_home: Path, home: Path, catalog: Path, *, background_worker: bool
) -> AssistantServices:
    """Assistant services over a copy of the seed home.

    Without a background worker, an extraction worker is still attached to the memory service,
    so ``wait_for_extraction`` runs the pending jobs in the calling thread (deterministic).
    """
    copy_home(seed_home, home)
    services = open_services(
        Settings(home=home, catalog_path=catalog), start_worker=background_worker
    )
    if not background_worker:
        from podium.memory.extraction import ExtractionWorker

        services.memory.worker = ExtractionWorker(services.memory)
    return services


def run_turn(agent: Any, prompt: str) -> TurnResult:
    """One turn through ``stream_turn`` (what the app module and the CLI use), synchronously."""
    result = TurnResult()

    async def consume() -> None:
        async for _ in stream_turn(agent, prompt, result):
            pass

    asyncio.run(consume())
    return result


def message_blocks(messages: Messages) -> list[tuple[str, list[str]]]:
    """(role, block kinds) per message: the shape of a conversation."""
    return [(m["role"], [next(iter(b)) for b in m["content"]]) for m in messages]


def role_text(messages: Messages) -> list[dict[str, Any]]:
    """Messages reduced to role and content (Strands adds bookkeeping keys)."""
    return [{"role": m["role"], "content": m["content"]} for m in messages]


class RecordingOfflineModel(OfflineModel):
    """The real offline model, keeping the system prompt and messages of every call."""

    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        self.seen: list[tuple[str | None, Messages]] = []

    async def stream(
        self,
        messages: Messages,
        tool_specs: list[ToolSpec] | None = None,
        system_prompt: str | None = None,
        **kwargs: Any,
    ) -> AsyncGenerator[StreamEvent, None]:
        """Record, then answer exactly as the offline model does."""
        self.seen.append((system_prompt, copy.deepcopy(messages)))
        async for event in super().stream(messages, tool_specs, system_prompt, **kwargs):
            yield event


class FaultyKB:
    """The real sessions KB behind a switch that makes ``retrieve`` raise or stall.

    Fault injection, not a fake: with ``mode = "ok"`` every call goes to the real KB.
    ``release()`` ends any stalled call (tests call it in teardown).
    """

    def __init__(self, kb: Any) -> None:
        self.kb = kb
        self.mode = "ok"
        self.calls = 0
        self._release = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.kb, name)

    def retrieve(self, *args: Any, **kwargs: Any) -> Any:
        """Raise, stall (until released, at most 30 s) or search, by ``mode``."""
        self.calls += 1
        if self.mode == "raise":
            raise StorageError("database disk image is malformed")
        if self.mode == "crash":
            raise RuntimeError("unexpected bug in the retriever")
        if self.mode == "hang":
            self._release.wait(30)
        return self.kb.retrieve(*args, **kwargs)

    def release(self) -> None:
        """Let every stalled call finish."""
        self._release.set()


def with_kb(services: AssistantServices, kb: Any) -> AssistantServices:
    """The same services (database, memory) over another KB object, with its own tools."""
    return dataclasses.replace(services, kb=kb)
