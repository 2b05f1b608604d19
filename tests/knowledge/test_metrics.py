"""IR metrics against hand-computed values, and the BEIR loader on a small on-disk dataset."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from podium.errors import InvalidInput
from podium.knowledge._beir import BeirDocument, load_beir
from podium.knowledge._metrics import (
    evaluate_run,
    mean,
    mrr_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)

QRELS = {"d1": 1, "d2": 2}
RANKED = ["d3", "d1", "d2"]


def test_ndcg_graded_linear_gain() -> None:
    # DCG@3  = 0/log2(2) + 1/log2(3) + 2/log2(4) = 0 + 0.63093 + 1 = 1.63093
    # IDCG@3 = 2/log2(2) + 1/log2(3) = 2 + 0.63093 = 2.63093  -> 0.61990
    assert ndcg_at_k(RANKED, QRELS, 3) == pytest.approx(0.61990, abs=1e-5)
    # @2: DCG = 1/log2(3) = 0.63093; IDCG@2 = 2.63093 -> 0.23981
    assert ndcg_at_k(RANKED, QRELS, 2) == pytest.approx(0.23981, abs=1e-5)
    assert ndcg_at_k(RANKED, QRELS, 1) == 0.0
    # Ideal order scores exactly 1, at any cutoff.
    assert ndcg_at_k(["d2", "d1"], QRELS, 10) == pytest.approx(1.0)
    # Swapped: DCG = 1 + 2/log2(3) = 2.26186 -> 2.26186 / 2.63093 = 0.85972
    assert ndcg_at_k(["d1", "d2"], QRELS, 2) == pytest.approx(0.85972, abs=1e-5)


def test_ndcg_ideal_comes_from_qrels_not_the_run() -> None:
    # Three relevant docs but only one retrieved: IDCG@3 = 1 + 1/log2(3) + 1/log2(4) = 2.13093
    qrels = {"a": 1, "b": 1, "c": 1}
    assert ndcg_at_k(["a"], qrels, 3) == pytest.approx(1 / (1 + 1 / math.log2(3) + 0.5))


def test_duplicates_count_once_and_negative_judgements_are_zero() -> None:
    # [d1, d1, d2] @2 is [d1, d2]: same as the swapped case above.
    assert ndcg_at_k(["d1", "d1", "d2"], QRELS, 2) == pytest.approx(0.85972, abs=1e-5)
    assert recall_at_k(["d1", "d1", "d1"], QRELS, 3) == 0.5
    assert ndcg_at_k(["x"], {"x": -1, "y": 1}, 2) == 0.0
    assert ndcg_at_k(["x"], {"x": -1}, 2) == 0.0  # nothing relevant: 0, not a division by zero


def test_recall_precision_mrr() -> None:
    assert recall_at_k(RANKED, QRELS, 2) == 0.5  # d1 of {d1, d2}
    assert recall_at_k(RANKED, QRELS, 3) == 1.0
    assert recall_at_k(RANKED, {"d1": 0}, 3) == 0.0  # no relevant doc: 0.0 (evaluate_run skips)
    assert precision_at_k(RANKED, QRELS, 2) == 0.5
    assert precision_at_k(RANKED, QRELS, 10) == 0.2  # 2 relevant / 10
    assert mrr_at_k(RANKED, QRELS, 3) == 0.5  # first relevant at rank 2
    assert mrr_at_k(RANKED, QRELS, 1) == 0.0
    assert mrr_at_k(["d1", "d3"], {"d1": 0, "d3": 1}, 5) == 0.5  # rel 0 is not relevant
    with pytest.raises(InvalidInput, match="k must be >= 1"):
        ndcg_at_k(RANKED, QRELS, 0)


def test_mean() -> None:
    assert mean([1.0, 2.0, 4.0]) == pytest.approx(7 / 3)
    assert mean(x for x in [0.5]) == 0.5
    assert mean([]) == 0.0


def test_evaluate_run_averages_over_judged_queries() -> None:
    qrels = {"q1": QRELS, "q2": {"d9": 1}, "q3": {"d5": 0}}  # q3 has no relevant doc: skipped
    run = {"q1": RANKED, "q2": ["d9"], "q4": ["x"]}  # q4 has no qrels: ignored
    result = evaluate_run(run, qrels, ks=(1, 3))
    # q1: ndcg@1 0, ndcg@3 .61990, recall@1 0, recall@3 1, mrr@1 0, mrr@3 .5
    # q2: everything 1
    assert result == pytest.approx(
        {
            "ndcg@1": 0.5,
            "ndcg@3": (0.61990 + 1) / 2,
            "recall@1": 0.5,
            "recall@3": 1.0,
            "mrr@1": 0.5,
            "mrr@3": 0.75,
        },
        abs=1e-5,
    )


def test_evaluate_run_counts_missing_queries_as_zero() -> None:
    qrels = {"q1": {"d1": 1}, "q2": {"d2": 1}}
    result = evaluate_run({"q1": ["d1"]}, qrels)
    assert {"ndcg@10", "recall@10", "recall@100", "mrr@10"} <= set(result)
    assert result["ndcg@10"] == 0.5  # (1 + 0) / 2
    assert result["recall@100"] == 0.5
    with pytest.raises(InvalidInput, match="at least one cutoff"):
        evaluate_run({}, qrels, ks=())


# --- BEIR loader -----------------------------------------------------------------------------


def _write_beir(root: Path) -> Path:
    root.mkdir()
    corpus = [
        {"_id": "d1", "title": "Cats", "text": "Cats purr.", "metadata": {}},
        {"_id": "d2", "text": "Dogs bark."},  # no title
        {"_id": 3, "title": "Numeric id", "text": "Three."},
    ]
    (root / "corpus.jsonl").write_text(
        "\n".join(json.dumps(d) for d in corpus) + "\n\n", encoding="utf-8"
    )
    queries = [
        {"_id": "q1", "text": "what purrs"},
        {"_id": "q2", "text": "what barks"},
        {"_id": "q3", "text": "not judged in test"},
    ]
    (root / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries), encoding="utf-8")
    (root / "qrels").mkdir()
    (root / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t2\nq2\t3\t0\n", encoding="utf-8"
    )
    (root / "qrels" / "dev.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq3\td1\t1\n", encoding="utf-8"
    )
    return root


def test_load_beir_keeps_only_judged_queries(tmp_path: Path) -> None:
    ds = load_beir(_write_beir(tmp_path / "mini"))
    assert ds.corpus == {
        "d1": BeirDocument("Cats", "Cats purr."),
        "d2": BeirDocument("", "Dogs bark."),
        "3": BeirDocument("Numeric id", "Three."),
    }
    assert ds.corpus["d1"].title == "Cats"
    title, text = ds.corpus["d2"]
    assert (title, text) == ("", "Dogs bark.")
    assert ds.queries == {"q1": "what purrs", "q2": "what barks"}
    assert ds.qrels == {"q1": {"d1": 1}, "q2": {"d2": 2, "3": 0}}

    dev = load_beir(tmp_path / "mini", split="dev")
    assert dev.queries == {"q3": "not judged in test"}
    # A perfect run over the loaded data scores 1.
    assert evaluate_run({"q1": ["d1"], "q2": ["d2"]}, ds.qrels)["ndcg@10"] == 1.0


def test_load_beir_drops_judgements_for_unknown_queries(tmp_path: Path) -> None:
    root = _write_beir(tmp_path / "mini")
    with (root / "qrels" / "test.tsv").open("a", encoding="utf-8") as fh:
        fh.write("q404\td1\t1\n")
    ds = load_beir(root)
    assert "q404" not in ds.qrels and set(ds.queries) == {"q1", "q2"}


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        (
            "corpus.jsonl",
            '{"_id": "d1", "text": "x"}\n{"_id": "d2", "text": \n',
            "corpus.jsonl line 2: invalid JSON",
        ),
        (
            "corpus.jsonl",
            '{"_id": "d1", "text": "x"}\n[1, 2]\n',
            "corpus.jsonl line 2: expected a JSON object",
        ),
        (
            "corpus.jsonl",
            '{"title": "no id", "text": "x"}\n',
            "corpus.jsonl line 1: missing or empty '_id'",
        ),
        (
            "corpus.jsonl",
            '{"_id": "d1", "title": "t"}\n',
            "corpus.jsonl line 1: field 'text' is missing",
        ),
        (
            "corpus.jsonl",
            '{"_id": "d1", "text": 5}\n',
            "corpus.jsonl line 1: field 'text' is not a string (int)",
        ),
        (
            "corpus.jsonl",
            '{"_id": "d1", "text": "a"}\n{"_id": "d1", "text": "b"}\n',
            "corpus.jsonl line 2: duplicate _id 'd1'",
        ),
        ("queries.jsonl", '{"_id": "q1"}\n', "queries.jsonl line 1: field 'text' is missing"),
        (
            "qrels/test.tsv",
            "query-id\tcorpus-id\tscore\nq1\td1\n",
            "test.tsv line 2: expected 3 tab-separated fields",
        ),
        (
            "qrels/test.tsv",
            "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2 d2 1\n",
            "test.tsv line 3: expected 3 tab-separated fields",
        ),
        (
            "qrels/test.tsv",
            "query-id\tcorpus-id\tscore\nq1\td1\thigh\n",
            "test.tsv line 2: score must be an integer, got 'high'",
        ),
        ("qrels/test.tsv", "q1\t\t1\n", "test.tsv line 1: empty query-id or corpus-id"),
    ],
)
def test_load_beir_reports_file_and_line(
    tmp_path: Path, file: str, content: str, message: str
) -> None:
    root = _write_beir(tmp_path / "mini")
    (root / file).write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        load_beir(root)
    assert message in exc.value.message
    assert str(root) in exc.value.message


def test_load_beir_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="BEIR data directory not found"):
        load_beir(tmp_path / "nope")
    root = _write_beir(tmp_path / "mini")
    with pytest.raises(
        InvalidInput, match=r"qrels file not found: .*train\.tsv \(splits present: dev, test\)"
    ):
        load_beir(root, split="train")
    (root / "queries.jsonl").unlink()
    with pytest.raises(InvalidInput, match=r"BEIR file not found: .*queries\.jsonl"):
        load_beir(root)
    (root / "corpus.jsonl").write_bytes(b'{"_id": "d1", "text": "\xff"}\n')
    with pytest.raises(InvalidInput, match="not valid UTF-8"):
        load_beir(root)
