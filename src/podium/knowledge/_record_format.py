"""Record-catalog format (de)serialisation: the format is persisted as JSON with the KB."""

from __future__ import annotations

import dataclasses
from typing import Any

from podium.errors import InvalidInput

from ._parsers import RecordFormat

__all__ = ["record_format_from_dict", "record_format_to_dict"]


def record_format_from_dict(data: RecordFormat | dict[str, Any] | None) -> RecordFormat | None:
    """Build and validate a RecordFormat from its JSON form."""
    if data is None or isinstance(data, RecordFormat):
        return data
    if not isinstance(data, dict):
        raise InvalidInput("record_format must be an object")
    allowed = {f.name for f in dataclasses.fields(RecordFormat)}
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput(
            f"record_format: unknown field(s) {', '.join(sorted(unknown))} "
            f"(expected: {', '.join(sorted(allowed))})"
        )
    try:
        return RecordFormat(**data)
    except (TypeError, ValueError) as e:
        raise InvalidInput(f"record_format: {e}") from e


def record_format_to_dict(fmt: RecordFormat) -> dict[str, Any]:
    """JSON form of a RecordFormat."""
    return dataclasses.asdict(fmt)
