"""``podium chat`` (a streaming REPL) and ``podium ask`` (one question) with the event assistant.

Both validate the model before anything else, so a misconfigured provider fails with one line
naming the setting, and both wait for the turn's long-term-memory extraction before exiting, so
the next ``podium ask`` in a new session already sees the attendee's profile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from podium.errors import ModelError, PodiumError

from . import _context
from ._output import console, err_console, print_json

if TYPE_CHECKING:
    from strands import Agent
    from strands.models import Model

    from podium.apps.event_assistant import AssistantServices, TurnResult
    from podium.config import Settings

__all__ = ["ask", "chat", "format_tool_call", "new_session_id"]

logger = logging.getLogger(__name__)

DEFAULT_ACTOR = "local-user"
_EXTRACTION_TIMEOUT_S = 10.0
_HELP = "Type a question; /new starts a new session, /quit (or Ctrl-D) leaves."

ActorOption = Annotated[
    str, typer.Option("--actor", help="Attendee id (memory is kept per actor).")
]
SessionOption = Annotated[
    str | None,
    typer.Option("--session", help="Session id to continue (default: a new one)."),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model", help="Model spec overriding PODIUM_MODEL, e.g. offline or openai:gpt-4o-mini."
    ),
]


def new_session_id(prefix: str = "chat") -> str:
    """A fresh session id (``chat-`` + 32 hex digits: long enough for AgentCore's 33+ rule)."""
    return f"{prefix}-{uuid.uuid4().hex}"


def format_tool_call(name: str, arguments: dict[str, Any]) -> str:
    """``search_sessions(query="serverless tips", day=Monday)``: a tool call as one line."""

    def value(v: Any) -> str:
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False) if (not v or " " in v or "," in v) else v
        return json.dumps(v, ensure_ascii=False)

    return f"{name}({', '.join(f'{k}={value(v)}' for k, v in arguments.items())})"


# --------------------------------------------------------------------------- start-up


def _settings_with(model: str | None) -> Settings:
    settings = _context.settings()
    return settings.model_copy(update={"model": model}) if model else settings


@contextmanager
def _lazy_progress() -> Iterator[Callable[[int, int], None]]:
    """A progress callback that only shows a bar (on stderr) if ingestion actually runs."""
    from rich.progress import Progress

    from podium._progress import progress_columns

    progress: Progress | None = None
    task: Any = None

    def update(done: int, total: int) -> None:
        nonlocal progress, task
        if progress is None:
            progress = Progress(
                *progress_columns("[bold]building the sessions knowledge base (first run)"),
                console=err_console,
            )
            progress.start()
            task = progress.add_task("ingest", total=total)
        progress.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if progress is not None:
            progress.stop()


@contextmanager
def _assistant(model_spec: str | None) -> Iterator[tuple[Settings, Model, AssistantServices]]:
    """Settings, the validated model and open services; the services are closed on exit."""
    from podium.agents import build_model
    from podium.apps.event_assistant import open_services

    settings = _settings_with(model_spec)
    # Before any database work: a bad provider must fail fast, naming the setting to fix.
    model = build_model(settings)
    with _lazy_progress() as progress:
        services = open_services(settings, progress=progress)
    try:
        yield settings, model, services
    finally:
        services.close()


def _agent(
    services: AssistantServices, settings: Settings, model: Model, actor: str, session: str
) -> Agent:
    from podium.apps.event_assistant import create_agent

    return create_agent(actor, session, settings, services=services, model=model)


def _wait_for_memory(services: AssistantServices, actor: str, session: str) -> None:
    done = services.memory.wait_for_extraction(
        services.memory_id, actor, session, timeout=_EXTRACTION_TIMEOUT_S
    )
    if not done:
        logger.warning("session_id=<%s> | memory extraction still running at exit", session)
        err_console.print("note: memory extraction did not finish; it resumes on the next start")


# --------------------------------------------------------------------------- one turn


@dataclass(kw_only=True)
class _Printer:
    """Renders a turn's events on the terminal: streamed text, dim tool calls, a sessions table."""

    out: TextIO
    at_line_start: bool = True

    def event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "text":
            self._write(event["data"])
        elif kind == "tool_call":
            self.newline()
            line = "→ " + format_tool_call(str(event.get("name")), event.get("input") or {})
            console.print(line, style="dim", markup=False, highlight=False, soft_wrap=True)

    def finish(self, result: TurnResult) -> None:
        self.newline()
        if result.sessions:
            console.print(_sessions_table(result.sessions))

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
        if text:
            self.at_line_start = text.endswith("\n")

    def newline(self) -> None:
        """End the current line if streamed text left it open."""
        if not self.at_line_start:
            self._write("\n")


def _sessions_table(cards: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title="Sessions", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Code", no_wrap=True, style="bold")
    table.add_column("Title")
    table.add_column("When", no_wrap=True)
    table.add_column("Room")
    for card in cards:
        when = " ".join(str(card.get(k) or "") for k in ("day", "start")).strip()
        table.add_row(
            str(card.get("code") or ""),
            str(card.get("title") or ""),
            when,
            str(card.get("room") or ""),
        )
    return table


def _run_turn(
    agent: Agent, prompt: str, on_event: Callable[[dict[str, Any]], None] | None
) -> TurnResult:
    from podium.apps.event_assistant import TurnResult, stream_turn

    result = TurnResult()

    async def drive() -> None:
        async for event in stream_turn(agent, prompt, result):
            if on_event is not None:
                on_event(event)

    try:
        asyncio.run(drive())
    except PodiumError:
        raise
    except Exception as e:
        # Provider/network failures mid-turn: one line for the user, details in the debug log.
        logger.debug("turn failed", exc_info=True)
        raise ModelError(f"the model failed during the turn: {e}") from e
    return result


# --------------------------------------------------------------------------- commands


def ask(
    question: Annotated[str, typer.Argument(help="The question for the event assistant.")],
    actor: ActorOption = DEFAULT_ACTOR,
    session: SessionOption = None,
    model: ModelOption = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (and nothing else) on stdout.")
    ] = False,
) -> None:
    """Ask the event assistant one question (a new session unless --session is given)."""
    session_id = session or new_session_id("ask")
    with _assistant(model) as (settings, built, services):
        agent = _agent(services, settings, built, actor, session_id)
        if json_output:
            result = _run_turn(agent, question, None)
        else:
            printer = _Printer(out=sys.stdout)
            result = _run_turn(agent, question, printer.event)
            printer.finish(result)
        _wait_for_memory(services, actor, session_id)
    if json_output:
        print_json({**result.as_dict(), "actor_id": actor, "session_id": session_id})


def chat(
    actor: ActorOption = DEFAULT_ACTOR,
    session: SessionOption = None,
    model: ModelOption = None,
) -> None:
    """Chat with the event assistant: a REPL with streamed answers, tool calls and sessions."""
    from podium.agents import describe_model

    session_id = session or new_session_id()
    with _assistant(model) as (settings, built, services):
        agent = _agent(services, settings, built, actor, session_id)
        described = describe_model(settings.model)
        console.print(
            f"Podium event assistant · model {described['provider']}:{described['model']} · "
            f"actor {actor} · session {session_id}",
            markup=False,
            soft_wrap=True,
        )
        console.print(_HELP, style="dim", markup=False)
        interactive = sys.stdin.isatty()
        try:
            while True:
                line = _read_line(interactive)
                if line is None or line.strip() in ("/quit", "/exit"):
                    break
                prompt = line.strip()
                if not prompt:
                    continue
                if prompt == "/new":
                    _wait_for_memory(services, actor, session_id)
                    session_id = new_session_id()
                    agent = _agent(services, settings, built, actor, session_id)
                    console.print(
                        f"new session {session_id}", style="dim", markup=False, soft_wrap=True
                    )
                    continue
                if prompt.startswith("/"):
                    console.print(_HELP, style="dim", markup=False)
                    continue
                _chat_turn(agent, prompt)
        finally:
            _wait_for_memory(services, actor, session_id)


def _read_line(interactive: bool) -> str | None:
    """The next line from stdin, or None at end of input (Ctrl-D, or Ctrl-C at the prompt)."""
    try:
        if interactive:
            return input("you> ")
        line = sys.stdin.readline()
        return line if line else None
    except (EOFError, KeyboardInterrupt):
        return None


def _chat_turn(agent: Agent, prompt: str) -> None:
    # A failed turn is reported and the conversation goes on; only start-up errors end the REPL.
    printer = _Printer(out=sys.stdout)
    try:
        result = _run_turn(agent, prompt, printer.event)
    except KeyboardInterrupt:
        printer.newline()
        err_console.print("(interrupted)")
        return
    except PodiumError as e:
        printer.newline()
        err_console.print(f"error: {e.message}", markup=False, soft_wrap=True)
        return
    printer.finish(result)
