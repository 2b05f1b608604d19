"""Ingestion: incremental sync, failures, direct document APIs, crash and resume."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from podium.config import Settings
from podium.embeddings import TestEmbedder
from podium.errors import InvalidInput
from podium.knowledge import JobStatus, KnowledgeService


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Ingestion is checked by counts, not by how well results rank: no ONNX model needed."""
    return Settings(home=tmp_path / "home", embedding_model=TestEmbedder().model_id)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _counts(knowledge: KnowledgeService, kb_id: str) -> tuple[int, int, int]:
    with knowledge.db.connect() as conn:
        docs = conn.execute(
            sa.text("SELECT count(*) FROM documents WHERE kb_id = :kb"), {"kb": kb_id}
        ).scalar()
        chunks = conn.execute(
            sa.text("SELECT count(*) FROM chunks WHERE kb_id = :kb AND searchable"), {"kb": kb_id}
        ).scalar()
        fts = conn.exec_driver_sql("SELECT count(*) FROM fts_chunks").scalar()
    return int(docs or 0), int(chunks or 0), int(fts or 0)


def test_incremental_sync(knowledge: KnowledgeService, tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "a.txt", "Kubernetes network policies restrict pod traffic between namespaces.")
    _write(
        src / "b.md", "# Lakehouse\nIceberg tables make analytics on object storage transactional."
    )
    _write(
        src / "sub" / "c.html",
        "<html><body><p>Serverless functions scale to zero.</p></body></html>",
    )
    kb = knowledge.create("docs")

    first = kb.ingest([src])
    assert first.status is JobStatus.COMPLETE
    assert (first.stats.new, first.stats.modified, first.stats.deleted, first.stats.unchanged) == (
        3,
        0,
        0,
        0,
    )

    _write(
        src / "b.md",
        "# Streaming\nKafka topics feed real-time dashboards with exactly-once semantics.",
    )
    (src / "sub" / "c.html").unlink()
    _write(src / "d.txt", "FinOps teams tag every resource to allocate cloud cost.")
    second = kb.ingest([src])
    assert (
        second.stats.new,
        second.stats.modified,
        second.stats.deleted,
        second.stats.unchanged,
    ) == (1, 1, 1, 1)

    third = kb.ingest([src])
    assert (third.stats.new, third.stats.modified, third.stats.deleted, third.stats.unchanged) == (
        0,
        0,
        0,
        3,
    )
    assert third.stats.chunks_written == 0

    docs, chunks, fts = _counts(knowledge, kb.id)
    assert docs == 3 and chunks == fts == 3
    assert kb.retrieve("Iceberg lakehouse", 3, "KEYWORD") == []  # the old text is gone
    top = kb.retrieve("Kafka streaming dashboards", 1)[0]
    assert top.source_uri.endswith("b.md")


def test_include_exclude_and_failures(knowledge: KnowledgeService, tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "keep.txt", "Observability with OpenTelemetry traces and metrics.")
    _write(src / "skip.log", "not included")
    (src / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf \x00\x01")
    _write(src / "drafts" / "x.txt", "excluded draft")
    kb = knowledge.create("docs")
    job = kb.ingest([src], include=["**/*.txt", "**/*.pdf"], exclude=["drafts/**"])
    assert job.stats.new == 1
    assert job.stats.failed == 1
    assert job.failures[0]["uri"].endswith("broken.pdf")
    assert "pdf" in job.failures[0]["reason"].lower()
    assert job.status is JobStatus.COMPLETE


def test_missing_path_is_invalid(knowledge: KnowledgeService, tmp_path: Path) -> None:
    kb = knowledge.create("docs")
    with pytest.raises(InvalidInput, match="nowhere"):
        kb.ingest([tmp_path / "nowhere"])


def test_ingest_and_delete_documents(knowledge: KnowledgeService) -> None:
    kb = knowledge.create("direct")
    job = kb.ingest_documents(
        [
            {
                "uri": "doc://1",
                "text": "Guardrails filter prompt injection attempts.",
                "metadata": {"level": 300},
            },
            {
                "uri": "doc://2",
                "text": "Vector databases store embeddings for RAG.",
                "metadata": {"level": 200},
            },
        ]
    )
    assert job.stats.new == 2
    again = kb.ingest_documents(
        [
            {
                "uri": "doc://1",
                "text": "Guardrails filter prompt injection attempts.",
                "metadata": {"level": 300},
            }
        ]
    )
    assert again.stats.unchanged == 1 and again.stats.chunks_written == 0
    assert kb.delete_documents(["doc://1", "doc://missing"]) == 1
    assert [r.source_uri for r in kb.retrieve("guardrails prompt injection", 5)] == ["doc://2"]
    with pytest.raises(InvalidInput):
        kb.ingest_documents([{"uri": "", "text": "x"}])
    with pytest.raises(InvalidInput):
        kb.ingest_documents([{"uri": "a", "text": 3}])


def _cli(home: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "podium.cli", "--home", str(home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PODIUM_EMBEDDING_BATCH_SIZE": "8"},
    )


def test_kill_9_mid_ingestion_then_resume(tmp_path: Path) -> None:
    src = tmp_path / "src"
    n_files = 400
    for i in range(n_files):
        _write(
            src / f"f{i:04d}.txt",
            f"Document {i} explains topic number {i} in a few plain words about clouds.",
        )
    home = tmp_path / "home"
    assert _cli(home, "kb", "create", "crash").wait(60) == 0
    proc = _cli(home, "kb", "ingest", "crash", str(src))
    db = home / "podium.db"
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline:
        time.sleep(0.02)
        if not db.exists():
            continue
        try:
            with sqlite3.connect(db, timeout=5) as conn:
                done = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        except sqlite3.OperationalError:
            continue
        if done > 0:
            break
    assert 0 < done < n_files, f"could not interrupt mid-job (documents written: {done})"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)

    with sqlite3.connect(db) as conn:
        status = conn.execute("SELECT status FROM ingestion_jobs").fetchall()
    assert status == [("IN_PROGRESS",)]

    resumed = _cli(home, "kb", "ingest", "crash", str(src), "--json")
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err.decode()
    import json

    job = json.loads(out)
    assert job["resumed"] is True
    assert job["status"] == "COMPLETE"
    assert job["stats"]["new"] == n_files
    assert job["stats"]["failed"] == 0 and job["stats"]["deleted"] == 0
    with sqlite3.connect(db) as conn:
        docs = conn.execute("SELECT count(*), count(DISTINCT uri) FROM documents").fetchone()
        chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        fts = conn.execute("SELECT count(*) FROM fts_chunks").fetchone()[0]
        jobs = conn.execute("SELECT count(*) FROM ingestion_jobs").fetchone()[0]
    assert docs == (n_files, n_files)
    assert chunks == fts == n_files
    assert jobs == 1


# --------------------------------------------------------------------------- paths and symlinks


def test_a_plain_string_path_is_one_path(knowledge: KnowledgeService, tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "a.txt", "Edge caching keeps static assets close to users.")
    kb = knowledge.create("docs")
    job = kb.ingest(str(src))
    assert (job.stats.new, job.stats.failed) == (1, 0)
    assert kb.ingest(src).stats.unchanged == 1  # a lone Path too
    with pytest.raises(InvalidInput, match="paths"):
        kb.ingest(42)  # type: ignore[arg-type]


def test_a_file_symlink_that_leaves_the_folder_is_a_failure(
    knowledge: KnowledgeService, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    _write(src / "inside.txt", "Inside the folder: service meshes route traffic.")
    secret = tmp_path / "outside" / "secret.txt"
    _write(secret, "Outside the folder: never indexed.")
    (src / "leak.txt").symlink_to(secret)
    kb = knowledge.create("docs")
    job = kb.ingest([src])
    assert job.status is JobStatus.COMPLETE
    assert (job.stats.new, job.stats.failed) == (1, 1)
    assert job.failures == [
        {"uri": (src / "leak.txt").as_uri(), "reason": "symlink leaves the source folder"}
    ]
    assert kb.retrieve("never indexed outside", 5, "KEYWORD") == []


def test_a_directory_symlink_that_leaves_the_folder_is_not_walked(
    knowledge: KnowledgeService, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    _write(src / "inside.txt", "Inside the folder: service meshes route traffic.")
    outside = tmp_path / "outside"
    _write(outside / "secret.txt", "Outside the folder: never indexed.")
    (src / "escape").symlink_to(outside, target_is_directory=True)
    (src / "root").symlink_to("/", target_is_directory=True)
    kb = knowledge.create("docs")
    job = kb.ingest(src)
    assert (job.stats.new, job.stats.failed) == (1, 2)
    assert {f["uri"] for f in job.failures} == {
        (src / "escape").as_uri(),
        (src / "root").as_uri(),
    }
    assert {f["reason"] for f in job.failures} == {"symlink leaves the source folder"}
    assert kb.retrieve("never indexed outside", 5, "KEYWORD") == []


def test_an_unreadable_path_named_directly_is_invalid(
    knowledge: KnowledgeService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "locked"
    _write(src / "a.txt", "Locked away.")
    src.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the directory unreadable for the walk
        real_scandir = os.scandir

        def scandir(path: object = ".") -> object:
            if Path(str(path)) == src:
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        kb = knowledge.create("docs")
        with pytest.raises(InvalidInput, match=r"cannot read source path .*locked"):
            kb.ingest(src)
    finally:
        src.chmod(0o755)


def test_an_unreadable_directory_in_a_walk_is_a_failure_and_keeps_its_documents(
    knowledge: KnowledgeService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    _write(src / "top.txt", "Top level notes about tracing.")
    _write(src / "sub" / "deep.txt", "Deep notes about profiling.")
    kb = knowledge.create("docs")
    assert kb.ingest(src).stats.new == 2
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(str(path)) == src / "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    job = kb.ingest(src)
    assert (job.stats.unchanged, job.stats.failed, job.stats.deleted) == (1, 1, 0)
    assert job.failures[0]["uri"] == (src / "sub").as_uri()
    assert "cannot read directory" in job.failures[0]["reason"]


def test_the_same_file_through_another_path_is_the_same_document(
    knowledge: KnowledgeService, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    _write(src / "a.txt", "Chaos engineering injects failures on purpose.")
    (src / "alias.txt").symlink_to(src / "a.txt")  # a symlink inside the folder
    (tmp_path / "link").symlink_to(src, target_is_directory=True)
    kb = knowledge.create("docs")
    assert kb.ingest(src).stats.new == 1
    # The same folder named by other paths, and a file of it named directly: no UNIQUE error.
    again = kb.ingest([tmp_path / "link"])
    assert (again.stats.new, again.stats.unchanged, again.stats.failed) == (0, 1, 0)
    both = kb.ingest([src, src / "a.txt", tmp_path / "src" / "." / "a.txt"])
    assert (both.stats.new, both.stats.unchanged, both.stats.deleted) == (0, 1, 0)
    alone = kb.ingest(src / "a.txt")
    assert (alone.stats.new, alone.stats.unchanged) == (0, 1)
    docs, chunks, fts = _counts(knowledge, kb.id)
    assert docs == 1 and chunks == fts == 1
