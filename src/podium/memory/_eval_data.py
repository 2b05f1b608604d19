"""Loader for the LoCoMo long-conversation benchmark's JSON format (evaluation only, never bundled).

Each conversation has ``conversation`` (``speaker_a``, ``speaker_b``, ``session_N`` turn lists
``{speaker, dia_id, text[, blip_caption]}`` and ``session_N_date_time``) and ``qa`` items
(``question``, ``answer``, ``evidence`` dia_ids, ``category`` 1-5).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from podium.errors import InvalidInput

__all__ = [
    "LocomoConversation",
    "LocomoQA",
    "LocomoSession",
    "LocomoTurn",
    "load_locomo",
    "parse_locomo_datetime",
]

_SESSION_KEY = re.compile(r"session_(\d+)$")
_DATETIME = re.compile(
    r"(?P<h>\d{1,2}):(?P<m>\d{2})\s*(?P<ap>am|pm)\s+on\s+(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]+),?\s+(?P<y>\d{4})",
    re.IGNORECASE,
)


@dataclass(frozen=True, kw_only=True)
class LocomoTurn:
    """One utterance."""

    dia_id: str
    speaker: str
    text: str
    caption: str | None = None


@dataclass(frozen=True, kw_only=True)
class LocomoSession:
    """One dated session of a conversation."""

    number: int
    date_time: str
    timestamp: float
    turns: list[LocomoTurn]


@dataclass(frozen=True, kw_only=True)
class LocomoQA:
    """One question with its evidence turns."""

    question: str
    answer: str
    evidence: list[str]
    category: int


@dataclass(frozen=True, kw_only=True)
class LocomoConversation:
    """A two-person conversation over many sessions, with questions about it."""

    sample_id: str
    speaker_a: str
    speaker_b: str
    sessions: list[LocomoSession]
    qa: list[LocomoQA] = field(default_factory=list)


def parse_locomo_datetime(value: str) -> float:
    """'1:56 pm on 8 May, 2023' → epoch seconds (UTC)."""
    match = _DATETIME.search(value or "")
    if match is None:
        raise InvalidInput(f"unrecognised LoCoMo date {value!r}")
    hour = int(match["h"]) % 12 + (12 if match["ap"].lower() == "pm" else 0)
    month = datetime.strptime(match["mon"][:3].title(), "%b").month
    stamp = datetime(int(match["y"]), month, int(match["d"]), hour, int(match["m"]), tzinfo=UTC)
    return stamp.timestamp()


def _evidence(raw: object) -> list[str]:
    # Some items list several ids in one string ("D8:6; D9:17").
    out: list[str] = []
    for item in raw if isinstance(raw, list) else []:
        out.extend(p for p in re.split(r"[;,\s]+", str(item)) if p)
    return out


def load_locomo(path: str | Path) -> list[LocomoConversation]:
    """Read a LoCoMo JSON file (a list of conversations)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise InvalidInput("a LoCoMo file is a JSON list of conversations")
    out: list[LocomoConversation] = []
    for index, item in enumerate(data):
        conv = item.get("conversation") or {}
        sessions: list[LocomoSession] = []
        for key, turns in conv.items():
            match = _SESSION_KEY.match(key)
            if not match or not isinstance(turns, list) or not turns:
                continue
            number = int(match.group(1))
            date_time = str(conv.get(f"{key}_date_time") or "")
            sessions.append(
                LocomoSession(
                    number=number,
                    date_time=date_time,
                    timestamp=parse_locomo_datetime(date_time),
                    turns=[
                        LocomoTurn(
                            dia_id=str(turn["dia_id"]),
                            speaker=str(turn["speaker"]),
                            text=str(turn.get("text") or ""),
                            caption=turn.get("blip_caption"),
                        )
                        for turn in turns
                    ],
                )
            )
        sessions.sort(key=lambda s: s.number)
        qa = [
            LocomoQA(
                question=str(q["question"]),
                answer=str(q.get("answer", q.get("adversarial_answer", ""))),
                evidence=_evidence(q.get("evidence")),
                category=int(q["category"]),
            )
            for q in item.get("qa") or []
        ]
        out.append(
            LocomoConversation(
                sample_id=str(item.get("sample_id") or f"conv-{index}"),
                speaker_a=str(conv.get("speaker_a") or "A"),
                speaker_b=str(conv.get("speaker_b") or "B"),
                sessions=sessions,
                qa=qa,
            )
        )
    return out
