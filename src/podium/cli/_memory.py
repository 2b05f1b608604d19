"""``podium memory``: memory resources, events, records, forget-me and the extraction worker."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from podium.errors import InvalidInput, NotFound

from . import _context
from ._output import command_group, console, print_json

if TYPE_CHECKING:
    from podium.memory import MemoryService

__all__ = ["memory_app"]

memory_app = command_group("Memory: events, long-term records, forget-me, worker.")

#: The event assistant's memory, used when --memory is not given.
DEFAULT_MEMORY = "EventAssistant"
MemoryOpt = Annotated[str, typer.Option("--memory", "-m", help="Memory name or id.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _service() -> MemoryService:
    from podium.memory import MemoryService

    return MemoryService(_context.database(), _context.settings())


def _resolve(service: MemoryService, name_or_id: str) -> str:
    for memory in service.list_memories():
        if name_or_id in (memory.memory_id, memory.name):
            return memory.memory_id
    raise NotFound(f"memory {name_or_id!r} not found (see `podium memory list`)")


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


@memory_app.command("create")
def create(
    name: str,
    description: Annotated[str, typer.Option(help="Free text.")] = "",
    strategies: Annotated[
        str | None,
        typer.Option(
            help='Strategies JSON, e.g. \'[{"type": "user_preference", "name": "prefs"}]\'.'
        ),
    ] = None,
    expiry_days: Annotated[int, typer.Option(help="Event expiry in days (3-365).")] = 90,
    as_json: JsonOpt = False,
) -> None:
    """Create a memory resource with long-term strategies."""
    parsed: Any = None
    if strategies:
        try:
            parsed = json.loads(strategies)
        except json.JSONDecodeError as e:
            raise InvalidInput(f"--strategies is not valid JSON: {e.msg}") from None
    memory = _service().create_memory(
        name, description=description, event_expiry_days=expiry_days, strategies=parsed
    )
    if as_json:
        print_json(memory.as_dict())
    else:
        console.print(f"created memory [bold]{escape(memory.name)}[/] ({memory.memory_id})")


@memory_app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """List memory resources."""
    memories = _service().list_memories()
    if as_json:
        print_json([m.as_dict() for m in memories])
        return
    table = Table("name", "id", "strategies", "expiry days")
    for m in memories:
        table.add_row(
            m.name, m.memory_id, ", ".join(s.type for s in m.strategies), str(m.event_expiry_days)
        )
    console.print(table)


@memory_app.command("show")
def show(
    memory: Annotated[str, typer.Argument(help="Memory name or id.")], as_json: JsonOpt = False
) -> None:
    """Show a memory's strategies, namespaces and actors."""
    service = _service()
    found = service.get_memory(_resolve(service, memory))
    actors = service.list_actors(found.memory_id)
    if as_json:
        print_json({**found.as_dict(), "actors": [a.as_dict() for a in actors]})
        return
    console.print(
        f"[bold]{escape(found.name)}[/] ({found.memory_id}) — {escape(str(found.description))}"
    )
    for s in found.strategies:
        console.print(
            f"  strategy {s.strategy_id} [{s.type}] namespaces={s.namespaces}", markup=False
        )
    console.print(f"  actors: {len(actors)}")


@memory_app.command("events")
def events(
    actor: str,
    session: str,
    memory: MemoryOpt = DEFAULT_MEMORY,
    max_results: Annotated[int, typer.Option(help="Events per page (1-100).")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """List an actor's events in one session, oldest first."""
    service = _service()
    memory_id = _resolve(service, memory)
    found, _ = service.list_events(memory_id, actor, session, max_results=max_results)
    if as_json:
        print_json([e.as_dict() for e in found])
        return
    for event in found:
        for item in event.payload:
            conv = item.get("conversational")
            text = conv["content"]["text"] if conv else json.dumps(item.get("blob"))
            role = conv["role"] if conv else "BLOB"
            console.print(
                f"{_when(event.event_timestamp)} [bold]{role:<9}[/] {escape(text)}",
                markup=True,
                soft_wrap=True,
            )


@memory_app.command("records")
def records(
    actor: str,
    memory: MemoryOpt = DEFAULT_MEMORY,
    namespace: Annotated[
        str | None, typer.Option(help="Namespace prefix (default: all of the actor's namespaces).")
    ] = None,
    query: Annotated[str | None, typer.Option(help="Search text (hybrid search).")] = None,
    top_k: Annotated[int, typer.Option(help="Results (1-100).")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List or search an actor's long-term records, with provenance."""
    service = _service()
    memory_id = _resolve(service, memory)
    found_memory = service.get_memory(memory_id)
    from podium.memory._namespaces import actor_prefixes

    prefixes = (
        [namespace]
        if namespace
        else list(dict.fromkeys(p for _, p in actor_prefixes(found_memory.strategies, actor)))
    )
    out = []
    for prefix in prefixes:
        if query:
            out += service.retrieve_memory_records(
                memory_id, prefix, query, top_k=top_k, actor_id=actor
            )
        else:
            out += service.list_memory_records(
                memory_id, prefix, max_results=min(top_k, 100), actor_id=actor
            )[0]
    if as_json:
        print_json([r.as_dict() for r in out])
        return
    from podium.memory import readable_record_text

    for r in out:
        score = f" score={r.score:.3f}" if r.score is not None else ""
        # What a record says came from users: printed as text, never read as console markup.
        text, why = escape(readable_record_text(r.text)), escape(str(r.rationale))
        console.print(
            f"[bold]{escape(r.record_id)}[/] {escape(r.namespace)}{score}\n  {text}\n"
            f"  [dim]why: {why}; from events {escape(str(r.source_event_ids))}[/]"
        )


@memory_app.command("recall")
def recall(
    actor: str,
    query: str,
    memory: MemoryOpt = DEFAULT_MEMORY,
    top_k: Annotated[int, typer.Option(help="Turns (1-100).")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """The actor's past turns that answer QUERY (events and records fused), with context."""
    service = _service()
    hits = service.recall(_resolve(service, memory), actor, query, top_k=top_k)
    if as_json:
        print_json([h.as_dict() for h in hits])
        return
    for h in hits:
        said = f" {escape(h.speaker)}" if h.speaker else ""
        console.print(
            f"[bold]{escape(h.session_id)}[/] {_when(h.event_timestamp)}{said} score={h.score:.3f}",
            markup=True,
        )
        # The turn found is marked "> ", its neighbours are indented (and dimmed on a terminal).
        turns = [(c.event_timestamp, "  " + c.text, "dim") for c in h.context]
        for _, text, style in sorted([*turns, (h.event_timestamp, "> " + h.text, "")]):
            console.print(text, style=style or None, markup=False, soft_wrap=True)


@memory_app.command("forget")
def forget(
    actor: str,
    memory: MemoryOpt = DEFAULT_MEMORY,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Forget an actor: delete their events, records, history and jobs."""
    service = _service()
    memory_id = _resolve(service, memory)
    if not yes and not typer.confirm(f"forget everything about {actor!r}?"):
        raise typer.Exit(1)
    counts = service.delete_actor(memory_id, actor)
    console.print(f"forgot {actor}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@memory_app.command("worker")
def worker() -> None:
    """Run a long-term extraction worker until SIGTERM/SIGINT (many may run at once).

    With PODIUM_MODEL set to an LLM, extraction and consolidation use it (per-strategy
    ``model_id`` overrides the model); otherwise the offline rule-based extractor runs.
    """
    from podium.memory._worker_main import main

    settings = _context.settings()
    extractor = None
    if settings.model != "offline":
        from podium.agents import build_model
        from podium.memory.extraction import LLMExtractor

        build_model(settings)  # fail now, naming the setting, if the provider is misconfigured
        extractor = LLMExtractor(lambda model_id: build_model(settings, model_id or None))
    raise typer.Exit(main(settings, extractor=extractor))
