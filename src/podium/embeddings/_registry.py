"""Resolve an embedding model id to a provider instance (one instance per process and id)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from podium.errors import ConfigurationError

from ._base import Embedder
from ._onnx import BUNDLED_MODEL_ID, OnnxMiniLMEmbedder
from ._testing import TestEmbedder, parse_test_model_id

if TYPE_CHECKING:
    from podium.config import Settings

__all__ = ["get_embedder", "register_embedder"]

_instances: dict[str, Embedder] = {}
_lock = threading.Lock()


def register_embedder(embedder: Embedder) -> None:
    """Make ``embedder`` the instance returned for its ``model_id`` (custom providers, tests)."""
    with _lock:
        _instances[embedder.model_id] = embedder


def _build(model_id: str, settings: Settings) -> Embedder:
    if model_id == BUNDLED_MODEL_ID:
        return OnnxMiniLMEmbedder(
            threads=settings.embedding_threads, batch_size=settings.embedding_batch_size
        )
    test_dimension = parse_test_model_id(model_id)
    if test_dimension is not None:
        return TestEmbedder(test_dimension)
    provider, _, name = model_id.partition(":")
    if not name:
        raise ConfigurationError(
            f"unknown embedding model {model_id!r}: use {BUNDLED_MODEL_ID!r} or "
            "'<provider>:<model>' with provider openai, ollama, bedrock, fastembed or "
            "sentence-transformers (PODIUM_EMBEDDING_MODEL)"
        )
    from . import _providers

    return _providers.build_provider(provider, name, settings)


def get_embedder(model_id: str, settings: Settings) -> Embedder:
    """The shared embedder for ``model_id``; raises ConfigurationError for unknown ids."""
    with _lock:
        found = _instances.get(model_id)
    if found is not None:
        return found
    built = _build(model_id, settings)
    with _lock:
        return _instances.setdefault(model_id, built)
