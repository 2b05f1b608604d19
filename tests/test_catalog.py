"""Tests for the synthetic sample catalog (scripts/make_catalog.py, data/catalog/sessions.jsonl)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import random
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from podium.apps.event_assistant import _vocabulary
from podium.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_catalog.py"
CATALOG = ROOT / "data" / "catalog" / "sessions.jsonl"
POOLS = ROOT / "data" / "catalog" / "pools"

FIELDS = [
    "code",
    "title",
    "abstract",
    "type",
    "level",
    "topics",
    "day",
    "date",
    "start",
    "end",
    "venue",
    "room",
    "speakers",
    "tags",
]
TOPICS = {
    "generative AI",
    "security",
    "serverless",
    "databases",
    "analytics",
    "containers",
    "networking",
    "observability",
    "cost",
    "MLOps",
    "IoT",
    "DevOps",
    "storage",
    "migration",
    "industry",
}
DURATIONS = {
    "keynote": 90,
    "breakout": 60,
    "workshop": 120,
    "chalk talk": 60,
    "builders' session": 60,
    "code talk": 60,
    "lightning talk": 20,
}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_catalog", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses resolve string annotations through sys.modules, so register first.
    sys.modules["make_catalog"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def make_catalog() -> ModuleType:
    return _load_module()


@pytest.fixture(scope="module")
def sessions() -> list[dict[str, Any]]:
    lines = CATALOG.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


# Variety metrics, shared by the real-data tests and the test that proves they can fail.


def distinct_sentence_ratio(abstracts: list[str]) -> float:
    distinct = {s for a in abstracts for s in _sentences(a)}
    return len(distinct) / len(abstracts)


def max_shared_sentence_fraction(abstracts: list[str]) -> float:
    sets = [set(_sentences(a)) for a in abstracts]
    owners: dict[str, list[int]] = defaultdict(list)
    for i, sentences in enumerate(sets):
        for sentence in sentences:
            owners[sentence].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for members in owners.values():
        for pair in itertools.combinations(members, 2):
            shared[pair] += 1
    return max(
        (n / min(len(sets[a]), len(sets[b])) for (a, b), n in shared.items()),
        default=0.0,
    )


def mean_track_jaccard(records: list[dict[str, Any]], per_track: int = 20) -> float:
    """Worst (highest) mean pairwise token Jaccard over a seeded sample of each track."""
    rng = random.Random(7)
    by_track: dict[str, list[str]] = defaultdict(list)
    for record in records:
        by_track[record["topics"][0]].append(record["abstract"])
    worst = 0.0
    for abstracts in by_track.values():
        sample = [_tokens(a) for a in rng.sample(abstracts, min(per_track, len(abstracts)))]
        scores = [len(a & b) / len(a | b) for a, b in itertools.combinations(sample, 2)]
        worst = max(worst, sum(scores) / len(scores))
    return worst


def _run_generator(out: Path, *args: str) -> bytes:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), *args],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return out.read_bytes()


def test_generator_is_deterministic_and_matches_committed_file(tmp_path: Path) -> None:
    first = _run_generator(tmp_path / "a" / "sessions.jsonl")
    second = _run_generator(tmp_path / "b" / "sessions.jsonl")
    assert first == second
    assert first == CATALOG.read_bytes(), "committed catalog is stale: run `make catalog`"


def test_seed_and_count_options_change_the_output(make_catalog: ModuleType, tmp_path: Path) -> None:
    other_seed = _run_generator(tmp_path / "seed.jsonl", "--seed", "7", "--count", "560")
    assert other_seed != CATALOG.read_bytes()
    assert len(other_seed.decode("utf-8").splitlines()) == 560
    records = make_catalog.build_catalog(seed=7, count=560)
    assert make_catalog.render_catalog(records).encode("utf-8") == other_seed


def test_main_rejects_a_count_too_small_for_the_keynotes(make_catalog: ModuleType) -> None:
    with pytest.raises(SystemExit) as excinfo:
        make_catalog.main(["--count", "3", "--out", "/nonexistent/never-written.jsonl"])
    assert excinfo.value.code == 2


def test_the_generator_uses_the_assistants_vocabulary(make_catalog: ModuleType) -> None:
    # The tracks come in vocabulary order; this file's expectations are the same values.
    tracks = make_catalog.load_pools().tracks
    assert [t.name for t in tracks] == list(_vocabulary.TOPICS)
    assert set(_vocabulary.TOPICS) == TOPICS
    assert list(_vocabulary.SESSION_TYPES) == list(DURATIONS)
    assert list(_vocabulary.DAYS) == DAYS
    assert _vocabulary.LEVELS == (100, 200, 300, 400)


def _edited_pools(tmp_path: Path, name: str, edit: Any) -> Path:
    root = tmp_path / "pools"
    shutil.copytree(POOLS, root)
    path = root / name
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    return root


def test_pool_files_outside_the_vocabulary_are_rejected(
    make_catalog: ModuleType, tmp_path: Path
) -> None:
    def relate_to_unknown_topic(track: dict[str, Any]) -> None:
        track["subtopics"][0]["related"] = ["quantum"]

    def drop_a_day(schedule: dict[str, Any]) -> None:
        del schedule["days"]["Friday"]

    def unknown_type(schedule: dict[str, Any]) -> None:
        schedule["type_weights"]["hackathon"] = 5

    def missing_prefix(track: dict[str, Any]) -> None:
        del track["prefix"]

    for name, edit in [
        ("tracks/security.json", relate_to_unknown_topic),
        ("schedule.json", drop_a_day),
        ("schedule.json", unknown_type),
        ("tracks/cost.json", missing_prefix),
    ]:
        root = _edited_pools(tmp_path / edit.__name__, name, edit)
        with pytest.raises(ConfigurationError):
            make_catalog.load_pools(root)
    root = _edited_pools(tmp_path / "stray", "tracks/iot.json", lambda _: None)
    shutil.copy(root / "tracks" / "iot.json", root / "tracks" / "quantum.json")
    with pytest.raises(ConfigurationError, match="quantum"):
        make_catalog.load_pools(root)


def test_catalog_size_and_order(sessions: list[dict[str, Any]]) -> None:
    assert 550 <= len(sessions) <= 650
    codes = [s["code"] for s in sessions]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    titles = [s["title"] for s in sessions]
    assert len(set(titles)) == len(titles)


def test_every_session_has_the_exact_fields_with_valid_values(
    sessions: list[dict[str, Any]], make_catalog: ModuleType
) -> None:
    prefix_by_topic = {t.name: t.prefix for t in make_catalog.load_pools().tracks}
    assert set(prefix_by_topic) == TOPICS
    for s in sessions:
        assert list(s) == FIELDS, s["code"]
        assert isinstance(s["title"], str) and s["title"].strip() == s["title"] != ""
        assert s["type"] in DURATIONS
        assert s["level"] in (100, 200, 300, 400) and type(s["level"]) is int
        assert re.fullmatch(r"[A-Z]{3}[1-4]\d{2}", s["code"])
        assert int(s["code"][3]) * 100 == s["level"], s["code"]
        topics = s["topics"]
        assert 1 <= len(topics) <= 3 and len(set(topics)) == len(topics)
        assert set(topics) <= TOPICS
        assert s["code"][:3] == prefix_by_topic[topics[0]], s["code"]
        day_index = DAYS.index(s["day"])
        assert date.fromisoformat(s["date"]) == date(2026, 12, 7 + day_index)
        start, end = _minutes(s["start"]), _minutes(s["end"])
        assert re.fullmatch(r"\d\d:\d\d", s["start"]) and re.fullmatch(r"\d\d:\d\d", s["end"])
        assert 8 * 60 <= start < end <= 18 * 60 + 30
        assert end - start == DURATIONS[s["type"]], s["code"]
        assert isinstance(s["venue"], str) and s["venue"]
        assert isinstance(s["room"], str) and s["room"]
        assert 1 <= len(s["speakers"]) <= 3
        for speaker in s["speakers"]:
            assert list(speaker) == ["name", "title", "company"]
            assert all(isinstance(v, str) and v for v in speaker.values())
        assert 3 <= len(s["tags"]) <= 6 and len(set(s["tags"])) == len(s["tags"])
        assert all(re.fullmatch(r"[a-z0-9][a-z0-9.-]*", t) for t in s["tags"]), s["tags"]


def test_abstract_lengths(sessions: list[dict[str, Any]]) -> None:
    for s in sessions:
        words = len(s["abstract"].split())
        assert 80 <= words <= 200, (s["code"], words)
        assert "{" not in s["abstract"] and "  " not in s["abstract"]


def test_type_distribution_is_realistic(sessions: list[dict[str, Any]]) -> None:
    types = Counter(s["type"] for s in sessions)
    assert set(types) == set(DURATIONS)
    assert types.most_common(1)[0][0] == "breakout"
    assert types["breakout"] > len(sessions) / 3
    assert 1 <= types["keynote"] <= 10
    assert set(Counter(s["day"] for s in sessions)) == set(DAYS)
    assert set(Counter(s["level"] for s in sessions)) == {100, 200, 300, 400}
    assert {s["topics"][0] for s in sessions} == TOPICS


def test_hands_on_sessions_say_so(sessions: list[dict[str, Any]]) -> None:
    hands_on = re.compile(r"laptop|hands-on|keyboard|\blabs?\b|you will build|build", re.I)
    live_code = re.compile(r"live coding|code live|refactor|code shown", re.I)
    for s in sessions:
        if s["type"] in ("workshop", "builders' session"):
            assert hands_on.search(s["abstract"]), s["code"]
        if s["type"] == "code talk":
            assert live_code.search(s["abstract"]), s["code"]


def test_rooms_and_speakers_are_never_double_booked(sessions: list[dict[str, Any]]) -> None:
    def clash(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return a["day"] == b["day"] and (
            _minutes(a["start"]) < _minutes(b["end"]) and _minutes(b["start"]) < _minutes(a["end"])
        )

    by_room: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    by_speaker: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in sessions:
        by_room[(s["venue"], s["room"])].append(s)
        for speaker in s["speakers"]:
            by_speaker[speaker["name"]].append(s)
    for group in [*by_room.values(), *by_speaker.values()]:
        for a, b in itertools.combinations(group, 2):
            assert not clash(a, b), (a["code"], b["code"])
    keynotes = [s for s in sessions if s["type"] == "keynote"]
    for keynote in keynotes:
        for s in sessions:
            if s is not keynote:
                assert not clash(keynote, s), (keynote["code"], s["code"])


def test_abstracts_are_varied_not_templated(sessions: list[dict[str, Any]]) -> None:
    abstracts = [s["abstract"] for s in sessions]
    assert distinct_sentence_ratio(abstracts) > 3.0
    assert max_shared_sentence_fraction(abstracts) <= 0.5
    assert mean_track_jaccard(sessions) < 0.25


def test_variety_checks_catch_a_templated_catalog(sessions: list[dict[str, Any]]) -> None:
    # The same checks must fail on a catalog built from one template with words swapped.
    template = (
        "In this {type} you will learn about {topic}. We explain the key concepts of {topic} "
        "and show how teams use it in production. You will see a demo and hear best practices. "
        "Our experts share tips, patterns and lessons learned. Join us to accelerate your "
        "journey with {topic} and take your skills to the next level."
    )
    by_topic = [template.format(type=s["type"], topic=s["topics"][0]) for s in sessions]
    assert distinct_sentence_ratio(by_topic) < 3.0
    assert max_shared_sentence_fraction(by_topic) > 0.5
    # Swapping in each unique title defeats the sentence counts, but not the token overlap.
    by_title = [
        {**s, "abstract": template.format(type=s["type"], topic=s["title"])} for s in sessions
    ]
    assert mean_track_jaccard(by_title) > 0.25
