"""Listing the files a knowledge-base data source points at.

A data source is a list of paths. A directory is walked recursively and its files are kept when
their path relative to that directory matches an ``include`` glob and no ``exclude`` glob. A file
named directly is always kept: the caller asked for it by name.

Globs are matched against POSIX-style relative paths (``talks/2024/intro.md``):

- ``*`` matches within one path segment, ``?`` one character of a segment, ``[abc]`` a class;
- ``**`` matches across segments, and ``**/`` also matches no directory at all, so ``**/*.md``
  matches both ``intro.md`` and ``talks/intro.md``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from podium.errors import InvalidInput

__all__ = ["SourceFile", "glob_to_regex", "iter_source_files", "matches_any"]


@dataclass(frozen=True, kw_only=True)
class SourceFile:
    """One file of a data source.

    ``root`` is the directory the file was found under (its parent when named directly) and
    ``uri`` is its ``file://`` URI, built from the absolute resolved path.
    """

    path: Path
    root: Path
    uri: str

    @property
    def relative_path(self) -> str:
        """The path relative to ``root``, POSIX style (what the globs were matched against)."""
        return self.path.relative_to(self.root).as_posix()


@lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile a ``**``-aware glob into a regex matching whole POSIX relative paths."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if i < n and pattern[i] == "/":
                    # "**/" may match zero directories, so "**/*.md" matches "a.md".
                    out.append("(?:.*/)?")
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1  # a leading "]" is a literal member of the class
            close = pattern.find("]", j)
            if close == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : close]
                negate = body.startswith("!")
                if negate:
                    body = body[1:]
                body = (
                    body.replace("\\", "\\\\")
                    .replace("^", "\\^")
                    .replace("]", "\\]")
                    .replace("[", "\\[")
                )
                out.append("[" + ("^" if negate else "") + body + "]")
                i = close
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def matches_any(relative_path: str, patterns: Sequence[str]) -> bool:
    """Whether ``relative_path`` (POSIX style) matches one of the globs."""
    return any(glob_to_regex(p).match(relative_path) for p in patterns)


def _file_uri(path: Path) -> str:
    # as_uri() percent-encodes characters such as '#' and spaces, so a record fragment
    # ("uri#id") appended later stays unambiguous.
    return path.resolve().as_uri()


def _walk(root: Path, include: Sequence[str], exclude: Sequence[str], hidden: bool) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        if not hidden:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        dirnames.sort()
        for name in sorted(filenames):
            if not hidden and name.startswith("."):
                continue
            path = Path(dirpath) / name
            if not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            if matches_any(rel, include) and not matches_any(rel, exclude):
                found.append(path)
    return found


def iter_source_files(
    paths: Sequence[Path],
    include: Sequence[str] = ("**/*",),
    exclude: Sequence[str] = (),
    *,
    include_hidden: bool = False,
) -> list[SourceFile]:
    """List the files under ``paths``, sorted by URI, each file once.

    Directories are walked recursively; hidden files and directories (names starting with
    ``.``) are skipped unless ``include_hidden``. Raises :class:`InvalidInput` naming a path that
    does not exist or is neither a file nor a directory.
    """
    by_uri: dict[str, SourceFile] = {}
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            root = path.absolute()
            for file in _walk(root, include, exclude, include_hidden):
                uri = _file_uri(file)
                by_uri.setdefault(uri, SourceFile(path=file, root=root, uri=uri))
        elif path.is_file():
            file = path.absolute()
            uri = _file_uri(file)
            by_uri.setdefault(uri, SourceFile(path=file, root=file.parent, uri=uri))
        elif path.exists():
            raise InvalidInput(f"source path is neither a file nor a directory: {raw}")
        else:
            raise InvalidInput(f"source path does not exist: {raw}")
    return [by_uri[uri] for uri in sorted(by_uri)]
