"""The Embedder protocol shared by every embedding provider."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from podium.errors import ConfigurationError

__all__ = [
    "EmbedKind",
    "Embedder",
    "RegexTokenizer",
    "l2_normalize",
    "require_extra",
    "sort_by_length",
]

EmbedKind = Literal["document", "query"]

_TOKEN = re.compile(r"\w+|[^\w\s]")


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def model_id(self) -> str:
        """Stable identifier recorded by every knowledge base and memory that uses it."""
        ...

    @property
    def dimension(self) -> int:
        """Vector length."""
        ...

    def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> np.ndarray:
        """Embed ``texts``; returns a float32 array of shape (len(texts), dimension)."""
        ...

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the tokens this model sees (used to chunk by model tokens)."""
        ...


class RegexTokenizer:
    """Word/punctuation spans: the token counter for providers whose tokenizer is remote."""

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of words and punctuation marks."""
        return [m.span() for m in _TOKEN.finditer(text)]


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation that leaves zero rows at zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32, copy=False)


def sort_by_length(texts: Sequence[str]) -> list[int]:
    """Indices of ``texts`` ordered by length, so each batch pads to similar sizes."""
    return sorted(range(len(texts)), key=lambda i: len(texts[i]))


def require_extra(module: str, extra: str) -> None:
    """Raise ConfigurationError unless ``module`` is importable (without importing it)."""
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        # ValueError: the module is in sys.modules as None (an import that was blocked).
        found = False
    if not found:
        raise ConfigurationError(
            f"the {extra} embedding provider needs the package {module!r}: "
            f"install podium[{extra}] (or choose another PODIUM_EMBEDDING_MODEL)"
        )
