"""Knowledge-base lifecycle and validation."""

from __future__ import annotations

import pytest

from podium.errors import Conflict, InvalidInput, NotFound
from podium.knowledge import KnowledgeService


def test_create_list_get_delete(knowledge: KnowledgeService) -> None:
    kb = knowledge.create(
        "docs", description="d", chunking={"strategy": "fixed_size", "max_tokens": 120}
    )
    assert kb.info.embedding_model == "podium/all-MiniLM-L6-v2-int8"
    assert kb.info.dimension == 384
    assert kb.info.chunking["max_tokens"] == 120
    assert [i.name for i in knowledge.list()] == ["docs"]
    assert knowledge.get(kb.id).name == "docs"
    knowledge.delete("docs")
    assert knowledge.list() == []
    with pytest.raises(NotFound):
        knowledge.get("docs")


def test_config_persists_across_service_instances(knowledge: KnowledgeService) -> None:
    knowledge.create(
        "h",
        chunking={"strategy": "hierarchical", "parent_max_tokens": 400, "child_max_tokens": 100},
    )
    fresh = KnowledgeService(knowledge.db, knowledge.settings)
    assert fresh.get("h").chunking.strategy == "hierarchical"
    assert fresh.get("h").chunking.child_max_tokens == 100


@pytest.mark.parametrize("name", ["", "has space", "-lead", "x" * 101])
def test_bad_names_rejected(knowledge: KnowledgeService, name: str) -> None:
    with pytest.raises(InvalidInput):
        knowledge.create(name)


def test_duplicate_name_conflicts(knowledge: KnowledgeService) -> None:
    knowledge.create("a")
    with pytest.raises(Conflict):
        knowledge.create("a")


def test_bad_chunking_rejected(knowledge: KnowledgeService) -> None:
    with pytest.raises(InvalidInput):
        knowledge.create("c", chunking={"strategy": "fixed_size", "max_tokens": 0})
    with pytest.raises(InvalidInput):
        knowledge.create("c", chunking={"strategy": "nope"})


def test_unknown_embedding_model_is_a_clear_error(knowledge: KnowledgeService) -> None:
    from podium.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="PODIUM_EMBEDDING_MODEL"):
        knowledge.create("e", embedding_model="mystery")
