"""Podium: an open, self-hostable platform for personalised agentic-RAG assistants."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
