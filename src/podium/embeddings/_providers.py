"""Optional embedding providers (extras), built by name from ``<provider>:<model>`` ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from podium.errors import ConfigurationError

if TYPE_CHECKING:
    from podium.config import Settings

    from ._base import Embedder

__all__ = ["PROVIDERS", "build_provider"]

PROVIDERS = ("openai", "ollama", "bedrock", "fastembed", "sentence-transformers")


def build_provider(provider: str, name: str, settings: Settings) -> Embedder:
    """Build the optional provider ``provider`` for model ``name``.

    Raises ConfigurationError for an unknown provider or a missing package extra.
    """
    if not name:
        raise ConfigurationError(
            f"embedding model id {provider!r} needs a model name: '{provider}:<model>' "
            "(PODIUM_EMBEDDING_MODEL)"
        )
    if provider == "openai":
        from ._openai_compat import OpenAICompatEmbedder

        return OpenAICompatEmbedder.for_openai(name, settings)
    if provider == "ollama":
        from ._openai_compat import OpenAICompatEmbedder

        return OpenAICompatEmbedder.for_ollama(name, settings)
    if provider == "bedrock":
        from ._bedrock import BedrockTitanEmbedder

        return BedrockTitanEmbedder.from_settings(name, settings)
    if provider == "fastembed":
        from ._fastembed import FastEmbedEmbedder

        return FastEmbedEmbedder.from_settings(name, settings)
    if provider == "sentence-transformers":
        from ._sentence_transformers import SentenceTransformersEmbedder

        return SentenceTransformersEmbedder.from_settings(name, settings)
    raise ConfigurationError(
        f"unknown embedding provider {provider!r} in {provider}:{name}: use one of "
        f"{', '.join(PROVIDERS)} (PODIUM_EMBEDDING_MODEL)"
    )
