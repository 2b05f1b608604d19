"""Memory resources: create/get/list/update/delete, strategy forms, namespace templates."""

from __future__ import annotations

import types

import pytest

import podium.memory as memory_pkg
from podium.errors import Conflict, InvalidInput, NotFound
from podium.memory import MemoryService, resolve_namespace
from podium.memory._namespaces import namespace_matches


def test_public_surface_matches_all() -> None:
    public = {
        name
        for name, value in vars(memory_pkg).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    } - {"annotations"}
    assert public == set(memory_pkg.__all__)


def test_create_get_list_delete(service: MemoryService) -> None:
    mem = service.create_memory(
        "support",
        description="help desk",
        event_expiry_days=30,
        strategies=[
            {"userPreferenceMemoryStrategy": {"name": "prefs"}},
            {"type": "summary", "name": "sums"},
            {
                "type": "semantic",
                "name": "facts",
                "namespaces": ["/facts/{actorId}/"],
                "configuration": {"triggers": {"message_count": 3, "idle_seconds": 60}},
            },
        ],
    )
    assert mem.memory_id.startswith("support-") and len(mem.memory_id) == len("support-") + 10
    kinds = {s.name: s for s in mem.strategies}
    assert kinds["prefs"].type == "user_preference"
    assert kinds["prefs"].namespaces == ["/strategies/{memoryStrategyId}/actors/{actorId}/"]
    assert kinds["sums"].namespaces == [
        "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/"
    ]
    assert kinds["facts"].message_count_trigger == 3
    assert kinds["facts"].configuration["triggers"]["idle_seconds"] == 60.0
    assert kinds["prefs"].message_count_trigger == 1
    assert kinds["prefs"].strategy_id.startswith("prefs-")

    got = service.get_memory(mem.memory_id)
    assert got.as_dict() == mem.as_dict()
    assert got.as_dict()["eventExpiryDuration"] == 30
    assert [m.memory_id for m in service.list_memories()] == [mem.memory_id]

    with pytest.raises(Conflict):
        service.create_memory("support")

    service.delete_memory(mem.memory_id)
    with pytest.raises(NotFound):
        service.get_memory(mem.memory_id)
    assert service.list_memories() == []


@pytest.mark.parametrize("days", [2, 366, 0, -1, "90", 3.5])
def test_expiry_bounds(service: MemoryService, days: object) -> None:
    with pytest.raises(InvalidInput, match="eventExpiryDuration"):
        service.create_memory("m", event_expiry_days=days)  # type: ignore[arg-type]


@pytest.mark.parametrize("days", [3, 365])
def test_expiry_edges_accepted(service: MemoryService, days: int) -> None:
    assert service.create_memory(f"m{days}", event_expiry_days=days).event_expiry_days == days


@pytest.mark.parametrize(
    ("strategy", "match"),
    [
        ({"type": "nope", "name": "x"}, "type"),
        ({"type": "semantic", "name": "bad name"}, "name"),
        ({"type": "semantic", "name": "x", "namespaces": ["/a/{userId}/"]}, "userId"),
        ({"type": "semantic", "name": "x", "namespaces": ["/a/{actorId/"]}, "brace"),
        ({"type": "semantic", "name": "x", "namespaces": ["/a/*"]}, r"\*"),
        (
            {"type": "semantic", "name": "x", "configuration": {"triggers": {"message_count": 0}}},
            "message_count",
        ),
        ({"semanticMemoryStrategy": {"name": "x"}, "extra": 1}, "exactly one"),
    ],
)
def test_bad_strategies(service: MemoryService, strategy: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        service.create_memory("m", strategies=[strategy])


def test_duplicate_strategy_names_rejected(service: MemoryService) -> None:
    with pytest.raises(InvalidInput, match="unique"):
        service.create_memory(
            "m", strategies=[{"type": "semantic", "name": "a"}, {"type": "summary", "name": "a"}]
        )


def test_bad_name_and_unknown_model(service: MemoryService) -> None:
    with pytest.raises(InvalidInput, match="name"):
        service.create_memory("1abc")
    with pytest.raises(Exception, match="embedding model"):
        service.create_memory("m", embedding_model="nonsense")


def test_update_adds_modifies_and_deletes_strategies(service: MemoryService) -> None:
    mem = service.create_memory("m", strategies=[{"type": "semantic", "name": "facts"}])
    facts = mem.strategies[0].strategy_id
    updated = service.update_memory(
        mem.memory_id,
        description="new",
        event_expiry_days=7,
        add_strategies=[{"episodicMemoryStrategy": {"name": "episodes"}}],
        modify_strategies=[
            {
                "memoryStrategyId": facts,
                "namespaces": ["/f/{actorId}/"],
                "configuration": {"triggers": {"message_count": 5}},
            }
        ],
    )
    assert updated.description == "new" and updated.event_expiry_days == 7
    by_name = {s.name: s for s in updated.strategies}
    assert by_name["facts"].namespaces == ["/f/{actorId}/"]
    assert by_name["facts"].message_count_trigger == 5
    assert by_name["episodes"].type == "episodic"
    assert service.get_memory(mem.memory_id).as_dict() == updated.as_dict()

    after = service.update_memory(mem.memory_id, delete_strategy_ids=[facts])
    assert [s.name for s in after.strategies] == ["episodes"]
    with pytest.raises(NotFound, match="deleteMemoryStrategies"):
        service.update_memory(mem.memory_id, delete_strategy_ids=[facts])
    with pytest.raises(NotFound, match="modifyMemoryStrategies"):
        service.update_memory(mem.memory_id, modify_strategies=[{"strategyId": "zz"}])
    with pytest.raises(InvalidInput):
        service.update_memory(mem.memory_id, event_expiry_days=400)


def test_unknown_memory_ids(service: MemoryService) -> None:
    with pytest.raises(NotFound):
        service.get_memory("ghost-abcdefghij")
    with pytest.raises(InvalidInput, match="memoryId"):
        service.get_memory("bad id")
    with pytest.raises(NotFound):
        service.delete_memory("ghost-abcdefghij")


def test_resolve_namespace_and_prefix_rule() -> None:
    template = "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/"
    assert (
        resolve_namespace(template, "alice", "s1", "st")
        == "/strategies/st/actors/alice/sessions/s1/"
    )
    with pytest.raises(InvalidInput, match="sessionId"):
        resolve_namespace(template, "alice", None, "st")
    assert namespace_matches("/strategies/s/actors/al/", "/strategies/s/actors/al/")
    assert namespace_matches("/strategies/s/actors/al", "/strategies/s/actors/al/x")
    assert namespace_matches("/strategies/s/actors/", "/strategies/s/actors/alice/")
    assert not namespace_matches("/strategies/s/actors/al", "/strategies/s/actors/alice/")
    assert not namespace_matches("/strategies/s/actors/al/", "/strategies/s/actors/alice/")
