"""sentence-transformers models (PyTorch): ``sentence-transformers:<name or path>``.

A name is resolved by sentence-transformers itself (a local directory, or the Hugging Face
hub with its cache under ``$PODIUM_HOME/models/sentence-transformers``). Without network
access the model must be available locally.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from podium.errors import ConfigurationError, EmbeddingError

from ._base import EmbedKind, RegexTokenizer, l2_normalize, require_extra, sort_by_length

if TYPE_CHECKING:
    from podium.config import Settings

__all__ = ["SentenceTransformersEmbedder"]

logger = logging.getLogger(__name__)


class SentenceTransformersEmbedder:
    """Normalised sentence embeddings from ``SentenceTransformer(name_or_path)``, loaded lazily.

    When the model defines a ``query`` prompt it is used for ``kind="query"`` (and a
    ``document``/``passage`` prompt for documents), as the model's authors intended.
    """

    def __init__(self, *, name: str, cache_dir: Path | None = None, batch_size: int = 32) -> None:
        if not name:
            raise ConfigurationError(
                "sentence-transformers needs a model: 'sentence-transformers:<name or path>' "
                "(PODIUM_EMBEDDING_MODEL)"
            )
        self._name = name
        self._cache_dir = cache_dir
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._model: Any = None
        self._dimension: int | None = None

    @classmethod
    def from_settings(cls, name: str, settings: Settings) -> SentenceTransformersEmbedder:
        """``sentence-transformers:<model>`` with its cache under ``$PODIUM_HOME/models``."""
        require_extra("sentence_transformers", "sentence-transformers")
        return cls(
            name=name,
            cache_dir=settings.home / "models" / "sentence-transformers",
            batch_size=settings.embedding_batch_size,
        )

    @property
    def model_id(self) -> str:
        """``sentence-transformers:<model>``."""
        return f"sentence-transformers:{self._name}"

    @property
    def dimension(self) -> int:
        """Vector length (loads the model)."""
        self._load()
        assert self._dimension is not None
        return self._dimension

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as e:
                    raise ConfigurationError(
                        "the sentence-transformers embedding provider needs "
                        "sentence-transformers: install podium[sentence-transformers]"
                    ) from e
                name = str(Path(self._name).expanduser()) if self._name[0] in "/~." else self._name
                try:
                    model = SentenceTransformer(
                        name,
                        cache_folder=str(self._cache_dir) if self._cache_dir else None,
                        device="cpu",
                    )
                except Exception as e:  # hub, file and torch errors are untyped
                    raise ConfigurationError(
                        f"sentence-transformers could not load {self._name!r}: {e}. Without "
                        "network access the model must be available locally (use "
                        "'sentence-transformers:/path/to/model' in PODIUM_EMBEDDING_MODEL)"
                    ) from e
                dimension = model.get_sentence_embedding_dimension()
                if not dimension:
                    raise ConfigurationError(
                        f"sentence-transformers model {self._name!r} has no fixed dimension"
                    )
                self._dimension = int(dimension)
                self._model = model
                logger.debug("model=<%s> | sentence-transformers model loaded", self._name)
            return self._model

    def _prompt_name(self, model: Any, kind: EmbedKind) -> str | None:
        prompts = getattr(model, "prompts", None) or {}
        wanted = ("query",) if kind == "query" else ("document", "passage")
        return next((p for p in wanted if p in prompts), None)

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the model's tokens when its tokenizer is a fast one."""
        model = self._load()
        tokenizer = getattr(model, "tokenizer", None)
        if tokenizer is None or not getattr(tokenizer, "is_fast", False):
            return RegexTokenizer().token_spans(text)
        encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        return [(int(a), int(b)) for a, b in encoded["offset_mapping"] if b > a]

    def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> np.ndarray:
        """Embed ``texts`` in length-sorted batches."""
        model = self._load()
        assert self._dimension is not None
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        order = sort_by_length(texts)
        try:
            vectors = model.encode(
                [texts[i] for i in order],
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
                prompt_name=self._prompt_name(model, kind),
            )
        except Exception as e:  # torch errors are untyped
            raise EmbeddingError(f"sentence-transformers model {self._name!r} failed: {e}") from e
        vectors = np.asarray(vectors, dtype=np.float32)
        out = np.empty_like(vectors)
        out[order] = vectors
        return l2_normalize(out)
