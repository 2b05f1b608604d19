"""Structural rules of the codebase (issue 10): small modules, no environment writes, thin inits."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "podium"
MAX_LINES = 600
_ENV_MUTATORS = {"update", "pop", "setdefault", "clear", "popitem", "__setitem__", "__delitem__"}


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_module_exceeds_the_size_limit() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _is_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _environ_writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
            targets = (
                list(node.targets) if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            )
        if any(isinstance(t, ast.Subscript) and _is_environ(t.value) for t in targets):
            lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if func.attr in _ENV_MUTATORS and _is_environ(func.value):
                lines.append(node.lineno)
            if func.attr in ("putenv", "unsetenv") and isinstance(func.value, ast.Name):
                lines.append(node.lineno)
    return lines


def test_no_module_writes_the_process_environment() -> None:
    """Settings reach child processes through Settings.to_env(), never through os.environ."""
    found = {
        str(p.relative_to(SRC)): lines
        for p in _modules()
        if (lines := _environ_writes(ast.parse(p.read_text(encoding="utf-8"))))
    }
    assert found == {}


def test_environ_write_detector_sees_each_form() -> None:
    code = "import os\nos.environ['A'] = '1'\nos.environ.update(B='2')\ndel os.environ['A']\n"
    assert sorted(_environ_writes(ast.parse(code))) == [2, 3, 4]


def test_package_inits_hold_no_class_bodies() -> None:
    inits = [p for p in _modules() if p.name == "__init__.py"]
    with_classes = [
        str(p.relative_to(SRC))
        for p in inits
        if any(isinstance(n, ast.ClassDef) for n in ast.walk(ast.parse(p.read_text())))
    ]
    assert with_classes == []
