"""Prompts of the LLM extractor: one extraction prompt per strategy type, one consolidation prompt.

Every prompt asks for a single JSON object so the reply can be validated with pydantic; the
extractor retries with the validation error when the model strays.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ._extractor import ExistingRecord, Message

__all__ = [
    "CONSOLIDATION_PROMPT",
    "EXTRACTION_PROMPTS",
    "consolidation_request",
    "extraction_prompt",
    "extraction_request",
    "retry_request",
]

_OUTPUT = """
Reply with ONE JSON object and nothing else, of this shape:
{"memories": [{"text": "<one self-contained sentence about the user>",
               "content": {<structured fields, see above>},
               "rationale": "<why: what the user said that supports it>",
               "source_event_ids": ["<event ids of the turns it comes from>"]}]}
Use only event ids shown in the conversation. Reply {"memories": []} when nothing qualifies."""

EXTRACTION_PROMPTS: dict[str, str] = {
    "user_preference": """You extract the user's PREFERENCES from a conversation with an assistant.
A preference is something the user likes, dislikes, wants to learn about or prefers (topics,
formats such as hands-on workshops or deep dives, levels). Record explicit statements only, not
guesses. A stated loss of interest ("no longer interested in X") is a preference with polarity
"negative". content fields: "preference" (short phrase), "polarity" ("positive"|"negative"),
"context" (the user's sentence), "categories" (short topic labels).""",
    "semantic": """You extract FACTS the user states about themselves: name, role, employer,
location, experience, schedule, and other durable facts. One fact per memory.
content fields: "fact" (e.g. "works as a software engineer at TechCorp"), "slot" (name | role |
employer | location | experience | attendance | other), "value".""",
    "summary": """You summarise the conversation so far: the topics the user asked about and any
items (e.g. session codes with titles) the assistant discussed or recommended. Return exactly one
memory. content fields: "summary", "topics" (list), "sessions" (list of {"code", "title"}).""",
    "episodic": """You record the conversation as an EPISODE: the user's goal (their first
request), the steps the assistant took, and the outcome. Return exactly one memory.
content fields: "goal", "steps" (list of short strings), "outcome".""",
}

CONSOLIDATION_PROMPT = """You maintain a user's long-term memory. Given a NEW candidate memory and
the most similar EXISTING memories (with ids), decide one operation:
- "ADD": the candidate is new information;
- "UPDATE": it refines, corrects or supersedes one existing memory (give its record_id and the
  merged text);
- "SKIP": it is already known;
- "DELETE": it retracts one existing memory (give its record_id).
Reply with ONE JSON object and nothing else:
{"operation": "ADD"|"UPDATE"|"SKIP"|"DELETE", "record_id": "<id or null>",
 "text": "<final memory text for ADD/UPDATE, else null>", "rationale": "<one sentence>"}"""


def extraction_prompt(strategy_type: str, append_to_prompt: str | None = None) -> str:
    """The system prompt for a strategy type, with a custom strategy's extra instructions."""
    base = EXTRACTION_PROMPTS.get(strategy_type, EXTRACTION_PROMPTS["semantic"])
    extra = f"\n\nAdditional instructions:\n{append_to_prompt.strip()}" if append_to_prompt else ""
    return base + extra + "\n" + _OUTPUT


def _render_turns(messages: Sequence[Message]) -> str:
    return "\n".join(f"[{m.event_id}] {m.role}: {m.text}" for m in messages)


def extraction_request(messages: Sequence[Message], history: Sequence[Message] = ()) -> str:
    """The user message of an extraction call: earlier turns for context, then the new ones."""
    parts = []
    if history:
        parts.append("Earlier in this session (context only):\n" + _render_turns(history))
    parts.append("New turns:\n" + _render_turns(messages))
    return "\n\n".join(parts)


def consolidation_request(
    candidate_text: str, similar: Sequence[tuple[ExistingRecord, float]]
) -> str:
    """The user message of a consolidation call."""
    existing = [
        {"record_id": record.record_id, "text": record.text, "similarity": round(score, 3)}
        for record, score in similar
    ]
    return (
        f"NEW candidate: {json.dumps(candidate_text, ensure_ascii=False)}\n"
        f"EXISTING memories: {json.dumps(existing, ensure_ascii=False)}"
    )


def retry_request(original: str, error: str) -> str:
    """The request again, with the validation error of the previous reply."""
    return (
        f"{original}\n\nYour previous reply was not valid: {error}\n"
        "Reply again with ONE valid JSON object and nothing else."
    )
