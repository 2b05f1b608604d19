"""What a request names, in the catalog's vocabulary (the memory lexicon's slugs → topics)."""

from __future__ import annotations

from podium.memory.extraction import spot_topics as _spot

from ._profile import category_topic

__all__ = ["spot_topics"]


def spot_topics(text: str) -> list[str]:
    """Catalog topics ``text`` names ("EKS autoscaling" → containers), longest match first."""
    found = [category_topic(c) for c in _spot(text)]
    return [t for t in found if t is not None]
