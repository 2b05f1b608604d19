"""Loading a dataset in the BEIR layout, for retrieval evaluation.

The layout::

    <data_dir>/corpus.jsonl        {"_id": ..., "title": ..., "text": ...} per line
    <data_dir>/queries.jsonl       {"_id": ..., "text": ...} per line
    <data_dir>/qrels/<split>.tsv   header "query-id<TAB>corpus-id<TAB>score", then one judgement a line

Only the queries judged in the chosen split are kept. Judgements for query ids missing from
``queries.jsonl`` are dropped with a warning; judgements for documents missing from the corpus are
kept (as BEIR does), with a warning, since they cap the recall any retriever can reach.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from podium.errors import InvalidInput

__all__ = ["BeirDataset", "BeirDocument", "load_beir"]

logger = logging.getLogger(__name__)


class BeirDocument(NamedTuple):
    """One corpus document: a ``(title, text)`` pair (title may be empty)."""

    title: str
    text: str


@dataclass(frozen=True, kw_only=True)
class BeirDataset:
    """A BEIR split: corpus by document id, judged queries by query id, and their qrels."""

    corpus: dict[str, BeirDocument]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def load_beir(data_dir: Path, split: str = "test") -> BeirDataset:
    """Load ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv`` from ``data_dir``.

    Raises :class:`InvalidInput` naming the file (and line) for a missing file or a malformed line.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise InvalidInput(f"BEIR data directory not found: {data_dir}")
    qrels_path = data_dir / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        splits = sorted(p.stem for p in (data_dir / "qrels").glob("*.tsv"))
        found = ", ".join(splits) if splits else "none"
        raise InvalidInput(f"qrels file not found: {qrels_path} (splits present: {found})")
    qrels = _read_qrels(qrels_path)

    corpus: dict[str, BeirDocument] = {}
    corpus_path = data_dir / "corpus.jsonl"
    for lineno, obj in _read_jsonl(corpus_path):
        doc_id = _id_of(obj, corpus_path, lineno)
        if doc_id in corpus:
            raise InvalidInput(f"{corpus_path} line {lineno}: duplicate _id {doc_id!r}")
        title = _text_field(obj, "title", corpus_path, lineno, required=False)
        text = _text_field(obj, "text", corpus_path, lineno, required=True)
        corpus[doc_id] = BeirDocument(title, text)

    queries: dict[str, str] = {}
    queries_path = data_dir / "queries.jsonl"
    for lineno, obj in _read_jsonl(queries_path):
        qid = _id_of(obj, queries_path, lineno)
        if qid in queries:
            raise InvalidInput(f"{queries_path} line {lineno}: duplicate _id {qid!r}")
        text = _text_field(obj, "text", queries_path, lineno, required=True)
        if qid in qrels:
            queries[qid] = text

    unknown_queries = [qid for qid in qrels if qid not in queries]
    if unknown_queries:
        logger.warning(
            "file=<%s>, dropped=<%d> | qrels name queries missing from queries.jsonl",
            qrels_path,
            len(unknown_queries),
        )
        for qid in unknown_queries:
            del qrels[qid]
    unknown_docs = sum(1 for rels in qrels.values() for doc_id in rels if doc_id not in corpus)
    if unknown_docs:
        logger.warning(
            "file=<%s>, judgements=<%d> | qrels name documents missing from corpus.jsonl",
            qrels_path,
            unknown_docs,
        )
    return BeirDataset(corpus=corpus, queries=queries, qrels=qrels)


def _open_lines(path: Path) -> Iterator[tuple[int, str]]:
    if not path.is_file():
        raise InvalidInput(f"BEIR file not found: {path}")
    try:
        with path.open(encoding="utf-8") as fh:
            yield from enumerate(fh, start=1)
    except UnicodeDecodeError as e:
        raise InvalidInput(f"{path}: not valid UTF-8 ({e.reason} at byte {e.start})") from e


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for lineno, line in _open_lines(path):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InvalidInput(f"{path} line {lineno}: invalid JSON ({e.msg})") from e
        if not isinstance(obj, dict):
            raise InvalidInput(f"{path} line {lineno}: expected a JSON object")
        yield lineno, obj


def _id_of(obj: dict[str, Any], path: Path, lineno: int) -> str:
    raw = obj.get("_id")
    # Some exports write numeric ids; qrels are text, so ids are compared as text.
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    if not isinstance(raw, str) or not raw:
        raise InvalidInput(f"{path} line {lineno}: missing or empty '_id'")
    return raw


def _text_field(obj: dict[str, Any], name: str, path: Path, lineno: int, *, required: bool) -> str:
    raw = obj.get(name)
    if raw is None and not required:
        return ""
    if not isinstance(raw, str):
        problem = "missing" if raw is None else f"not a string ({type(raw).__name__})"
        raise InvalidInput(f"{path} line {lineno}: field '{name}' is {problem}")
    return raw


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for lineno, line in _open_lines(path):
        stripped = line.rstrip("\r\n")
        if not stripped.strip():
            continue
        fields = stripped.split("\t")
        if lineno == 1 and fields[0].strip().lower() == "query-id":
            continue
        if len(fields) != 3:
            raise InvalidInput(
                f"{path} line {lineno}: expected 3 tab-separated fields "
                f"(query-id, corpus-id, score), got {len(fields)}"
            )
        qid, doc_id, score_text = (field.strip() for field in fields)
        if not qid or not doc_id:
            raise InvalidInput(f"{path} line {lineno}: empty query-id or corpus-id")
        try:
            score = int(score_text)
        except ValueError:
            raise InvalidInput(
                f"{path} line {lineno}: score must be an integer, got {score_text!r}"
            ) from None
        qrels.setdefault(qid, {})[doc_id] = score
    return qrels
