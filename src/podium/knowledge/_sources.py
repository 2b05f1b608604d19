"""Listing the files a knowledge-base data source points at.

A data source is a list of paths. A directory is walked recursively and its files are kept when
their path relative to that directory matches an ``include`` glob and no ``exclude`` glob. A file
named directly is always kept: the caller asked for it by name.

A walk never leaves the directory: a symlink whose target lies outside it is not followed but
reported, like an entry that cannot be read, as a :class:`SourceFailure`.

Bedrock's metadata sidecars: ``<file>.metadata.json`` beside a file of a walked directory gives
that file's documents their metadata (see :func:`sidecar_metadata`). A sidecar is never a
document of its own, whatever the globs say.

Globs are matched against POSIX-style relative paths (``talks/2024/intro.md``):

- ``*`` matches within one path segment, ``?`` one character of a segment, ``[abc]`` a class;
- ``**`` matches across segments, and ``**/`` also matches no directory at all, so ``**/*.md``
  matches both ``intro.md`` and ``talks/intro.md``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from podium.errors import InvalidInput

from ._documents import MetadataValue, ParseError

__all__ = [
    "SIDECAR_SUFFIX",
    "SourceFailure",
    "SourceFile",
    "SourceScan",
    "glob_to_regex",
    "iter_source_files",
    "matches_any",
    "scan_sources",
    "sidecar_metadata",
    "source_paths",
]

logger = logging.getLogger(__name__)

_LEAVES = "symlink leaves the source folder"

#: The name Bedrock gives a document's metadata file: ``talk.md`` → ``talk.md.metadata.json``.
SIDECAR_SUFFIX = ".metadata.json"
#: Bedrock's limit on a metadata file.
_SIDECAR_MAX_BYTES = 10 * 1024


@dataclass(frozen=True, kw_only=True)
class SourceFile:
    """One file of a data source.

    ``root`` is the directory the file was found under (its parent when named directly) and
    ``uri`` is its ``file://`` URI, built from the absolute resolved path.
    """

    path: Path
    root: Path
    uri: str
    #: Its ``<name>.metadata.json`` sidecar, when the walk found one.
    sidecar: Path | None = None

    @property
    def relative_path(self) -> str:
        """The path relative to ``root``, POSIX style (what the globs were matched against)."""
        return self.path.relative_to(self.root).as_posix()


@dataclass(frozen=True, kw_only=True)
class SourceFailure:
    """An entry of a data source that was not read: its ``file://`` URI and why."""

    uri: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class SourceScan:
    """What a data source lists: the files to parse and the entries skipped with a reason."""

    files: list[SourceFile]
    failures: list[SourceFailure]


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


def source_paths(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Normalise what a caller passes as a data source: one path, or a sequence of paths.

    A lone ``str`` or ``Path`` is one path (iterating it would walk its characters, and ``"/"``).
    Raises :class:`InvalidInput` for anything else.
    """
    if isinstance(paths, str | os.PathLike):
        return [Path(paths)]
    if isinstance(paths, bytes) or not isinstance(paths, Sequence):
        raise InvalidInput(f"paths must be a path or a list of paths, got {type(paths).__name__}")
    out: list[Path] = []
    for i, p in enumerate(paths):
        if not isinstance(p, str | os.PathLike) or not str(p):
            raise InvalidInput(f"paths[{i}] must be a non-empty path, got {p!r}")
        out.append(Path(p))
    return out


def _file_uri(path: Path) -> str:
    # as_uri() percent-encodes characters such as '#' and spaces, so a record fragment
    # ("uri#id") appended later stays unambiguous.
    return path.resolve().as_uri()


def _failure(path: Path, reason: str) -> SourceFailure:
    # The entry's own path, not its (possibly outside) target: that is what the user sees.
    return SourceFailure(uri=path.absolute().as_uri(), reason=reason)


def _leaves(path: Path, real_root: Path) -> str | None:
    """Why the symlink ``path`` may not be followed, or None when its target is in the folder."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError) as e:  # RuntimeError: a symlink loop
        return f"cannot resolve symlink: {getattr(e, 'strerror', None) or e}"
    return None if target.is_relative_to(real_root) else _LEAVES


class _Walk:
    """One directory walk: the files it keeps and the entries it could not or would not read."""

    def __init__(
        self, root: Path, include: Sequence[str], exclude: Sequence[str], hidden: bool
    ) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.include = include
        self.exclude = exclude
        self.hidden = hidden
        self.files: list[Path] = []
        self.failures: list[SourceFailure] = []

    def _on_error(self, error: OSError) -> None:
        where = Path(error.filename) if error.filename else self.root
        self.failures.append(_failure(where, f"cannot read directory: {error.strerror or error}"))

    def _keep_dir(self, path: Path) -> bool:
        if not path.is_symlink():
            return True
        # os.walk does not follow directory symlinks; one whose target is inside the folder is
        # walked there anyway, one that leaves it is reported (unless the globs exclude it all).
        rel = path.relative_to(self.root).as_posix()
        reason = _leaves(path, self.real_root)
        if reason is not None and not matches_any(rel + "/", self.exclude):
            self.failures.append(_failure(path, reason))
        return False

    def _keep_file(self, path: Path) -> bool:
        if path.name.endswith(SIDECAR_SUFFIX):
            return False  # metadata of another file, read with it
        rel = path.relative_to(self.root).as_posix()
        if not matches_any(rel, self.include) or matches_any(rel, self.exclude):
            return False
        try:
            if path.is_symlink():
                reason = _leaves(path, self.real_root)
                if reason is not None:
                    self.failures.append(_failure(path, reason))
                    return False
            return path.is_file()
        except OSError as e:
            self.failures.append(_failure(path, f"cannot read: {e.strerror or e}"))
            return False

    def sidecar_of(self, path: Path) -> Path | None:
        """The file's ``.metadata.json`` sidecar, if one lies beside it inside the folder."""
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        try:
            if not sidecar.is_file():
                return None
            if sidecar.is_symlink() and _leaves(sidecar, self.real_root) is not None:
                self.failures.append(_failure(sidecar, _LEAVES))
                return None
        except OSError:
            return None
        return sidecar

    def run(self) -> _Walk:
        """Walk the folder (sorted, depth first); returns self."""
        for dirpath, dirnames, filenames in os.walk(self.root, onerror=self._on_error):
            here = Path(dirpath)
            dirnames[:] = [
                d
                for d in sorted(dirnames)
                if (self.hidden or not d.startswith(".")) and self._keep_dir(here / d)
            ]
            for name in sorted(filenames):
                if not self.hidden and name.startswith("."):
                    continue
                path = here / name
                if self._keep_file(path):
                    self.files.append(path)
        return self


def _check_readable(path: Path, raw: object) -> None:
    """Raise InvalidInput unless the named file or directory can be opened."""
    try:
        if path.is_dir():
            with os.scandir(path):
                pass
        else:
            with path.open("rb"):
                pass
    except OSError as e:
        raise InvalidInput(f"cannot read source path {raw}: {e.strerror or e}") from None


def scan_sources(
    paths: Sequence[Path],
    include: Sequence[str] = ("**/*",),
    exclude: Sequence[str] = (),
    *,
    include_hidden: bool = False,
) -> SourceScan:
    """List the files under ``paths`` (sorted by URI, each file once) and what was skipped.

    Directories are walked recursively; hidden files and directories (names starting with
    ``.``) are skipped unless ``include_hidden``. A symlink met in a walk is followed only when
    its target stays inside the folder being walked; one that leaves it, and an entry that cannot
    be read, is a :class:`SourceFailure`. A path named directly is used as named (a symlink there
    is the caller's choice). Raises :class:`InvalidInput` naming a path that does not exist,
    cannot be read, or is neither a file nor a directory.
    """
    by_uri: dict[str, SourceFile] = {}
    failures: list[SourceFailure] = []
    for raw in paths:
        path = Path(raw).expanduser()
        try:
            is_dir, is_file, exists = path.is_dir(), path.is_file(), path.exists()
        except OSError as e:
            raise InvalidInput(f"cannot read source path {raw}: {e.strerror or e}") from None
        if not exists:
            raise InvalidInput(f"source path does not exist: {raw}")
        if not (is_dir or is_file):
            raise InvalidInput(f"source path is neither a file nor a directory: {raw}")
        _check_readable(path, raw)
        if is_dir:
            root = path.absolute()
            walk = _Walk(root, include, exclude, include_hidden).run()
            failures += walk.failures
            for file in walk.files:
                uri = _file_uri(file)
                by_uri.setdefault(
                    uri, SourceFile(path=file, root=root, uri=uri, sidecar=walk.sidecar_of(file))
                )
        else:
            file = path.absolute()
            uri = _file_uri(file)
            by_uri.setdefault(uri, SourceFile(path=file, root=file.parent, uri=uri))
    unique = {f.uri: f for f in failures}
    return SourceScan(
        files=[by_uri[uri] for uri in sorted(by_uri)],
        failures=[unique[uri] for uri in sorted(unique)],
    )


def iter_source_files(
    paths: Sequence[Path],
    include: Sequence[str] = ("**/*",),
    exclude: Sequence[str] = (),
    *,
    include_hidden: bool = False,
) -> list[SourceFile]:
    """The files of :func:`scan_sources`; what it skipped is logged, not returned."""
    scan = scan_sources(paths, include, exclude, include_hidden=include_hidden)
    for failure in scan.failures:
        logger.warning(
            "uri=<%s>, reason=<%s> | skipped a source entry", failure.uri, failure.reason
        )
    return scan.files


def sidecar_metadata(data: bytes, where: str = "metadata file") -> dict[str, MetadataValue]:
    """The metadata of a Bedrock ``.metadata.json`` sidecar (raises :class:`ParseError`).

    ``{"metadataAttributes": {key: value}}`` where a value is plain JSON (a string, number,
    boolean or list of strings) or Bedrock's typed form ``{"value": {"type": "STRING",
    "stringValue": ...}, "includeForEmbedding": ...}`` (types STRING, NUMBER, BOOLEAN,
    STRING_LIST). ``includeForEmbedding`` is accepted and ignored: Podium embeds the text only.
    """
    if len(data) > _SIDECAR_MAX_BYTES:
        raise ParseError(f"{where} is larger than {_SIDECAR_MAX_BYTES} bytes")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ParseError(f"{where} is not valid JSON: {e}") from None
    attributes = doc.get("metadataAttributes") if isinstance(doc, dict) else None
    if not isinstance(attributes, dict):
        raise ParseError(f"{where} has no 'metadataAttributes' object")
    out: dict[str, MetadataValue] = {}
    for key, raw in attributes.items():
        if not key or len(key) > 200:
            raise ParseError(f"{where}: metadata keys are 1-200 characters")
        out[key] = _sidecar_value(raw, f"{where}: {key}")
    return out


_TYPED_FIELDS = {
    "STRING": "stringValue",
    "NUMBER": "numberValue",
    "BOOLEAN": "booleanValue",
    "STRING_LIST": "stringListValue",
}


def _sidecar_value(raw: object, where: str) -> MetadataValue:
    if isinstance(raw, dict) and isinstance(raw.get("value"), dict):
        typed = raw["value"]
        kind = typed.get("type")
        if kind not in _TYPED_FIELDS:
            raise ParseError(f"{where}: type must be one of {', '.join(_TYPED_FIELDS)}")
        raw = typed.get(_TYPED_FIELDS[kind])
        if raw is None:
            raise ParseError(f"{where}: a {kind} value needs {_TYPED_FIELDS[kind]!r}")
    if isinstance(raw, bool | str):
        return raw
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ParseError(f"{where}: numbers must be finite")
        return raw
    if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        return list(raw)
    raise ParseError(f"{where}: a value is a string, number, boolean or list of strings")
