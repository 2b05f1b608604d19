"""Embedding providers behind one :class:`Embedder` protocol."""

from __future__ import annotations

from ._base import Embedder, EmbedKind, RegexTokenizer, l2_normalize
from ._cache import CachedEmbedder
from ._onnx import BUNDLED_MODEL_ID, OnnxMiniLMEmbedder
from ._registry import get_embedder, register_embedder
from ._testing import TestEmbedder

__all__ = [
    "BUNDLED_MODEL_ID",
    "CachedEmbedder",
    "EmbedKind",
    "Embedder",
    "OnnxMiniLMEmbedder",
    "RegexTokenizer",
    "TestEmbedder",
    "get_embedder",
    "l2_normalize",
    "register_embedder",
]
