"""Each package's ``__all__`` is its deliberate public surface, and stays in sync with it."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = [
    "podium",
    "podium.agents",
    "podium.apps",
    "podium.apps.event_assistant",
    "podium.cli",
    "podium.deploy",
    "podium.embeddings",
    "podium.identity",
    "podium.knowledge",
    "podium.knowledge.filters",
    "podium.memory",
    "podium.runtime",
    "podium.storage",
    "podium.transfer",
    "podium.telemetry",
    "podium.vectors",
    "podium.web",
]
# Packages that load their names on first use keep typing helpers in their namespace.
_TYPING_NAMES = {"Any", "TYPE_CHECKING", "annotations"}


@pytest.mark.parametrize("name", PACKAGES)
def test_all_lists_exactly_the_public_names(name: str) -> None:
    package = importlib.import_module(name)
    exported = package.__all__
    assert len(exported) == len(set(exported)), "duplicates in __all__"
    assert [n for n in exported if not hasattr(package, n)] == []
    public = {
        n
        for n, v in vars(package).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)
    }
    assert public - set(exported) - _TYPING_NAMES == set()


def test_the_root_exports_the_front_door() -> None:
    import podium

    assert {"open", "Podium", "Settings", "PodiumError"} <= set(podium.__all__)
    assert callable(podium.open)


def test_internals_stay_out_of_the_user_facing_packages() -> None:
    import podium.embeddings
    import podium.knowledge

    internals = {"filter_to_sql", "chunk_text", "compile_filter", "iter_source_files", "parse_file"}
    assert internals.isdisjoint(podium.knowledge.__all__)
    assert "l2_normalize" not in podium.embeddings.__all__
