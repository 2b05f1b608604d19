"""Splitting document text into chunks: the five strategies of a knowledge base.

Every chunk is an exact slice of the document, ``chunk.text == text[chunk.start:chunk.end]``
(custom chunkers aside, see :func:`chunk_text`), and ``chunk.token_count`` is the number of
tokens the tokenizer finds in ``chunk.text``.

Sizes are counted in the embedding model's tokens: a :class:`Tokenizer` gives the character
spans of its tokens, and windows are cut between tokens.

Fixed-size windows (also used for hierarchical parents and children and to split oversize
semantic groups) follow these rules, which the tests check exactly:

- a window holds at most ``max_tokens`` tokens; when it does not reach the end of the text, its
  end moves back to the strongest boundary within its last fifth: a paragraph break, else a
  sentence end, else a gap between words (the latest one of the strongest kind wins);
- if re-tokenizing the window's text gives more than ``max_tokens`` tokens (WordPiece can split
  a word differently when it is cut), the window drops tokens from its end until it fits;
- the next window starts ``overlap`` tokens before the end of the previous one, always at least
  one token after the previous start, and then moves back (at most :data:`WORD_SNAP_TOKENS`
  tokens, never to or before the previous start) to the first token of the word it falls in.
  With no overlap the next window starts right where the previous one ended.
"""

from __future__ import annotations

import bisect
import importlib
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from podium.embeddings import RegexTokenizer
from podium.errors import EmbeddingError, InvalidInput, PodiumError

__all__ = [
    "WORD_SNAP_TOKENS",
    "Chunk",
    "ChunkSet",
    "ChunkingConfig",
    "ChunkingStrategy",
    "HFTokenizerAdapter",
    "RegexTokenizer",
    "Tokenizer",
    "chunk_text",
    "sentence_spans",
]

ChunkingStrategy = Literal["fixed_size", "none", "hierarchical", "semantic", "custom"]
EmbedFunction = Callable[[list[str]], np.ndarray]

WORD_SNAP_TOKENS = 8
_TAIL_FRACTION = 5  # boundaries are looked for in the last 1/5 of a window
_MAX_TOKENS_LIMIT = 8192
_CUSTOM_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*)?\Z")


@runtime_checkable
class Tokenizer(Protocol):
    """Anything that gives the character spans of the tokens of a text (no special tokens)."""

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` character offsets of each token, in order."""
        ...


class HFTokenizerAdapter:
    """A Hugging Face ``tokenizers.Tokenizer`` as a :class:`Tokenizer`.

    Works on a copy with truncation and padding turned off: a ``tokenizer.json`` often enables
    both, which would cut long documents short and add empty padding spans.
    """

    def __init__(self, tokenizer: Any) -> None:
        from tokenizers import Tokenizer as HFTokenizer  # lazy: only needed for this adapter

        copy = HFTokenizer.from_str(tokenizer.to_str())
        copy.no_truncation()
        copy.no_padding()
        self._tokenizer = copy

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the tokens, without special tokens or empty spans."""
        encoding = self._tokenizer.encode(text, add_special_tokens=False)
        return [(start, end) for start, end in encoding.offsets if end > start]


class ChunkingConfig(BaseModel):
    """How a knowledge base chunks its documents (persisted as JSON with the KB).

    Only the fields of the chosen ``strategy`` matter; they are checked for consistency.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    strategy: ChunkingStrategy = "fixed_size"
    max_tokens: int = Field(default=300, ge=1, le=_MAX_TOKENS_LIMIT)
    overlap_percentage: int = Field(default=20, ge=0, le=99)
    parent_max_tokens: int = Field(default=1500, ge=1, le=_MAX_TOKENS_LIMIT)
    child_max_tokens: int = Field(default=300, ge=1, le=_MAX_TOKENS_LIMIT)
    overlap_tokens: int = Field(default=60, ge=0, le=_MAX_TOKENS_LIMIT)
    buffer_size: int = Field(default=1, ge=0, le=10)
    breakpoint_percentile_threshold: float = Field(default=95, ge=50, le=99)
    semantic_max_tokens: int = Field(default=300, ge=1, le=_MAX_TOKENS_LIMIT)
    custom: str | None = None

    @model_validator(mode="after")
    def _check_strategy(self) -> ChunkingConfig:
        if self.strategy == "hierarchical":
            if self.child_max_tokens >= self.parent_max_tokens:
                raise ValueError(
                    f"child_max_tokens ({self.child_max_tokens}) must be less than "
                    f"parent_max_tokens ({self.parent_max_tokens})"
                )
            if self.overlap_tokens >= self.child_max_tokens:
                raise ValueError(
                    f"overlap_tokens ({self.overlap_tokens}) must be less than "
                    f"child_max_tokens ({self.child_max_tokens})"
                )
        if self.strategy == "custom" and not self.custom:
            raise ValueError(
                "strategy 'custom' needs 'custom': a dotted path such as 'package.module:function'"
            )
        if self.custom is not None and not _CUSTOM_PATH.match(self.custom):
            raise ValueError(
                f"custom must be a dotted path such as 'package.module:function', "
                f"not {self.custom!r}"
            )
        return self

    @property
    def overlap(self) -> int:
        """Fixed-size overlap in tokens: ``floor(max_tokens * overlap_percentage / 100)``."""
        return self.max_tokens * self.overlap_percentage // 100

    @classmethod
    def parse(cls, data: Mapping[str, Any] | ChunkingConfig | None) -> ChunkingConfig:
        """Validate a JSON-shaped config; raises :class:`InvalidInput` with readable reasons."""
        if isinstance(data, ChunkingConfig):
            return data
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InvalidInput(
                f"chunking configuration must be an object, not {type(data).__name__}"
            )
        try:
            return cls.model_validate(dict(data))
        except ValidationError as e:
            raise InvalidInput(
                "invalid chunking configuration: " + _validation_message(e)
            ) from None


def _validation_message(error: ValidationError) -> str:
    reasons: list[str] = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        location = ".".join(str(part) for part in item["loc"])
        reasons.append(f"{location}: {message}" if location else message)
    return "; ".join(reasons)


@dataclass(kw_only=True)
class Chunk:
    """A piece of a document; ``parent`` indexes :attr:`ChunkSet.parents` (hierarchical)."""

    text: str
    start: int
    end: int
    token_count: int
    parent: int | None = None


@dataclass(kw_only=True)
class ChunkSet:
    """The searchable ``chunks`` of a document and, for hierarchical chunking, their parents."""

    chunks: list[Chunk] = field(default_factory=list)
    parents: list[Chunk] = field(default_factory=list)


# --------------------------------------------------------------------------- windows


class _Tokens:
    """The tokens of one text, with the helpers windowing needs."""

    def __init__(self, text: str, tokenizer: Tokenizer) -> None:
        self.text = text
        self.tokenizer = tokenizer
        self.spans = tokenizer.token_spans(text)
        self.starts = [start for start, _ in self.spans]

    def count(self, text: str) -> int:
        return len(self.tokenizer.token_spans(text))

    def gap(self, k: int) -> str:
        """Characters between token ``k - 1`` and token ``k``."""
        return self.text[self.spans[k - 1][1] : self.spans[k][0]]

    def is_word_start(self, k: int) -> bool:
        return k == 0 or self.spans[k - 1][1] < self.spans[k][0]

    def chunk(self, i: int, j: int, count: int, parent: int | None = None) -> Chunk:
        start, end = self.spans[i][0], self.spans[j - 1][1]
        return Chunk(
            text=self.text[start:end], start=start, end=end, token_count=count, parent=parent
        )


def _ends_sentence(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in "\"')]}”’»":
        k -= 1
    return k >= 0 and text[k] in ".!?…。"


def _boundary_strength(tokens: _Tokens, k: int) -> int:
    """How good a cut before token ``k`` is: 3 paragraph, 2 sentence, 1 word, 0 mid-word."""
    gap = tokens.gap(k)
    if not gap:
        return 0
    if gap.count("\n") >= 2:
        return 3
    if "\n" in gap or (gap.isspace() and _ends_sentence(tokens.text, tokens.spans[k - 1][1])):
        return 2
    return 1


def _snap_end(tokens: _Tokens, i: int, j: int) -> int:
    length = j - i
    lowest = i + max(1, length - max(1, length // _TAIL_FRACTION))
    best, best_strength = j, 0
    for k in range(j, lowest - 1, -1):
        strength = _boundary_strength(tokens, k)
        if strength > best_strength:
            best, best_strength = k, strength
            if strength == 3:
                break
    return best


def _next_start(tokens: _Tokens, i: int, j: int, overlap: int) -> int:
    start = max(i + 1, j - overlap)
    if overlap == 0:
        return start
    for k in range(start, max(i + 1, start - WORD_SNAP_TOKENS) - 1, -1):
        if tokens.is_word_start(k):
            return k
    return start


def _windows(
    tokens: _Tokens, lo: int, hi: int, max_tokens: int, overlap: int
) -> list[tuple[int, int, int]]:
    """Fixed-size windows ``(i, j, token_count)`` over tokens ``lo..hi`` (module docstring)."""
    windows: list[tuple[int, int, int]] = []
    i = lo
    while i < hi:
        j = min(i + max_tokens, hi)
        if j < hi:
            j = _snap_end(tokens, i, j)
        count = tokens.count(tokens.text[tokens.spans[i][0] : tokens.spans[j - 1][1]])
        while count > max_tokens and j - i > 1:
            j -= 1
            count = tokens.count(tokens.text[tokens.spans[i][0] : tokens.spans[j - 1][1]])
        windows.append((i, j, count))
        if j >= hi:
            break
        i = _next_start(tokens, i, j, overlap)
    return windows


# --------------------------------------------------------------------------- strategies


def _fixed_size(tokens: _Tokens, config: ChunkingConfig) -> ChunkSet:
    windows = _windows(tokens, 0, len(tokens.spans), config.max_tokens, config.overlap)
    return ChunkSet(chunks=[tokens.chunk(*window) for window in windows])


def _whole(text: str, tokenizer: Tokenizer) -> ChunkSet:
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    body = text[start:end]
    return ChunkSet(
        chunks=[
            Chunk(text=body, start=start, end=end, token_count=len(tokenizer.token_spans(body)))
        ]
    )


def _hierarchical(tokens: _Tokens, config: ChunkingConfig) -> ChunkSet:
    parents = _windows(tokens, 0, len(tokens.spans), config.parent_max_tokens, 0)
    children = [
        tokens.chunk(ci, cj, count, parent=index)
        for index, (pi, pj, _) in enumerate(parents)
        for ci, cj, count in _windows(
            tokens, pi, pj, config.child_max_tokens, config.overlap_tokens
        )
    ]
    return ChunkSet(chunks=children, parents=[tokens.chunk(*parent) for parent in parents])


_SENTENCE_END = re.compile(r"[.!?…。]+[\"')\]}”’»]*(?=\s|\Z)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# Headings, list items, quotes and table rows are units of their own.
_BLOCK_LINE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]|[-*+>|][ \t]|\d+[.)][ \t])[^\n]*$", re.MULTILINE)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, trimmed of surrounding whitespace.

    A sentence ends at ``.``, ``!`` or ``?`` (plus closing quotes) before whitespace, at a blank
    line, or at the end of a Markdown heading, list item, quote or table row line.
    """
    cuts = {0, len(text)}
    cuts.update(m.end() for m in _SENTENCE_END.finditer(text))
    cuts.update(m.start() for m in _PARAGRAPH_BREAK.finditer(text))
    for m in _BLOCK_LINE.finditer(text):
        cuts.update((m.start(), m.end()))
    spans: list[tuple[int, int]] = []
    ordered = sorted(cuts)
    for a, b in itertools.pairwise(ordered):
        piece = text[a:b]
        stripped = piece.strip()
        if stripped:
            start = a + (len(piece) - len(piece.lstrip()))
            spans.append((start, start + len(stripped)))
    return spans


def _semantic_groups(
    text: str, sentences: list[tuple[int, int]], config: ChunkingConfig, embed: EmbedFunction
) -> list[tuple[int, int]]:
    """Character spans of runs of sentences, split where the topic shifts."""
    if len(sentences) < 3:
        # Two windows give one distance, which is its own percentile: no breakpoint possible.
        return [(sentences[0][0], sentences[-1][1])] if sentences else []
    b = config.buffer_size
    last = len(sentences) - 1
    windows = [
        text[sentences[max(0, k - b)][0] : sentences[min(last, k + b)][1]]
        for k in range(len(sentences))
    ]
    try:
        vectors = np.asarray(embed(windows), dtype=np.float64)
    except PodiumError:
        raise
    except Exception as e:  # a provider's own errors become ours at this edge
        raise EmbeddingError(f"semantic chunking: embedding failed: {e}") from e
    if vectors.ndim != 2 or vectors.shape[0] != len(windows):
        raise EmbeddingError(
            f"semantic chunking: embed returned shape {vectors.shape} for {len(windows)} texts"
        )
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit = vectors / norms
    distances = 1.0 - np.sum(unit[:-1] * unit[1:], axis=1)
    threshold = float(np.percentile(distances, config.breakpoint_percentile_threshold))
    groups: list[tuple[int, int]] = []
    first = 0
    for k, distance in enumerate(distances):
        if distance > threshold:
            groups.append((sentences[first][0], sentences[k][1]))
            first = k + 1
    groups.append((sentences[first][0], sentences[last][1]))
    return groups


def _semantic(tokens: _Tokens, config: ChunkingConfig, embed: EmbedFunction | None) -> ChunkSet:
    if embed is None:
        raise InvalidInput("semantic chunking needs an embedding function")
    chunks: list[Chunk] = []
    for start, end in _semantic_groups(tokens.text, sentence_spans(tokens.text), config, embed):
        lo = bisect.bisect_left(tokens.starts, start)
        hi = bisect.bisect_left(tokens.starts, end)
        if lo == hi:
            continue  # nothing the tokenizer can see
        body = tokens.text[start:end]
        count = tokens.count(body)
        if count <= config.semantic_max_tokens:
            chunks.append(Chunk(text=body, start=start, end=end, token_count=count))
        else:
            windows = _windows(tokens, lo, hi, config.semantic_max_tokens, 0)
            chunks.extend(tokens.chunk(*window) for window in windows)
    return ChunkSet(chunks=chunks)


# --------------------------------------------------------------------------- custom


def _load_custom(path: str) -> Callable[..., Any]:
    if ":" in path:
        module_name, attribute = path.split(":", 1)
    elif "." in path:
        module_name, attribute = path.rsplit(".", 1)
    else:
        raise InvalidInput(f"custom chunker {path!r}: expected 'package.module:function'")
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as e:  # an import runs arbitrary code; any failure is the path's fault
        raise InvalidInput(f"custom chunker {path!r}: cannot import {module_name!r}: {e}") from None
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise InvalidInput(
                f"custom chunker {path!r}: {module_name!r} has no attribute {attribute!r}"
            ) from None
    if not callable(target):
        raise InvalidInput(f"custom chunker {path!r} is not callable")
    return target  # type: ignore[no-any-return]


def _locate(text: str, pieces: list[str], tokenizer: Tokenizer) -> list[Chunk]:
    """Spans of returned strings, searched forward in order.

    Each piece is looked for after the previous piece's end, then (overlapping chunkers) after
    its start; a piece that is not found gets ``start == end == -1``.
    """
    chunks: list[Chunk] = []
    prev_start, prev_end = 0, 0
    for piece in pieces:
        if not piece.strip():
            continue
        at = text.find(piece, prev_end)
        if at < 0 and chunks:
            at = text.find(piece, prev_start + 1)
        count = len(tokenizer.token_spans(piece))
        if at < 0:
            chunks.append(Chunk(text=piece, start=-1, end=-1, token_count=count))
            continue
        chunks.append(Chunk(text=piece, start=at, end=at + len(piece), token_count=count))
        prev_start, prev_end = at, at + len(piece)
    return chunks


def _custom(
    text: str, config: ChunkingConfig, tokenizer: Tokenizer, metadata: Mapping[str, Any]
) -> ChunkSet:
    assert config.custom is not None  # the config validator guarantees it
    fn = _load_custom(config.custom)
    try:
        result = fn(text, dict(metadata))
    except InvalidInput:
        raise
    except Exception as e:
        raise InvalidInput(
            f"custom chunker {config.custom!r} failed: {type(e).__name__}: {e}"
        ) from e
    if isinstance(result, ChunkSet):
        _check_chunk_set(result, config.custom)
        return result
    if isinstance(result, list | tuple):
        items = list(result)
        if all(isinstance(item, str) for item in items):
            return ChunkSet(chunks=_locate(text, items, tokenizer))
        if all(isinstance(item, Chunk) for item in items):
            chunk_set = ChunkSet(chunks=[item for item in items if item.text.strip()])
            _check_chunk_set(chunk_set, config.custom)
            return chunk_set
    raise InvalidInput(
        f"custom chunker {config.custom!r} must return a list of str, a list of Chunk or a "
        f"ChunkSet, not {type(result).__name__}"
    )


def _check_chunk_set(chunk_set: ChunkSet, path: str) -> None:
    for chunk in chunk_set.chunks:
        if chunk.parent is not None and not 0 <= chunk.parent < len(chunk_set.parents):
            raise InvalidInput(
                f"custom chunker {path!r} returned a chunk whose parent {chunk.parent} "
                f"is not one of its {len(chunk_set.parents)} parents"
            )


# --------------------------------------------------------------------------- entry point


def chunk_text(
    text: str,
    config: ChunkingConfig,
    tokenizer: Tokenizer,
    embed: EmbedFunction | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> ChunkSet:
    """Split ``text`` into chunks by ``config.strategy``.

    - ``fixed_size``: token windows (module docstring); ``none``: the whole text, trimmed;
    - ``hierarchical``: parents of ``parent_max_tokens`` without overlap, and the searchable
      children of ``child_max_tokens`` with ``overlap_tokens`` inside each parent;
    - ``semantic``: sentences grouped until the distance between the embeddings of
      consecutive ``buffer_size`` windows exceeds the ``breakpoint_percentile_threshold``
      percentile; groups over ``semantic_max_tokens`` are split into windows without overlap.
      Needs ``embed``, called once with every window text;
    - ``custom``: ``fn(text, metadata)`` returns a list of strings (spans found by searching
      forward, ``-1`` when not found), a list of :class:`Chunk`, or a :class:`ChunkSet`.

    Empty or whitespace-only text gives no chunks.
    """
    if not text.strip():
        return ChunkSet()
    if config.strategy == "none":
        return _whole(text, tokenizer)
    if config.strategy == "custom":
        return _custom(text, config, tokenizer, metadata or {})
    tokens = _Tokens(text, tokenizer)
    if not tokens.spans:
        return ChunkSet()
    if config.strategy == "fixed_size":
        return _fixed_size(tokens, config)
    if config.strategy == "hierarchical":
        return _hierarchical(tokens, config)
    return _semantic(tokens, config, embed)
