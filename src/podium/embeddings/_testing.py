"""A tiny deterministic embedder for tests and examples that do not need a real model.

Texts that share words get similar vectors, and that is all: no semantics, no model to load
(it never imports onnxruntime), the same vector for the same text in every process.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from podium.errors import ConfigurationError

from ._base import EmbedKind, RegexTokenizer, l2_normalize

__all__ = ["TEST_MODEL_PREFIX", "TestEmbedder", "parse_test_model_id"]

#: ``podium/test-hash-<dimension>`` names a :class:`TestEmbedder` (``get_embedder`` builds it).
TEST_MODEL_PREFIX = "podium/test-hash-"
_WORD = re.compile(r"\w+")
_MIN_DIMENSION, _MAX_DIMENSION = 8, 4096


def parse_test_model_id(model_id: str) -> int | None:
    """The dimension a ``podium/test-hash-<n>`` id asks for; None for any other id.

    Raises ConfigurationError for a test id with a bad dimension.
    """
    if not model_id.startswith(TEST_MODEL_PREFIX):
        return None
    raw = model_id.removeprefix(TEST_MODEL_PREFIX)
    if not raw.isdigit() or not _MIN_DIMENSION <= int(raw) <= _MAX_DIMENSION:
        raise ConfigurationError(
            f"test embedding model {model_id!r}: expected {TEST_MODEL_PREFIX}<dimension> with a "
            f"dimension from {_MIN_DIMENSION} to {_MAX_DIMENSION} (PODIUM_EMBEDDING_MODEL)"
        )
    return int(raw)


class TestEmbedder(RegexTokenizer):
    """Feature hashing of lower-cased words into ``dimension`` signed buckets, L2-normalised.

    ``model_id`` is ``podium/test-hash-<dimension>`` (``podium/test-hash-64`` by default). Queries
    and documents embed the same way. A text without words is the zero vector.
    """

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, dimension: int = 64) -> None:
        checked = parse_test_model_id(f"{TEST_MODEL_PREFIX}{dimension}")
        assert checked is not None
        self._dimension = checked

    @property
    def model_id(self) -> str:
        """``podium/test-hash-<dimension>``."""
        return f"{TEST_MODEL_PREFIX}{self._dimension}"

    @property
    def dimension(self) -> int:
        """Vector length."""
        return self._dimension

    def _bucket(self, word: str) -> tuple[int, float]:
        # blake2b, not hash(): Python salts str hashes per process.
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self._dimension, 1.0 if (value >> 63) & 1 else -1.0

    def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> np.ndarray:
        """Embed ``texts``: float32, shape (len(texts), dimension), unit rows (or zero)."""
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                index, sign = self._bucket(word)
                out[row, index] += sign
        return l2_normalize(out)
