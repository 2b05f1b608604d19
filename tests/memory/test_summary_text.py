"""The offline summary says what was discussed and which sessions came up, to the user."""

from __future__ import annotations

from podium.memory.extraction import OfflineExtractor
from podium.memory.extraction._extractor import Add, Message


def _m(text: str, role: str = "USER", event_id: str = "e") -> Message:
    return Message(event_id=event_id, role=role, text=text, timestamp=0.0)


def _summary(*messages: Message) -> str:
    (decision,) = OfflineExtractor().extract(
        {"type": "summary", "namespace": "/s"}, list(messages), lambda *_: []
    )
    assert isinstance(decision, Add)
    return str(decision.content["summary"])


def test_a_request_and_the_suggested_sessions() -> None:
    text = _summary(
        _m("Could you point me to container workshops for Wednesday?", event_id="u1"),
        _m("1. [CNT301] Scaling Kubernetes clusters\n2. [CNT210] ECS in practice", "ASSISTANT"),
    )
    assert text == (
        "You asked for hands-on containers sessions on Wednesday; I suggested CNT301 and CNT210."
    )


def test_an_introduction_with_interests_and_a_format() -> None:
    text = _summary(
        _m("Hello, I'm Priya. I'm keen on serverless and observability, and I like labs."),
        _m("Nice to meet you, Priya!", "ASSISTANT"),
    )
    assert text.startswith("You told me you're interested in serverless and observability")
    assert "hands-on" in text
    assert "The user" not in text and "talked about" not in text


def test_a_retraction_is_not_read_as_a_request_for_it() -> None:
    text = _summary(
        _m("I'm not into databases any more. Any analytics talks?"),
        _m("[ANT305] Streaming pipelines", "ASSISTANT"),
    )
    assert "analytics sessions" in text
    assert "avoid databases" in text
    assert "asked for databases" not in text and text.endswith("I suggested ANT305.")


def test_codes_only_from_the_assistant_not_raw_tool_results() -> None:
    text = _summary(
        _m("What is on Friday?"),
        _m('[tool result success] [{"code": "ZZZ999"}]', "TOOL"),
        _m("[MIG220] Mainframe moves", "ASSISTANT"),
    )
    assert "MIG220" in text and "ZZZ999" not in text
