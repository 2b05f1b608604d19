"""``podium eval``: retrieval (BEIR), memory (LoCoMo) and personas (recommendation) evaluations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from . import _context
from ._output import command_group, console, print_json, progress_bar

__all__ = ["eval_app"]

eval_app = command_group("Evaluate retrieval and memory quality.")


@eval_app.command("retrieval")
def retrieval(
    data: Annotated[
        Path, typer.Option(help="BEIR-layout directory (corpus.jsonl, queries.jsonl, qrels/).")
    ],
    split: Annotated[str, typer.Option(help="qrels split to score.")] = "test",
    top_k: Annotated[int, typer.Option("--top-k", help="Cutoff shown in the table.")] = 10,
    search_type: Annotated[str, typer.Option(help="hybrid, semantic or keyword.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score retrieval on a BEIR dataset: nDCG@10, recall@10, recall@100, MRR@10."""
    from podium.knowledge._evaluate import evaluate_retrieval

    with progress_bar("indexing corpus", enabled=not as_json) as progress:
        report = evaluate_retrieval(
            _context.knowledge(),
            data,
            split=split,
            top_k=top_k,
            search_type=search_type,
            progress=progress,
        )
    if as_json:
        print_json(report)
        return
    table = Table(
        "metric",
        "value",
        title=f"{report['search_type']} on {data} ({split}, {report['queries']} queries)",
    )
    for key in ("ndcg@10", "recall@10", "recall@100", "mrr@10"):
        table.add_row(key, f"{report[key]:.4f}")
    table.add_row("ms/query", str(report["ms_per_query"]))
    console.print(table)


@eval_app.command("memory")
def memory(
    locomo: Annotated[Path, typer.Option(help="LoCoMo JSON file (list of conversations).")],
    top_k: Annotated[int, typer.Option("--top-k", help="Turns retrieved per question.")] = 10,
    baseline: Annotated[
        str, typer.Option(help="none, or bm25 for a keyword-only baseline in the same run.")
    ] = "none",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Evidence recall@k of memory search on LoCoMo conversations (categories 1-4)."""
    from podium.errors import InvalidInput
    from podium.memory._eval import evaluate_locomo

    if baseline not in ("none", "bm25"):
        raise InvalidInput("--baseline must be none or bm25")
    with progress_bar("memory eval", enabled=not as_json) as step:
        report = evaluate_locomo(
            locomo,
            top_k=top_k,
            baseline="bm25" if baseline == "bm25" else "none",
            settings=_context.settings(),
            step=step,
        )
    if as_json:
        print_json(report)
        return
    key = f"recall@{top_k}"
    table = Table(
        "category", key, title=f"LoCoMo evidence recall ({report.get('questions')} questions)"
    )
    table.add_row("all", f"{report[key]:.4f}")
    for category, value in sorted(report.get("by_category", {}).items()):
        table.add_row(str(category), f"{value:.4f}")
    for sample_id, part in report.get("by_conversation", {}).items():
        table.add_row(f"{sample_id} ({part['questions']})", f"{part[key]:.4f}")
    if "baseline_bm25" in report:
        table.add_row("bm25 baseline", f"{report['baseline_bm25'][key]:.4f}")
    latency = report.get("latency_ms", {})
    if latency:
        table.add_row("retrieve ms p50/p99", f"{latency['p50']}/{latency['p99']}")
    console.print(table)


@eval_app.command("personas")
def personas(
    data: Annotated[Path, typer.Option(help="Personas JSON file (a list of attendees).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Constraint satisfaction of recommendations for attendees who introduced themselves."""
    from podium.apps.event_assistant._personas_eval import evaluate_personas

    with progress_bar("attendees", enabled=not as_json) as step:
        report = evaluate_personas(data, _context.settings(), step=step)
    if as_json:
        print_json(report)
        return
    table = Table("attendee", "score", "cited", "leak", title=f"personas on {data}")
    for row in report["results"]:
        table.add_row(row["id"], f"{row['score']:.2f}", " ".join(row["cited"]), str(row["leak"]))
    console.print(table)
    for name, value in report["constraints"].items():
        console.print(f"{name}: {value:.3f}")
    console.print(f"mean: {report['mean']:.3f}   leaks: {report['leaks']}")
