"""``podium kb``: create, list, show, delete, ingest and query knowledge bases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from podium.errors import InvalidInput

from . import _context
from ._output import command_group, console, print_json, progress_bar

__all__ = ["kb_app"]

kb_app = command_group("Knowledge bases: create, ingest, query.")


def _json_option(value: str | None, name: str) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"{name} is not valid JSON: {e.msg} at position {e.pos}") from None


@kb_app.command("create")
def create(
    name: str,
    description: Annotated[str, typer.Option(help="Free text.")] = "",
    embedding_model: Annotated[
        str | None, typer.Option(help="Embedding model id (default: PODIUM_EMBEDDING_MODEL).")
    ] = None,
    chunking: Annotated[
        str | None,
        typer.Option(
            help='Chunking config JSON, e.g. \'{"strategy": "fixed_size", "max_tokens": 300}\'.'
        ),
    ] = None,
    record_format: Annotated[
        str | None,
        typer.Option(
            help='Record catalog format JSON, e.g. \'{"id_field": "code", "text_fields": ["abstract"]}\'.'
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a knowledge base."""
    kb = _context.knowledge().create(
        name,
        description=description,
        embedding_model=embedding_model,
        chunking=_json_option(chunking, "--chunking"),
        record_format=_json_option(record_format, "--record-format"),
    )
    if as_json:
        print_json(kb.info.as_dict())
    else:
        console.print(
            f"created knowledge base [bold]{escape(kb.name)}[/] ({kb.id}) with "
            f"{escape(kb.info.embedding_model)}"
        )


@kb_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List knowledge bases."""
    infos = _context.knowledge().list()
    if as_json:
        print_json([i.as_dict() for i in infos])
        return
    table = Table("name", "id", "embedding model", "documents", "chunks")
    for i in infos:
        table.add_row(i.name, i.id, i.embedding_model, str(i.document_count), str(i.chunk_count))
    console.print(table)


@kb_app.command("show")
def show(
    name: str, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Show a knowledge base's configuration, counts and recent jobs."""
    service = _context.knowledge()
    info = service.info(name)
    jobs = service.get(name).list_jobs(5)
    if as_json:
        print_json({**info.as_dict(), "jobs": [j.as_dict() for j in jobs]})
        return
    for key, value in info.as_dict().items():
        shown = json.dumps(value) if isinstance(value, dict) else str(value)
        console.print(f"[bold]{key}[/]: {escape(shown)}")
    for job in jobs:
        console.print(f"job {job.id} {job.status.value} {job.stats.as_dict()}", markup=False)


@kb_app.command("delete")
def delete(
    name: str, yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False
) -> None:
    """Delete a knowledge base and everything in it."""
    service = _context.knowledge()
    info = service.info(name)
    if not yes and not typer.confirm(
        f"delete knowledge base {info.name} ({info.document_count} documents)?"
    ):
        raise typer.Exit(1)
    service.delete(name)
    console.print(f"deleted knowledge base {info.name}")


@kb_app.command("ingest")
def ingest(
    name: str,
    paths: Annotated[list[Path], typer.Argument(help="Files or directories.")],
    include: Annotated[list[str] | None, typer.Option(help="Glob to include (repeatable).")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Glob to exclude (repeatable).")] = None,
    record_format: Annotated[
        str | None, typer.Option(help="Record catalog format JSON (overrides the KB's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the job as JSON.")] = False,
) -> None:
    """Sync files into a knowledge base (incremental; resumes an interrupted job)."""
    kb = _context.knowledge().get(name)
    with progress_bar(f"ingesting into {kb.name}", enabled=not as_json) as progress:
        job = kb.ingest(
            paths,
            include=include or ["**/*"],
            exclude=exclude or [],
            record_format=_json_option(record_format, "--record-format"),
            progress=progress,
        )
    if as_json:
        print_json(job.as_dict())
        return
    table = Table(
        "new", "modified", "deleted", "unchanged", "failed", "chunks written", title=f"job {job.id}"
    )
    s = job.stats
    table.add_row(
        *(str(v) for v in (s.new, s.modified, s.deleted, s.unchanged, s.failed, s.chunks_written))
    )
    console.print(table)
    if job.resumed:
        console.print("(resumed an interrupted job)")
    for failure in job.failures[:20]:
        console.print(
            f"[red]failed[/] {escape(str(failure['uri']))}: {escape(str(failure['reason']))}"
        )


@kb_app.command("query")
def query(
    name: str,
    text: str,
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Number of results (1-100).")] = 5,
    search_type: Annotated[str, typer.Option(help="hybrid, semantic or keyword.")] = "hybrid",
    filter_: Annotated[
        str | None, typer.Option("--filter", help="Bedrock-style filter JSON.")
    ] = None,
    generate: Annotated[bool, typer.Option(help="Also compose a cited answer.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search a knowledge base."""
    kb = _context.knowledge().get(name)
    flt = _json_option(filter_, "--filter")
    if generate:
        answer = kb.retrieve_and_generate(
            text, number_of_results=top_k, search_type=search_type, filter=flt
        )
        if as_json:
            print_json(answer.as_dict())
        else:
            console.print(answer.output, markup=False)
            for c in answer.citations:
                console.print(f"  [{c.start}:{c.end}] ← {c.references[0].source_uri}", markup=False)
        return
    results = kb.retrieve(text, top_k, search_type, flt)
    if as_json:
        print_json([r.as_dict() for r in results])
        return
    for rank, r in enumerate(results, start=1):
        title = r.metadata.get("title") or r.source_uri
        console.print(f"[bold]{rank}. {escape(str(title))}[/]  score={r.score:.4f}")
        console.print(f"   {r.text[:200].strip()}…", soft_wrap=True, markup=False)
