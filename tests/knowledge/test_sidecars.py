"""Bedrock ``<file>.metadata.json`` sidecars in folder sources (what ``podium kb ingest`` reads)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podium.knowledge import KnowledgeService, ParseError, sidecar_metadata


def _sidecar(path: Path, attributes: object) -> None:
    path.with_name(path.name + ".metadata.json").write_text(
        json.dumps({"metadataAttributes": attributes})
    )


def test_sidecar_values_plain_and_typed() -> None:
    data = json.dumps(
        {
            "metadataAttributes": {
                "a": "x",
                "b": 2,
                "c": True,
                "d": ["p", "q"],
                "e": {"value": {"type": "STRING", "stringValue": "s"}, "includeForEmbedding": True},
                "f": {"value": {"type": "NUMBER", "numberValue": 1.5}},
                "g": {"value": {"type": "BOOLEAN", "booleanValue": False}},
                "h": {"value": {"type": "STRING_LIST", "stringListValue": ["z"]}},
            }
        }
    ).encode()
    assert sidecar_metadata(data) == {
        "a": "x",
        "b": 2,
        "c": True,
        "d": ["p", "q"],
        "e": "s",
        "f": 1.5,
        "g": False,
        "h": ["z"],
    }
    for bad in (
        b"{",
        b"[]",
        b'{"metadataAttributes": {"k": {"a": 1}}}',
        b'{"x": 1}',
        b'{"metadataAttributes": {"k": {"value": {"type": "DATE"}}}}',
    ):
        with pytest.raises(ParseError):
            sidecar_metadata(bad)


def test_folder_ingest_reads_sidecars_and_never_indexes_them(
    knowledge: KnowledgeService, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("Alpha talk about graphs.")
    _sidecar(docs / "a.md", {"track": "data"})
    (docs / "b.md").write_text("Beta talk about queues.")
    (docs / "orphan.md.metadata.json").write_text("{}")  # no orphan.md: ignored, never a document
    kb = knowledge.create("sidecars", embedding_model="podium/test-hash-64")
    job = kb.ingest(docs)
    assert (job.stats.new, job.stats.failed, job.stats.metadata_scanned) == (2, 0, 1)
    hits = kb.retrieve("talk", 5, filter={"equals": {"key": "track", "value": "data"}})
    assert [h.source_uri for h in hits] == [(docs / "a.md").resolve().as_uri()]
    assert knowledge.info("sidecars").document_count == 2

    _sidecar(docs / "a.md", {"track": "graphs"})
    again = kb.ingest(docs)
    assert (again.stats.modified, again.stats.unchanged, again.stats.metadata_scanned) == (1, 1, 1)

    (docs / "a.md.metadata.json").write_text("not json")
    broken = kb.ingest(docs)
    assert (broken.stats.failed, broken.stats.deleted) == (1, 0)
    assert "a.md.metadata.json" in broken.failures[0]["reason"]
