"""Fixtures for the transfer tests: a populated SQLite home and row dumps to compare databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import podium
from podium.aws import AccessKeys

#: Keyword queries that each find one owner row of each keyword index.
KB_QUERY, EVENT_QUERY, RECORD_QUERY = "zebras savanna", "pangolins", "TechCorp"


def populate(home: Path) -> dict[str, str]:
    """A knowledge base with ingested documents, memory events and records, and an access key.

    The newest event is deleted, so the events counter is ahead of the largest id left.
    """
    with podium.open(home, start_worker=False) as p:
        kb = p.knowledge.create("docs", description="transfer test")
        kb.ingest_documents(
            [
                {"uri": "a.md", "text": "Zebras graze on the savanna. Lions hunt them at dawn."},
                {"uri": "b.md", "text": "The keynote about quantum computing is in hall B."},
                {"uri": "c.md", "text": "Lunch is served in the atrium.", "metadata": {"day": 2}},
            ]
        )
        mem = p.memory.create_memory("m", strategies=[{"type": "semantic", "name": "facts"}])
        for i, text in enumerate(["I love pangolins and kombucha", "Where is hall B?", "bye"]):
            p.memory.create_event(
                mem.memory_id,
                "alice",
                "s1",
                [{"conversational": {"role": "USER", "content": {"text": text}}}],
                client_token=f"t{i}",
            )
        last = p.memory.create_event(
            mem.memory_id, "bob", "s2", [{"conversational": {"role": "USER", "content": {"text": "x"}}}]
        )
        p.memory.delete_event(mem.memory_id, "bob", "s2", last.event_id)
        items = [
            {
                "requestIdentifier": f"r{i}",
                "namespaces": ["/facts/alice/"],
                "content": {"text": text},
                "metadata": {"topic": {"stringValue": "work"}},
            }
            for i, text in enumerate(["alice works at TechCorp", "alice likes chalk talks"])
        ]
        assert p.memory.batch_create_memory_records(mem.memory_id, items)["failedRecords"] == []
        AccessKeys(p.database).create(actor_pattern="alice", description="k")
    return {"memory_id": mem.memory_id, "kb": "docs"}


@pytest.fixture
def source(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The URL of a populated SQLite home's database, and its ids."""
    home = tmp_path / "source-home"
    ids = populate(home)
    yield f"sqlite:///{home / 'podium.db'}", ids


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every copied table's rows in primary-key order, JSON parsed (compares across backends)."""
    from podium.transfer._tables import reflect

    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return {
                t.name: [
                    tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                    for row in conn.execute(sa.select(t).order_by(*t.primary_key.columns))
                ]
                for t in reflect(conn)
            }
    finally:
        engine.dispose()


def fts_rows(url: str) -> dict[str, int]:
    """Row counts of the SQLite keyword indexes."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return {
                name: int(conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one())
                for name in ("fts_chunks", "fts_events", "fts_records")
            }
    finally:
        engine.dispose()
