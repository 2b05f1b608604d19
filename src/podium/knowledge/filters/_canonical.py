"""Introspection and canonical form: the keys a filter reads, its JSON, a stable cache key."""

from __future__ import annotations

import json
from typing import Any

from ._parse import parse_filter
from ._tree import FilterLike, filter_tree_keys, tree_to_dict

__all__ = ["canonical_filter", "filter_keys", "filter_to_dict"]


def filter_keys(f: FilterLike) -> set[str]:
    """Every metadata key the filter reads."""
    return filter_tree_keys(parse_filter(f))


def filter_to_dict(f: FilterLike) -> dict[str, Any]:
    """The Bedrock JSON object for a filter (``parse_filter`` of it gives the filter back)."""
    return tree_to_dict(parse_filter(f))


def canonical_filter(f: FilterLike) -> str:
    """A stable string for a filter, usable as a cache key.

    Key order and whitespace are normalised, and integral floats are written as integers, since
    ``300.0`` and ``300`` match the same records. Child order is kept as given.
    """
    return json.dumps(
        _canonical_numbers(filter_to_dict(f)),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _canonical_numbers(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _canonical_numbers(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_canonical_numbers(v) for v in node]
    if isinstance(node, float) and node.is_integer() and abs(node) < 2**53:
        return int(node)
    return node
