"""Benchmark: one full event-assistant turn with the offline model on the sample KB.

A turn = the user message written to memory, the offline model routing to ``search_sessions``
(hybrid KB retrieval with the preference boost, query embedding included), the grounded answer,
and the assistant/tool messages written to memory (4 ``create_event`` calls), all through
``stream_turn`` as the app module runs it. Measured:

- ``turn``: a turn on an existing agent (conversations of ``--turns-per-agent`` turns);
- ``cold_turn``: ``create_agent`` (memory load: profile records, last K turns) + one turn;
- ``create_agent`` and ``kb_retrieve`` alone, to show where the time goes.

Targets (issue 7): turn p50 <= 50 ms, p99 <= 150 ms. The actor has a real profile (an
introduction turn, extracted by the offline extractor before timing). The extraction worker is
not running while timing: it works off the turn's path. The full 600-session catalog is ingested
once into ``--home`` (default: a stable directory under the temp dir), so later runs reuse it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _common import fresh_services, percentiles, report, time_calls

from podium.apps.event_assistant import TurnResult, create_agent, open_services, stream_turn
from podium.config import Settings

INTRO = (
    "My name is Alice, I'm a software engineer at TechCorp. I'm interested in AI and security "
    "and I prefer hands-on sessions."
)
PROMPTS = [
    "Which sessions should I attend?",
    "Any workshops on serverless on Thursday?",
    "Find sessions about observability with OpenTelemetry",
    "Recommend 300-level database sessions",
    "What did we talk about last time?",
]


def main() -> None:
    """Run the benchmark and write benchmarks/results/agent_turn.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200, help="timed turns per measurement")
    parser.add_argument("--turns-per-agent", type=int, default=5)
    parser.add_argument("--home", type=Path, default=None, help="PODIUM_HOME to (re)use")
    parser.add_argument("--fresh", action="store_true", help="a new empty home (re-ingests)")
    args = parser.parse_args()

    if args.fresh:
        settings, db, _ = fresh_services("agent-turn")
        db.dispose()
    else:
        home = args.home or Path(tempfile.gettempdir()) / "podium-bench-agent-turn"
        settings = Settings(home=home)
    started = time.perf_counter()
    services = open_services(settings, start_worker=False)
    setup_s = time.perf_counter() - started
    documents = services.knowledge.info("sessions").document_count

    from podium.memory.extraction import ExtractionWorker

    services.memory.worker = ExtractionWorker(services.memory)
    loop = asyncio.new_event_loop()

    def turn(agent: Any, prompt: str) -> TurnResult:
        result = TurnResult()

        async def consume() -> None:
            async for _ in stream_turn(agent, prompt, result):
                pass

        loop.run_until_complete(consume())
        return result

    actor = f"bench-{uuid.uuid4().hex[:8]}"
    intro_agent = create_agent(actor, "intro", services=services)
    turn(intro_agent, INTRO)
    assert services.memory.wait_for_extraction(services.memory_id, actor, "intro", timeout=120)

    agents: dict[int, Any] = {}

    def timed_existing(n: int) -> list[float]:
        """Turns on existing agents; each conversation's agent is built outside the timing."""
        out = []
        for i in range(n):
            conversation = i // args.turns_per_agent
            if conversation not in agents:
                agents.clear()
                agents[conversation] = create_agent(
                    actor, f"warm-{uuid.uuid4().hex[:8]}", services=services
                )
            begin = time.perf_counter()
            result = turn(agents[conversation], PROMPTS[i % len(PROMPTS)])
            out.append((time.perf_counter() - begin) * 1000)
            assert result.text
        return out

    timed_existing(5)  # warm-up: model, tools, caches
    agents.clear()
    turn_ms = timed_existing(args.turns)

    def cold(i: int) -> None:
        agent = create_agent(actor, f"cold-{i}-{uuid.uuid4().hex[:6]}", services=services)
        turn(agent, PROMPTS[0])

    cold_ms = time_calls(cold, max(args.turns // 2, 20))
    create_ms = time_calls(
        lambda i: create_agent(actor, f"load-{i}", services=services), max(args.turns // 2, 20)
    )
    retrieve_ms = time_calls(
        lambda i: services.kb.retrieve(PROMPTS[i % len(PROMPTS)], 15), args.turns
    )
    sample = turn(create_agent(actor, "sample", services=services), PROMPTS[0])
    loop.close()
    services.close()

    turn_stats = percentiles(turn_ms)
    report(
        "agent_turn",
        {
            "documents": documents,
            "setup_s": round(setup_s, 2),
            "model": sample.model,
            "sample_cited": sample.cited,
            "turns_per_agent": args.turns_per_agent,
            "turn": turn_stats,
            "cold_turn": percentiles(cold_ms),
            "create_agent": percentiles(create_ms),
            "kb_retrieve": percentiles(retrieve_ms),
            "targets": {"p50_ms": 50, "p99_ms": 150},
            "meets_targets": turn_stats["p50_ms"] <= 50 and turn_stats["p99_ms"] <= 150,
            "load_average_1m": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count(),
        },
    )


if __name__ == "__main__":
    main()
