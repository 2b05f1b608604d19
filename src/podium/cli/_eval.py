"""``podium eval``: retrieval (BEIR) and memory (LoCoMo) evaluations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from . import _context
from ._output import console, print_json, progress_bar

__all__ = ["eval_app"]

eval_app = typer.Typer(help="Evaluate retrieval and memory quality.", no_args_is_help=True)


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
