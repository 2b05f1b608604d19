"""The parsed filter tree: operators, node types and limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias, TypeGuard

__all__ = [
    "ALL_OPERATORS",
    "COMPARISON_OPERATORS",
    "LOGICAL_OPERATORS",
    "MAX_COMPARISONS",
    "MAX_DEPTH",
    "NUMBER_TYPES",
    "And",
    "Comparison",
    "ComparisonOp",
    "Filter",
    "FilterLike",
    "Or",
    "Predicate",
    "Scalar",
    "filter_tree_keys",
    "is_number",
    "tree_to_dict",
]

ComparisonOp: TypeAlias = Literal[
    "equals",
    "notEquals",
    "greaterThan",
    "greaterThanOrEquals",
    "lessThan",
    "lessThanOrEquals",
    "in",
    "notIn",
    "startsWith",
    "listContains",
    "stringContains",
]
Scalar: TypeAlias = str | int | float | bool
Predicate: TypeAlias = Callable[[Mapping[str, Any]], bool]

COMPARISON_OPERATORS: Final[tuple[ComparisonOp, ...]] = (
    "equals",
    "notEquals",
    "greaterThan",
    "greaterThanOrEquals",
    "lessThan",
    "lessThanOrEquals",
    "in",
    "notIn",
    "startsWith",
    "listContains",
    "stringContains",
)
LOGICAL_OPERATORS: Final = ("andAll", "orAll")
ALL_OPERATORS: Final = (*COMPARISON_OPERATORS, *LOGICAL_OPERATORS)

#: Deep nesting would hit Python's recursion limit; no real filter comes near this.
MAX_DEPTH: Final = 32
#: Total comparisons in one filter, to bound the work a single request can ask for.
MAX_COMPARISONS: Final = 1000


@dataclass(frozen=True, slots=True)
class Comparison:
    """One comparison: ``op`` applied to the metadata value under ``key`` and ``value``.

    ``value`` is a scalar, or a non-empty tuple of scalars for ``in`` / ``notIn``.
    """

    op: ComparisonOp
    key: str
    value: Scalar | tuple[Scalar, ...]


@dataclass(frozen=True, slots=True)
class And:
    """All of ``filters`` hold (Bedrock ``andAll``)."""

    filters: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one of ``filters`` holds (Bedrock ``orAll``)."""

    filters: tuple[Filter, ...]


Filter: TypeAlias = Comparison | And | Or
#: What the public functions accept: a parsed filter, its JSON object, or its JSON text.
FilterLike: TypeAlias = Filter | Mapping[str, Any] | str


def filter_tree_keys(f: Filter) -> set[str]:
    """Every metadata key a parsed filter reads."""
    if isinstance(f, Comparison):
        return {f.key}
    keys: set[str] = set()
    for child in f.filters:
        keys |= filter_tree_keys(child)
    return keys


def tree_to_dict(f: Filter) -> dict[str, Any]:
    """The Bedrock JSON object of a parsed filter."""
    if isinstance(f, Comparison):
        value: Any = list(f.value) if isinstance(f.value, tuple | list) else f.value
        return {f.op: {"key": f.key, "value": value}}
    op = "andAll" if isinstance(f, And) else "orAll"
    return {op: [tree_to_dict(child) for child in f.filters]}


NUMBER_TYPES: Final = (int, float)


def is_number(x: Any) -> TypeGuard[int | float]:
    """Whether ``x`` is a JSON number (an int or float, not a bool)."""
    return isinstance(x, NUMBER_TYPES) and x.__class__ is not bool
