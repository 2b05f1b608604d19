"""``kill -9`` of ``podium up`` (gateway, zygote and workers at once) mid-ingestion, mid-invocation
and mid-extraction; after a restart nothing is lost and nothing is there twice."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import httpx

from fixtures.web import kill_9, launch_up, start_up, wait_for_extraction, write_small_catalog
from podium.identity import issue_token

SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db, timeout=10) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _assert_catalog_indexed_once(db: Path, sessions: int) -> None:
    with sqlite3.connect(db, timeout=10) as conn:
        docs, uris = conn.execute("SELECT count(*), count(DISTINCT uri) FROM documents").fetchone()
        expected_chunks = conn.execute(
            "SELECT coalesce(sum(chunk_count), 0) FROM documents"
        ).fetchone()[0]
        chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        orphans = conn.execute(
            "SELECT count(*) FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        searchable = conn.execute("SELECT count(*) FROM chunks WHERE searchable").fetchone()[0]
        fts = conn.execute("SELECT count(*) FROM fts_chunks").fetchone()[0]
    assert docs == uris == sessions
    assert chunks == expected_chunks and orphans == 0
    assert fts == searchable


def test_kill_9_mid_first_run_ingestion_then_restart(tmp_path: Path) -> None:
    catalog = write_small_catalog(tmp_path / "catalog.jsonl", size=120)
    home = tmp_path / "home"
    up = launch_up(home, catalog)
    db = home / "podium.db"
    deadline = time.monotonic() + 180
    written = 0
    while time.monotonic() < deadline and up.proc.poll() is None:
        time.sleep(0.02)
        try:
            written = _count(db, "SELECT count(*) FROM documents") if db.exists() else 0
        except sqlite3.OperationalError:
            continue  # tables not created yet
        if written:
            break
    assert 0 < written < 120, f"could not interrupt the ingestion (documents: {written})"
    kill_9(up)

    restarted = start_up(home, catalog)
    try:
        _assert_catalog_indexed_once(db, 120)
        assert httpx.get(f"{restarted.url}/ping", timeout=10).status_code == 200
    finally:
        restarted.stop()
    _assert_catalog_indexed_once(db, 120)


def _turn(url: str, token: str, session: str, prompt: str) -> httpx.Response:
    return httpx.post(
        f"{url}/invocations",
        json={"prompt": prompt, "stream": False},
        headers={"Authorization": f"Bearer {token}", SESSION_HEADER: session},
        timeout=120,
    )


def test_kill_9_mid_invocation_and_extraction_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    catalog = write_small_catalog(tmp_path / "catalog.jsonl", size=25)
    home = tmp_path / "home"
    db = home / "podium.db"
    up = start_up(home, catalog)
    session = f"crash-{uuid.uuid4()}"
    token = issue_token(home, f"{up.url}/idp", user="alice")
    answered: list[str] = []
    for i in range(3):
        prompt = f"I'm a platform engineer and turn {i}: I prefer hands-on security workshops."
        assert _turn(up.url, token, session, prompt).status_code == 200
        answered.append(prompt)
    # One more turn, cut off by the crash while the gateway (and the extraction after the
    # previous turns) is at work.
    interrupted = "Turn 3: which sessions about containers do you recommend?"
    outcome: dict[str, object] = {}

    def call() -> None:
        try:
            outcome["status"] = _turn(up.url, token, session, interrupted).status_code
        except httpx.HTTPError as e:
            outcome["error"] = repr(e)

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.15)
    kill_9(up)
    caller.join(30)

    restarted = start_up(home, catalog)
    try:
        token = issue_token(home, f"{restarted.url}/idp", user="alice")
        after = "Turn 4: I also like serverless."
        reply = _turn(restarted.url, token, session, after)
        assert reply.status_code == 200, reply.text
        answered.append(after)
        if outcome.get("status") == 200:
            answered.append(interrupted)
        # Extraction resumes: every job ends, the crashed one once its lease (60 s) has passed.
        assert wait_for_extraction(db, 150) == 0
    finally:
        restarted.stop()

    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT payload FROM events WHERE actor_id = 'alice' AND session_id = ?", (session,)
        ).fetchall()
        failed = conn.execute(
            "SELECT count(*) FROM extraction_jobs WHERE status = 'FAILED'"
        ).fetchone()[0]
        records = conn.execute(
            "SELECT namespace, text, count(*) FROM memory_records GROUP BY namespace, text HAVING count(*) > 1"
        ).fetchall()
        n_records = conn.execute("SELECT count(*) FROM memory_records").fetchone()[0]
    user_texts = [
        item["conversational"]["content"]["text"]
        for (payload,) in rows
        for item in json.loads(payload)
        if isinstance(item, dict) and item.get("conversational", {}).get("role") == "USER"
    ]
    user_texts = [t for t in user_texts if "Turn" in t or "turn" in t]
    # Every answered turn was stored, and no message is stored twice.
    assert all(any(p in t for t in user_texts) for p in answered), (answered, user_texts)
    assert len(user_texts) == len(set(user_texts)), user_texts
    assert failed == 0
    assert records == [] and n_records > 0
