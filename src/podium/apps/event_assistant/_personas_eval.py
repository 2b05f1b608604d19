"""``podium eval personas``: do recommendations honour what attendees said about themselves?

Each attendee of the data file introduces themselves in one session; once that turn's memory
extraction has finished, they ask for recommendations in a new session. Every cited session is
checked against the attendee's stated constraints (topics, hands-on, level bounds, days,
excluded topics); the attendee's score is the share of cited sessions meeting all of them (0 when
nothing is cited). A fresh actor then asks the same and must see nothing of that profile.

The data file is a JSON list of objects: ``id``, ``intro``, ``ask`` and optional constraints
``topics`` (any one must match), ``hands_on``, ``min_level``, ``max_level``, ``days`` and
``exclude_topics``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.errors import InvalidInput

from ._catalog import catalog_path
from ._profile import HANDS_ON_TYPES, load_profile

if TYPE_CHECKING:
    from podium.config import Settings

    from ._services import AssistantServices

__all__ = ["CONSTRAINTS", "evaluate_personas", "load_personas", "session_checks"]

logger = logging.getLogger(__name__)

#: The constraint names reported per attendee and overall.
CONSTRAINTS = ("topics", "hands_on", "level", "days", "exclude_topics")
_KEYS = {"id", "intro", "ask", "topics", "hands_on", "min_level", "max_level", "days"}
_KEYS |= {"exclude_topics"}
_EXTRACTION_TIMEOUT_S = 60.0


def load_personas(path: Path) -> list[dict[str, Any]]:
    """The attendees of a personas file, validated."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read personas file {path}: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise InvalidInput("a personas file is a non-empty JSON list of attendees")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise InvalidInput(f"attendee {index} is not an object")
        for key in ("id", "intro", "ask"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise InvalidInput(f"attendee {index} needs a non-empty string {key!r}")
        unknown = set(item) - _KEYS
        if unknown:
            raise InvalidInput(f"attendee {item['id']}: unknown keys {sorted(unknown)}")
    return data


def session_checks(persona: dict[str, Any], session: dict[str, Any]) -> dict[str, bool]:
    """Which of the attendee's stated constraints one catalog session meets (stated ones only)."""
    checks: dict[str, bool] = {}
    topics = set(session.get("topics") or [])
    if persona.get("topics"):
        checks["topics"] = bool(topics & set(persona["topics"]))
    if persona.get("hands_on"):
        checks["hands_on"] = session.get("type") in HANDS_ON_TYPES
    if persona.get("min_level") is not None or persona.get("max_level") is not None:
        level = int(session.get("level") or 0)
        low = int(persona.get("min_level") or 0)
        high = int(persona.get("max_level") or 10_000)
        checks["level"] = low <= level <= high
    if persona.get("days"):
        checks["days"] = session.get("day") in set(persona["days"])
    if persona.get("exclude_topics"):
        checks["exclude_topics"] = not topics & set(persona["exclude_topics"])
    return checks


def _catalog(settings: Settings) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for line in catalog_path(settings).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[str(row["code"])] = row
    return rows


def _turn(services: AssistantServices, actor_id: str, session_id: str, prompt: str) -> Any:
    """One public-path turn (``create_agent`` + ``stream_turn``), synchronously."""
    from ._agent import create_agent
    from ._turn import TurnResult, stream_turn

    agent = create_agent(actor_id, session_id, services=services)
    result = TurnResult()

    async def consume() -> None:
        async for _ in stream_turn(agent, prompt, result):
            pass

    asyncio.run(consume())
    return agent, result


def _cited_codes(result: Any) -> list[str]:
    codes = list(result.cited) or [str(s.get("code")) for s in result.sessions if s.get("code")]
    return list(dict.fromkeys(codes))


def _evaluate_one(
    services: AssistantServices,
    catalog: dict[str, dict[str, Any]],
    persona: dict[str, Any],
    run_id: str,
) -> dict[str, Any]:
    actor = f"eval-{run_id}-{persona['id']}"
    intro_session, ask_session = str(uuid.uuid4()), str(uuid.uuid4())
    _turn(services, actor, intro_session, persona["intro"])
    # The next session must see what the introduction said: run (or wait for) its extraction.
    services.memory.wait_for_extraction(
        services.memory_id, actor, intro_session, timeout=_EXTRACTION_TIMEOUT_S
    )
    started = time.perf_counter()
    agent, result = _turn(services, actor, ask_session, persona["ask"])
    ask_ms = (time.perf_counter() - started) * 1000
    cited = _cited_codes(result)
    per_session = {code: session_checks(persona, catalog.get(code, {})) for code in cited}
    per_constraint: dict[str, float] = {}
    for name in session_checks(persona, {}):  # the stated constraints; none cited scores 0
        marks = [checks[name] for checks in per_session.values()]
        per_constraint[name] = sum(marks) / len(marks) if marks else 0.0
    met = [all(checks.values()) for checks in per_session.values()]
    score = sum(met) / len(met) if met else 0.0
    # Leak check: a fresh actor asking the same must get nothing of this attendee's profile.
    fresh = f"eval-{run_id}-fresh-{persona['id']}"
    fresh_session = str(uuid.uuid4())
    fresh_agent, _ = _turn(services, fresh, fresh_session, persona["ask"])
    fresh_profile = load_profile(services.memory, services.memory_id, fresh, fresh_session)
    state = fresh_agent.state.get("profile") or {}
    leak = (not fresh_profile.empty) or bool(state.get("topics") or state.get("avoided_topics"))
    return {
        "id": persona["id"],
        "score": round(score, 4),
        "cited": cited,
        "constraints": {k: round(v, 4) for k, v in per_constraint.items()},
        "profile": agent.state.get("profile") or {},
        "leak": leak,
        "ask_ms": round(ask_ms, 1),
    }


def evaluate_personas(
    data: Path,
    settings: Settings,
    *,
    progress: Callable[[str], None] | None = None,
    step: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every attendee of ``data`` through the assistant; the scores, as one JSON object.

    ``step(done, total)`` is told after each attendee (a progress bar). Uses ``settings`` as
    configured (home, catalog, embedder, model). Attendees get actor ids
    unique to this run (``eval-<run>-<id>``), so earlier runs never personalise a later one.
    """
    from ._services import open_services

    personas = load_personas(data)
    services = open_services(settings, start_worker=False)
    try:
        catalog = _catalog(settings)
        run_id = uuid.uuid4().hex[:8]
        rows = []
        for persona in personas:
            row = _evaluate_one(services, catalog, persona, run_id)
            rows.append(row)
            if progress is not None:
                progress(f"{row['id']}: {row['score']:.2f} cited={','.join(row['cited'])}")
            if step is not None:
                step(len(rows), len(personas))
    finally:
        services.close()
    per_constraint: dict[str, float] = {}
    for name in CONSTRAINTS:
        values = [r["constraints"][name] for r in rows if name in r["constraints"]]
        if values:
            per_constraint[name] = round(sum(values) / len(values), 4)
    mean = sum(r["score"] for r in rows) / len(rows)
    logger.info("attendees=<%d>, mean=<%.3f> | personas evaluated", len(rows), mean)
    return {
        "data": str(data),
        "attendees": len(rows),
        "mean": round(mean, 4),
        "constraints": per_constraint,
        "leaks": sum(1 for r in rows if r["leak"]),
        "leak": any(r["leak"] for r in rows),
        "results": rows,
    }
