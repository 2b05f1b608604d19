"""The ``podium kb`` and ``podium eval retrieval`` commands end to end, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def podium(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "podium.cli", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    (root / "k8s.md").write_text(
        "# Kubernetes\nNetwork policies isolate namespaces in a cluster.\n"
    )
    (root / "cost.txt").write_text("FinOps dashboards allocate cloud spend to teams with tags.\n")
    (root / "page.html").write_text(
        "<html><script>var x=1;</script><body><p>Serverless functions scale to zero.</p></body></html>"
    )
    return root


def test_kb_lifecycle(tmp_path: Path, corpus: Path) -> None:
    home = tmp_path / "home"
    podium(
        home, "kb", "create", "docs", "--chunking", '{"strategy": "fixed_size", "max_tokens": 100}'
    )
    listed = json.loads(podium(home, "kb", "list", "--json").stdout)
    assert [kb["name"] for kb in listed] == ["docs"]

    ingest = podium(home, "kb", "ingest", "docs", str(corpus))
    assert "new" in ingest.stdout and "3" in ingest.stdout
    assert "ingesting into docs" in ingest.stderr  # the progress bar
    again = json.loads(podium(home, "kb", "ingest", "docs", str(corpus), "--json").stdout)
    assert again["stats"]["unchanged"] == 3 and again["stats"]["new"] == 0

    results = json.loads(
        podium(home, "kb", "query", "docs", "scale to zero", "--top-k", "2", "--json").stdout
    )
    assert results[0]["location"]["uri"].endswith("page.html")
    assert "var x" not in results[0]["content"]["text"]
    keyword = json.loads(
        podium(
            home, "kb", "query", "docs", "FinOps tags", "--search-type", "keyword", "--json"
        ).stdout
    )
    assert keyword[0]["location"]["uri"].endswith("cost.txt")
    answer = json.loads(
        podium(
            home, "kb", "query", "docs", "How do I isolate namespaces?", "--generate", "--json"
        ).stdout
    )
    assert answer["citations"] and answer["output"]["text"]

    shown = json.loads(podium(home, "kb", "show", "docs", "--json").stdout)
    assert shown["document_count"] == 3 and len(shown["jobs"]) == 2
    podium(home, "kb", "delete", "docs", "--yes")
    assert json.loads(podium(home, "kb", "list", "--json").stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("kb", "query", "missing", "x"), "knowledge base 'missing' not found"),
        (("kb", "create", "bad name"), "invalid knowledge base name"),
        (("kb", "create", "x", "--chunking", "{oops"), "--chunking is not valid JSON"),
        (("kb", "ingest", "nope", "/definitely/not/here"), "not found"),
    ],
)
def test_errors_are_one_clear_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    proc = podium(tmp_path / "home", *args, check=False)
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in proc.stderr


def test_bad_filter_is_a_clear_error(tmp_path: Path, corpus: Path) -> None:
    home = tmp_path / "home"
    podium(home, "kb", "create", "docs")
    podium(home, "kb", "ingest", "docs", str(corpus))
    proc = podium(
        home,
        "kb",
        "query",
        "docs",
        "x",
        "--filter",
        '{"eq": {"key": "a", "value": 1}}',
        check=False,
    )
    assert proc.returncode == 1
    assert "unknown operator 'eq'" in proc.stderr


def test_eval_retrieval_on_a_tiny_beir_set(tmp_path: Path) -> None:
    data = tmp_path / "beir"
    (data / "qrels").mkdir(parents=True)
    docs = {
        "d1": "Kubernetes network policies isolate pods.",
        "d2": "Sourdough needs a long cold fermentation.",
        "d3": "Solar panels convert sunlight to electricity.",
    }
    (data / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": k, "title": "", "text": v}) + "\n" for k, v in docs.items())
    )
    queries = {
        "q1": "how to isolate kubernetes pods",
        "q2": "bread fermentation",
        "q3": "electricity from the sun",
    }
    (data / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": k, "text": v}) + "\n" for k, v in queries.items())
    )
    (data / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\n"
    )
    home = tmp_path / "home"
    report = json.loads(podium(home, "eval", "retrieval", "--data", str(data), "--json").stdout)
    assert set(report) >= {"ndcg@10", "recall@10", "recall@100", "mrr@10"}
    assert report["ndcg@10"] == pytest.approx(1.0) and report["queries"] == 3
    keyword = json.loads(
        podium(
            home, "eval", "retrieval", "--data", str(data), "--search-type", "keyword", "--json"
        ).stdout
    )
    assert keyword["knowledge_base"] == report["knowledge_base"]  # the indexed corpus is reused
    assert keyword["recall@100"] == pytest.approx(1.0)


def test_query_prints_document_text_as_written(tmp_path: Path) -> None:
    # Documents are full of brackets (Markdown links, arrays, "[/x]" in prose); printed as
    # console markup they lost words, and a stray closing tag ended the command with a traceback.
    home, docs = tmp_path / "home", tmp_path / "docs"
    docs.mkdir()
    (docs / "links.md").write_text(
        "Read the [operator guide](https://example.org/guide) first; arr[0] holds the "
        "[/red] marker for brackets.\n"
    )
    podium(home, "kb", "create", "brackets")
    podium(home, "kb", "ingest", "brackets", str(docs))
    for extra in ((), ("--generate",)):
        out = podium(home, "kb", "query", "brackets", "operator guide brackets", *extra)
        assert "Traceback" not in out.stderr
        assert "[/red]" in out.stdout and "[operator guide]" in out.stdout
