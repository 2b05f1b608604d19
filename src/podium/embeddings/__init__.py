"""Embedding providers behind one :class:`Embedder` protocol.

:func:`get_embedder` resolves a model id (``PODIUM_EMBEDDING_MODEL``): the bundled MiniLM
(:data:`BUNDLED_MODEL_ID`), ``<provider>:<model>`` for the optional providers, or
``podium/test-hash-<dimension>`` (:class:`TestEmbedder`, for tests).
"""

from __future__ import annotations

from ._base import Embedder, EmbedKind, RegexTokenizer
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
    "register_embedder",
]
