"""Optional embedding providers (extras), built by name from ``<provider>:<model>`` ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from podium.errors import ConfigurationError

if TYPE_CHECKING:
    from podium.config import Settings

    from ._base import Embedder

__all__ = ["build_provider"]


def build_provider(provider: str, name: str, settings: Settings) -> Embedder:
    """Build the optional provider ``provider`` for model ``name``."""
    raise ConfigurationError(f"embedding provider {provider!r} is not available (model {name!r})")
