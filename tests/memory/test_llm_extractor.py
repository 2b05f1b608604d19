"""The LLM extractor, driven by a scripted Strands model (no LLM service is ever called)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fixtures.scripted_model import ScriptedModel
from podium.config import Settings
from podium.errors import ModelError
from podium.memory._service import MemoryService
from podium.memory.extraction import ExtractionWorker
from podium.memory.extraction._extract_llm import LLMExtractor
from podium.memory.extraction._extractor import Add, ExistingRecord, Message, Skip, Update
from podium.storage import Database


def _msg(text: str, event_id: str = "ev-1") -> Message:
    return Message(event_id=event_id, role="USER", text=text, timestamp=0.0)


def _extraction(*memories: dict[str, Any]) -> str:
    return json.dumps({"memories": list(memories)})


def _none(text: str, k: int, namespace: str | None = None) -> list[tuple[ExistingRecord, float]]:
    return []


def test_new_memory_is_added_without_a_consolidation_call() -> None:
    model = ScriptedModel(
        [
            "Sure! ```json\n"
            + _extraction(
                {
                    "text": "The user works at TechCorp.",
                    "content": {"fact": "works at TechCorp", "slot": "employer"},
                    "rationale": "they said so",
                    "source_event_ids": ["ev-1", "made-up"],
                }
            )
            + "\n```"
        ]
    )
    extractor = LLMExtractor(lambda model_id: model)
    (decision,) = extractor.extract({"type": "semantic"}, [_msg("I work at TechCorp")], _none)
    assert isinstance(decision, Add)
    assert decision.text == "The user works at TechCorp."
    assert decision.rationale == "they said so"
    assert decision.source_event_ids == ("ev-1",)  # ids the model invented are dropped
    assert len(model.calls) == 1
    system, user = model.calls[0].system_prompt, model.calls[0].user_text
    assert system is not None and "FACTS" in system
    assert "[ev-1] USER: I work at TechCorp" in user


def test_custom_strategy_appends_prompt_and_selects_model() -> None:
    models: dict[str | None, ScriptedModel] = {"big-model": ScriptedModel([_extraction()])}
    chosen: list[str | None] = []

    def factory(model_id: str | None) -> ScriptedModel:
        chosen.append(model_id)
        return models[model_id]

    strategy = {
        "type": "custom",
        "configuration": {
            "base": "user_preference",
            "append_to_prompt": "Only record programming languages.",
            "model_id": "big-model",
        },
    }
    decisions = LLMExtractor(factory).extract(strategy, [_msg("I like Rust")], _none)
    assert [type(d) for d in decisions] == [Skip]
    assert chosen == ["big-model"]
    system = models["big-model"].calls[0].system_prompt or ""
    assert "PREFERENCES" in system
    assert system.index("Only record programming languages.") > system.index("PREFERENCES")


def test_consolidation_updates_the_named_record() -> None:
    stored = ExistingRecord(record_id="mem-1", text="The user works at TechCorp.", content={})
    model = ScriptedModel(
        [
            _extraction({"text": "The user works at Acme.", "rationale": "moved"}),
            json.dumps(
                {
                    "operation": "UPDATE",
                    "record_id": "mem-1",
                    "text": "The user works at Acme (previously TechCorp).",
                    "rationale": "the user moved to Acme",
                }
            ),
        ]
    )
    (decision,) = LLMExtractor(lambda _: model).extract(
        {"type": "semantic"},
        [_msg("I moved to Acme", "ev-2")],
        lambda text, k, ns=None: [(stored, 0.8)],
    )
    assert isinstance(decision, Update)
    assert decision.record_id == "mem-1"
    assert decision.text == "The user works at Acme (previously TechCorp)."
    assert decision.source_event_ids == ("ev-2",)
    assert "mem-1" in model.calls[1].user_text


def test_unknown_record_id_falls_back_to_add() -> None:
    stored = ExistingRecord(record_id="mem-1", text="x", content={})
    model = ScriptedModel(
        [
            _extraction({"text": "The user likes Go."}),
            json.dumps({"operation": "DELETE", "record_id": "mem-someone-else"}),
        ]
    )
    (decision,) = LLMExtractor(lambda _: model).extract(
        {"type": "user_preference"}, [_msg("I like Go")], lambda text, k, ns=None: [(stored, 0.4)]
    )
    assert isinstance(decision, Add)


def test_malformed_output_is_retried_then_raises() -> None:
    good = _extraction({"text": "The user likes Go."})
    model = ScriptedModel(["not json at all", good])
    (decision,) = LLMExtractor(lambda _: model, max_attempts=2).extract(
        {"type": "user_preference"}, [_msg("I like Go")], _none
    )
    assert isinstance(decision, Add)
    assert "previous reply was not valid" in model.calls[1].user_text
    failing = ScriptedModel(["nope", '{"memories": [{"text": ""}]}'])
    with pytest.raises(ModelError, match="invalid after 2 attempts"):
        LLMExtractor(lambda _: failing, max_attempts=2).extract(
            {"type": "user_preference"}, [_msg("I like Go")], _none
        )


def test_failed_job_is_re_driven_to_success(db: Database, settings: Settings) -> None:
    service = MemoryService(db, settings)
    memory_id = service.create_memory(
        "llm",
        strategies=[
            {
                "type": "custom",
                "name": "jobs",
                "configuration": {"base": "semantic", "model_id": "scripted-1"},
            }
        ],
    ).memory_id
    event = service.create_event(
        memory_id,
        "bob",
        "s1",
        [{"conversational": {"role": "USER", "content": {"text": "I work for Initech"}}}],
    )
    model = ScriptedModel(["garbage", "```json\n{oops\n```", "[]"])
    seen: list[str | None] = []

    def factory(model_id: str | None) -> ScriptedModel:
        seen.append(model_id)
        return model

    worker = ExtractionWorker(service, LLMExtractor(factory, max_attempts=3))
    assert worker.run_until_idle(timeout=10)
    (job,) = service.list_extraction_jobs(memory_id)
    assert job.status == "FAILED"
    assert job.error is not None and "invalid after 3 attempts" in job.error
    records, _ = service.list_memory_records(memory_id, "/")
    assert records == []

    model.script = [
        _extraction(
            {
                "text": "The user works at Initech.",
                "content": {"fact": "works at Initech", "slot": "employer"},
                "rationale": "the user said they work for Initech",
                "source_event_ids": [event.event_id],
            }
        )
    ]
    redriven = service.start_extraction_job(memory_id, job.job_id)
    assert redriven.status == "PENDING"
    assert worker.run_until_idle(timeout=10)
    (job,) = service.list_extraction_jobs(memory_id)
    assert job.status == "COMPLETED" and job.error is None
    (record,) = service.list_memory_records(memory_id, "/")[0]
    assert record.text == "The user works at Initech."
    assert record.rationale == "the user said they work for Initech"
    assert record.source_event_ids == [event.event_id]
    assert seen == ["scripted-1", "scripted-1"]
