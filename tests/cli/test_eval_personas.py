"""``podium eval personas``: the public path per attendee, the scoring, the leak check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.web import write_small_catalog
from podium.apps.event_assistant._personas_eval import load_personas, session_checks
from podium.errors import InvalidInput

PERSONAS = [
    {"id": "p1", "intro": "Threat modelling is what I do, and I like to type along in labs.",
     "ask": "Anything for me?", "topics": ["security"], "hands_on": True},
    {"id": "p2", "intro": "I look after our Kubernetes clusters. Friday only for me.",
     "ask": "Suggestions please?", "topics": ["containers"], "days": ["Friday"]},
    {"id": "p3", "intro": "Keep generative AI away from me; I care about backups.",
     "ask": "What should I see?", "topics": ["storage"], "exclude_topics": ["generative AI"]},
]  # fmt: skip


def test_session_checks_cover_each_stated_constraint() -> None:
    persona = {"topics": ["IoT"], "hands_on": True, "min_level": 300, "max_level": 300,
               "days": ["Monday"], "exclude_topics": ["cost"]}  # fmt: skip
    good = {"topics": ["IoT"], "type": "builders' session", "level": 300, "day": "Monday"}
    assert session_checks(persona, good) == dict.fromkeys(
        ("topics", "hands_on", "level", "days", "exclude_topics"), True
    )
    bad = {"topics": ["IoT", "cost"], "type": "chalk talk", "level": 200, "day": "Friday"}
    assert session_checks(persona, bad) == {"topics": True, "hands_on": False, "level": False,
                                            "days": False, "exclude_topics": False}  # fmt: skip
    assert session_checks({"topics": ["IoT"]}, good) == {"topics": True}


def test_load_personas_rejects_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    for content in (
        "{}",
        "[]",
        '[{"id": "x"}]',
        '[{"id": "x", "intro": "a", "ask": "b", "mood": 1}]',
    ):
        path.write_text(content)
        with pytest.raises(InvalidInput):
            load_personas(path)


def test_eval_personas_json(tmp_path: Path) -> None:
    catalog = write_small_catalog(tmp_path / "catalog" / "sessions.jsonl", size=40)
    data = tmp_path / "personas.json"
    data.write_text(json.dumps(PERSONAS))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    env |= {"PODIUM_HOME": str(tmp_path / "home"), "PODIUM_CATALOG_PATH": str(catalog),
            "PODIUM_EMBEDDING_MODEL": "podium/test-hash-64"}  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-m", "podium.cli", "eval", "personas", "--data", str(data), "--json"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["attendees"] == 3 and 0.0 <= report["mean"] <= 1.0
    assert report["leaks"] == 0 and report["leak"] is False
    assert set(report["constraints"]) == {"topics", "hands_on", "days", "exclude_topics"}
    rows = {r["id"]: r for r in report["results"]}
    # What each introduction said reached the next session's profile.
    assert rows["p1"]["profile"]["hands_on"] and "security" in rows["p1"]["profile"]["topics"]
    assert rows["p2"]["profile"]["days"] == ["Friday"]
    assert rows["p3"]["profile"]["avoided_topics"] == ["generative AI"]
    for row in report["results"]:
        assert row["cited"], row
