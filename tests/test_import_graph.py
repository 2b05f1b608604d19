"""No import cycles inside podium.knowledge, podium.embeddings, podium.memory, podium.storage or
podium.vectors.

Every import counts: module level, under ``TYPE_CHECKING`` and inside functions. A submodule's
implicit import of its parent package is not an edge (Python imports the parent first, always);
``from . import _x`` is an edge to the submodule ``_x``, and ``from .pkg import name`` (a name
that is not a submodule) an edge to ``pkg/__init__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGES = (
    "podium.knowledge",
    "podium.embeddings",
    "podium.memory",
    "podium.storage",
    "podium.transfer",
    "podium.vectors",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        root = SRC.joinpath(*package.split("."))
        for path in sorted(root.rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name a (possibly relative) ``from`` import refers to."""
    if level == 0:
        return target or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([target] if target else [])])


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                # "import a.b.c" imports a, a.b and a.b.c; the deepest known one is the edge.
                while name and name not in known:
                    name = name.rpartition(".")[0]
                if name:
                    out.add(name)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node.level, node.module)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:
                    out.add(sub)
                elif base in known:
                    out.add(base)
    out.discard(module)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path ``[a, b, ..., a]``, or None (iterative DFS, white/grey/black)."""
    state: dict[str, int] = dict.fromkeys(graph, 0)
    for start in sorted(graph):
        if state[start]:
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, todo = stack[-1]
            if not todo:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            nxt = todo.pop(0)
            if state.get(nxt, 2) == 1:
                return [*path[path.index(nxt) :], nxt]
            if state.get(nxt, 2) == 0:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, sorted(graph[nxt])))
    return None


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = _graph()
    assert "podium.knowledge._service" in graph and "podium.embeddings._base" in graph
    # Sanity: relative, package-level and cross-package imports all become edges.
    assert "podium.knowledge._models" in graph["podium.knowledge._service"]
    assert "podium.embeddings" in graph["podium.knowledge._service"]
    assert "podium.knowledge.filters" in graph["podium.knowledge._retrieval"]


def test_finds_a_cycle_when_there_is_one() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycles(package: str) -> None:
    graph = {
        name: {t for t in targets if _inside(t, package)}
        for name, targets in _graph().items()
        if _inside(name, package)
    }
    assert len(graph) > 3
    cycle = _find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_ingestion_and_retrieval_depend_on_the_context_not_the_handle() -> None:
    graph = _graph()
    handle = {"podium.knowledge._knowledge_base", "podium.knowledge._service", "podium.knowledge"}
    for module in ("podium.knowledge._ingest", "podium.knowledge._retrieval"):
        assert not graph[module] & handle, module
        assert "podium.knowledge._context" in graph[module]
