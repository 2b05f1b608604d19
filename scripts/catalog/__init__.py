"""The sample-catalog generator behind ``scripts/make_catalog.py``: pools (data) and composition.

The content lives in ``data/catalog/pools/`` (see its README); this package loads it
(``_pools``), composes each session's words (``_text``) and builds the programme
(``_sessions``).
"""

from __future__ import annotations

from ._pools import (
    CONFERENCE_NAME,
    FIRST_DAY,
    POOLS_DIR,
    Keynote,
    People,
    Pools,
    Room,
    Schedule,
    Sentences,
    Subtopic,
    Track,
    load_pools,
    track_file,
)
from ._sessions import build_catalog

__all__ = [
    "CONFERENCE_NAME",
    "FIRST_DAY",
    "POOLS_DIR",
    "Keynote",
    "People",
    "Pools",
    "Room",
    "Schedule",
    "Sentences",
    "Subtopic",
    "Track",
    "build_catalog",
    "load_pools",
    "track_file",
]
