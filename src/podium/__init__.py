"""Podium: an open, self-hostable platform for personalised agentic-RAG assistants.

Start with :func:`open`::

    import podium

    with podium.open() as p:
        kb = p.knowledge.create("docs")
        kb.ingest("docs/")
        print(kb.retrieve("how is memory extracted?")[0].text)

Subpackages: :mod:`podium.knowledge`, :mod:`podium.memory`, :mod:`podium.embeddings`,
:mod:`podium.agents`, :mod:`podium.runtime`, :mod:`podium.identity`; errors in
:mod:`podium.errors`, settings in :mod:`podium.config`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._podium import Podium, open
    from .config import Settings
    from .errors import PodiumError

__version__ = "0.1.0"
__all__ = ["Podium", "PodiumError", "Settings", "__version__", "open"]

# Loaded on first use, so that ``import podium`` (and so the CLI) stays fast.
_LAZY = {
    "Podium": "._podium",
    "open": "._podium",
    "Settings": ".config",
    "PodiumError": ".errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'podium' has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
