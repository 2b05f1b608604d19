"""Ingestion progress counts documents: a single JSONL file of many records moves step by step."""

from __future__ import annotations

import json
from pathlib import Path

from podium.knowledge import KnowledgeService, RecordFormat


def test_one_jsonl_file_reports_progress_per_document(
    knowledge: KnowledgeService, tmp_path: Path
) -> None:
    rows = [
        {"id": f"r{i}", "title": f"Record {i}", "body": " ".join(["word"] * 300) + f" item{i}"}
        for i in range(150)
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    kb = knowledge.create(
        "progress", record_format=RecordFormat(id_field="id", title_field="title")
    )
    calls: list[tuple[int, int]] = []
    kb.ingest(path, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (150, 150)
    assert all(total == 150 for _, total in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(set(done)) > 2  # steps in between, not 0/1 → 1/1


def test_several_files_count_documents_as_they_are_read(
    knowledge: KnowledgeService, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.md").write_text(f"# {name}\n\nSome text about {name}.\n")
    kb = knowledge.create("folder")
    calls: list[tuple[int, int]] = []
    kb.ingest(folder, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_a_long_record_format_names_its_source_by_hash(
    knowledge: KnowledgeService, tmp_path: Path
) -> None:
    # The data source name column holds 500 characters, which PostgreSQL enforces.
    fields = {f"field_with_a_rather_long_name_{i}": "string" for i in range(30)}
    fmt = RecordFormat(id_field="id", title_field="title", metadata_fields=fields)
    path = tmp_path / "wide.jsonl"
    path.write_text(json.dumps({"id": "x", "title": "Wide", "body": "a row"}) + "\n")
    kb = knowledge.create("wide", record_format=fmt)
    first = kb.ingest(path, record_format=fmt)
    again = kb.ingest(path, record_format=fmt)
    assert first.stats.new == 1 and again.stats.new == 0 and again.stats.unchanged == 1
