"""What parsing produces: documents with typed metadata, per-record failures, and ParseError."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from podium.errors import InvalidInput

__all__ = [
    "MetadataType",
    "MetadataValue",
    "ParseError",
    "ParseResult",
    "ParsedDocument",
    "one_line",
]

MetadataType = Literal["string", "number", "string_list", "datetime", "boolean"]
MetadataValue: TypeAlias = str | int | float | bool | list[str]


class ParseError(InvalidInput):
    """A file (or record) could not be parsed. The message is one line saying why."""


@dataclass(kw_only=True)
class ParsedDocument:
    """One document: its URI, its text and its user metadata."""

    uri: str
    text: str
    metadata: dict[str, MetadataValue] = field(default_factory=dict)


@dataclass(kw_only=True)
class ParseResult:
    """The documents parsed from one file, and the records that failed as ``(uri, reason)``."""

    documents: list[ParsedDocument] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def one_line(message: str) -> str:
    """``message`` with every run of whitespace (newlines included) as one space."""
    return " ".join(message.split())
