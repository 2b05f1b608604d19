"""Writing a deployment's files to a folder, without silently replacing edited ones."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from podium.errors import Conflict

__all__ = ["write_files"]


def write_files(files: Mapping[str, str], out: Path, *, force: bool = False) -> list[Path]:
    """Write ``files`` (name -> text) into ``out`` (created if needed); the paths written.

    Raises:
        Conflict: a file exists with other content and ``force`` is off (nothing is written).
    """
    changed = [
        name
        for name, text in files.items()
        if (out / name).exists() and (out / name).read_text(encoding="utf-8") != text
    ]
    if changed and not force:
        raise Conflict(
            f"{out} already has {', '.join(sorted(changed))} with other content: "
            "pass --force to replace them"
        )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
