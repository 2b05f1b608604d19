"""Turning source files into documents: text plus typed metadata.

One file gives one document (``.txt``, ``.md``, ``.html``, ``.pdf``) or, for record catalogs
(``.json``, ``.jsonl``, ``.csv``), one document per record (HTML and PDF text extraction live in
``_text_formats``). :func:`parse_file` returns a
:class:`ParseResult`:

- a problem with the whole file (unsupported type, undecodable bytes, corrupt PDF, malformed
  JSON document) raises :class:`ParseError`, a :class:`~podium.errors.InvalidInput`;
- a problem with one record (a bad JSONL line, a value that is not of its declared type) is a
  *failure* ``(record_uri, reason)`` next to the good documents, so one bad row never hides the
  rest of a catalog. A failure is named by the URI its document would have had (by position
  when its id is unreadable or a duplicate).

Record documents get the URI ``<file uri>#<id>``: the record's ``id_field`` value when one is
configured, else its position (JSON array index from 0, JSONL line number from 1, CSV data row
number from 1).

Metadata values are ``str | int | float | bool | list[str]``. Datetimes are stored as ISO-8601
strings (``YYYY-MM-DDTHH:MM:SS`` plus ``+HH:MM`` when the source had an offset; dates alone stay
``YYYY-MM-DD``) so that string comparison orders them.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, get_args
from urllib.parse import quote

from podium.errors import InvalidInput

from ._documents import (
    MetadataType,
    MetadataValue,
    ParsedDocument,
    ParseError,
    ParseResult,
    one_line,
)
from ._sources import SourceFile
from ._text_formats import decode_text, html_to_text, pdf_text

__all__ = [
    "SUPPORTED_SUFFIXES",
    "MetadataType",
    "MetadataValue",
    "ParseError",
    "ParseResult",
    "ParsedDocument",
    "RecordFormat",
    "coerce_metadata_value",
    "html_to_text",
    "normalize_datetime",
    "parse_bytes",
    "parse_file",
]

_METADATA_TYPES: frozenset[str] = frozenset(get_args(MetadataType))
_TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
_HTML_SUFFIXES = frozenset({".html", ".htm"})
_RECORD_SUFFIXES = frozenset({".json", ".jsonl", ".csv"})
SUPPORTED_SUFFIXES: frozenset[str] = _TEXT_SUFFIXES | _HTML_SUFFIXES | _RECORD_SUFFIXES | {".pdf"}

# Inferred string metadata is for short labels (track, room, level); longer strings are prose.
_SHORT_STRING_MAX = 200
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?\Z"
)
_URI_FRAGMENT_SAFE = "-._~!$&'()*+,;=:@/?"


@dataclass(kw_only=True)
class RecordFormat:
    """How records of a JSON, JSONL or CSV catalog become documents.

    - ``text_fields``: fields whose values make up the text, in this order. ``None`` means every
      field with textual content (strings that do not look like datetimes, lists, nested
      objects), in record order, except the ``id_field``, the ``title_field`` and fields
      declared in ``metadata_fields``.
    - ``metadata_fields``: field name to :data:`MetadataType`; values are coerced to the type and
      a value that cannot be coerced fails the record. ``None`` infers types from the values of
      every scalar or list-of-scalars field: bool → boolean, number → number, list → string_list,
      ISO date/datetime string → datetime, string of at most 200 characters → string. Nested
      objects never become metadata.
    - ``id_field``: names the record in its URI fragment; a record missing it fails, and so does
      a repeated id within one file.
    - ``title_field``: its value is the first line of the text.
    """

    text_fields: list[str] | None = None
    metadata_fields: dict[str, MetadataType] | None = None
    id_field: str | None = None
    title_field: str | None = None

    def __post_init__(self) -> None:
        for name, kind in (self.metadata_fields or {}).items():
            if kind not in _METADATA_TYPES:
                allowed = ", ".join(sorted(_METADATA_TYPES))
                raise InvalidInput(
                    f"metadata field '{name}' has unknown type '{kind}' (allowed: {allowed})"
                )


# --------------------------------------------------------------------------- values


def normalize_datetime(value: str | int | float | datetime | date) -> str:
    """An ISO-8601 string that sorts correctly: ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS[+HH:MM]``.

    Numbers are Unix epoch seconds (UTC). ``Z`` becomes ``+00:00``; fractions of a second are
    dropped. Raises ``ValueError`` for anything else.
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not a datetime")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError("not a finite timestamp")
        return datetime.fromtimestamp(value, tz=UTC).isoformat(timespec="seconds")
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = value.strip()
    if _ISO_DATE.match(text):
        return date.fromisoformat(text).isoformat()
    if not _ISO_DATETIME.match(text):
        raise ValueError(f"not an ISO-8601 date or datetime: {value!r}")
    return normalize_datetime(datetime.fromisoformat(text))


def _looks_like_datetime(value: str) -> bool:
    text = value.strip()
    if not (_ISO_DATE.match(text) or _ISO_DATETIME.match(text)):
        return False
    try:
        normalize_datetime(text)
    except ValueError:
        return False
    return True


def _to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return value
    if isinstance(value, str):
        text = value.strip()
        if "_" in text:  # Python accepts "1_000"; a catalog value like that is a typo
            raise ValueError(f"not a number: {value!r}")
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"not a number: {value!r}") from None
        if not math.isfinite(number):
            raise ValueError("not a finite number")
        return number
    raise ValueError(f"not a number: {type(value).__name__}")


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "y", "1"):
            return True
        if text in ("false", "no", "n", "0"):
            return False
    raise ValueError(f"not a boolean: {value!r}")


def _to_string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            # CSV cells may hold a JSON array.
            value = json.loads(text)
        else:
            return [part.strip() for part in text.split(";") if part.strip()]
    if not isinstance(value, list):
        raise ValueError(f"not a list: {type(value).__name__}")
    items: list[str] = []
    for item in value:
        if isinstance(item, dict | list) or item is None:
            raise ValueError("list items must be strings, numbers or booleans")
        items.append(_scalar_text(item))
    return items


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def coerce_metadata_value(value: Any, kind: MetadataType) -> MetadataValue:
    """Coerce one value to its declared metadata type; raises ``ValueError`` when it cannot.

    string_list accepts a list, a JSON array string, or a ``;``-separated string (CSV cells).
    """
    if kind == "string":
        if isinstance(value, dict | list) or value is None:
            raise ValueError(f"not a string: {type(value).__name__}")
        return _scalar_text(value)
    if kind == "number":
        return _to_number(value)
    if kind == "boolean":
        return _to_boolean(value)
    if kind == "datetime":
        if not isinstance(value, str | int | float):
            raise ValueError(f"not a datetime: {type(value).__name__}")
        return normalize_datetime(value)
    return _to_string_list(value)


def _is_missing(value: Any) -> bool:
    return value is None or value == "" or value == []


def _infer_metadata(record: Mapping[str, Any]) -> dict[str, MetadataValue]:
    metadata: dict[str, MetadataValue] = {}
    for name, value in record.items():
        if _is_missing(value):
            continue
        if isinstance(value, bool):
            metadata[name] = value
        elif isinstance(value, int | float):
            if isinstance(value, int) or math.isfinite(value):
                metadata[name] = value
        elif isinstance(value, str):
            if _looks_like_datetime(value):
                metadata[name] = normalize_datetime(value)
            elif len(value) <= _SHORT_STRING_MAX:
                metadata[name] = value
        elif isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
            metadata[name] = [_scalar_text(item) for item in value]
    return metadata


def _render(value: Any) -> str:
    """Readable text for a field value: lists joined with ", ", objects as their values."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(part for part in (_render(v) for v in value.values()) if part)
    if isinstance(value, list):
        parts = [_render(item) for item in value]
        # One speaker per clause: "Ana, CTO, Acme; Bo, Engineer, Initech".
        sep = "; " if any(isinstance(item, dict) for item in value) else ", "
        return sep.join(part for part in parts if part)
    return _scalar_text(value).strip()


def _is_textual(value: Any) -> bool:
    if isinstance(value, str):
        return not _looks_like_datetime(value)
    return isinstance(value, list | dict)


# --------------------------------------------------------------------------- records


def _record_document(
    record: Any, position: int, file_uri: str, fmt: RecordFormat, seen_ids: set[str]
) -> ParsedDocument:
    """One record as a document; raises ``ValueError`` whose message says why it fails."""
    if not isinstance(record, dict):
        raise ValueError(f"record is not an object but {type(record).__name__}")
    record_id = str(position)
    if fmt.id_field is not None:
        raw_id = record.get(fmt.id_field)
        if _is_missing(raw_id) or isinstance(raw_id, dict | list):
            raise ValueError(f"record has no usable id field '{fmt.id_field}'")
        record_id = _scalar_text(raw_id).strip()
        if not record_id:
            raise ValueError(f"record has no usable id field '{fmt.id_field}'")
        if record_id in seen_ids:
            raise ValueError(f"duplicate id {record_id!r}")

    metadata: dict[str, MetadataValue]
    if fmt.metadata_fields is None:
        metadata = _infer_metadata(record)
    else:
        metadata = {}
        for name, kind in fmt.metadata_fields.items():
            value = record.get(name)
            if _is_missing(value):
                continue
            try:
                metadata[name] = coerce_metadata_value(value, kind)
            except (ValueError, TypeError, OverflowError) as e:
                raise ValueError(f"field '{name}' is not a valid {kind}: {e}") from e

    if fmt.text_fields is not None:
        text_fields = [name for name in fmt.text_fields if name != fmt.title_field]
    else:
        skip = {fmt.id_field, fmt.title_field, *(fmt.metadata_fields or {})}
        text_fields = [n for n, v in record.items() if n not in skip and _is_textual(v)]
    lines: list[str] = []
    if fmt.title_field is not None:
        title = _render(record.get(fmt.title_field))
        if title:
            lines.append(title)
    for name in text_fields:
        rendered = _render(record.get(name))
        if rendered:
            lines.append(rendered)
    if not lines:
        raise ValueError("record has no text")
    if fmt.id_field is not None:
        seen_ids.add(record_id)
    return ParsedDocument(
        uri=_record_uri(file_uri, record_id),
        text="\n".join(lines),
        metadata=metadata,
    )


def _records_to_result(
    records: Iterable[tuple[int, Any]],
    file_uri: str,
    fmt: RecordFormat,
    early_failures: Iterable[tuple[int, str]] = (),
) -> ParseResult:
    """Documents for the records, and failures in record order.

    A failed record is named by the URI its document would have had (``#<id>`` when its id is
    readable and not a duplicate, else ``#<position>``), so an ingestion layer can keep the
    previous version of that record.
    """
    documents: list[ParsedDocument] = []
    failures: list[tuple[int, str, str]] = [
        (position, _record_uri(file_uri, str(position)), reason)
        for position, reason in early_failures
    ]
    seen_ids: set[str] = set()
    for position, record in records:
        try:
            documents.append(_record_document(record, position, file_uri, fmt, seen_ids))
        except ValueError as e:
            record_id = _readable_id(record, fmt)
            if record_id is None or record_id in seen_ids:
                record_id = str(position)  # a duplicate must not take the first one's URI
            failures.append((position, _record_uri(file_uri, record_id), one_line(str(e))))
    failures.sort(key=lambda failure: failure[0])
    return ParseResult(documents=documents, failures=[(uri, reason) for _, uri, reason in failures])


def _record_uri(file_uri: str, record_id: str) -> str:
    return f"{file_uri}#{quote(record_id, safe=_URI_FRAGMENT_SAFE)}"


def _readable_id(record: Any, fmt: RecordFormat) -> str | None:
    if fmt.id_field is None or not isinstance(record, dict):
        return None
    value = record.get(fmt.id_field)
    if _is_missing(value) or isinstance(value, dict | list):
        return None
    return _scalar_text(value).strip() or None


def _json_records(text: str, file_uri: str) -> list[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    if isinstance(data, list):
        return list(enumerate(data))
    if isinstance(data, dict):
        lists = [
            key
            for key, value in data.items()
            if isinstance(value, list) and all(isinstance(item, dict) for item in value)
        ]
        if len(lists) == 1:
            return list(enumerate(data[lists[0]]))
        if len(lists) > 1:
            raise ParseError(
                "ambiguous JSON catalog: several lists of records ("
                + ", ".join(repr(k) for k in lists)
                + ")"
            )
        return [(0, data)]
    raise ParseError(f"JSON must be an object or a list of objects, not {type(data).__name__}")


def _parse_jsonl(text: str, file_uri: str, fmt: RecordFormat) -> ParseResult:
    records: list[tuple[int, Any]] = []
    bad: list[tuple[int, str]] = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            records.append((lineno, json.loads(line)))
        except json.JSONDecodeError as e:
            bad.append((lineno, f"invalid JSON at line {lineno}: {e.msg}"))
    return _records_to_result(records, file_uri, fmt, bad)


def _parse_csv(text: str, file_uri: str, fmt: RecordFormat) -> ParseResult:
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as e:
        raise ParseError(f"invalid CSV: {e}") from e
    records: list[tuple[int, Any]] = []
    bad: list[tuple[int, str]] = []
    for number, row in enumerate(rows, start=1):
        # DictReader files surplus cells under the key None.
        if row.get(None):  # type: ignore[call-overload]
            bad.append((number, f"row {number} has more fields than the header"))
            continue
        records.append((number, {k: v for k, v in row.items() if k is not None and v is not None}))
    return _records_to_result(records, file_uri, fmt, bad)


# --------------------------------------------------------------------------- entry point


def parse_file(source: SourceFile, record_format: RecordFormat | None = None) -> ParseResult:
    """Parse one source file by its suffix into documents (see the module docstring).

    ``record_format`` applies to ``.json``, ``.jsonl`` and ``.csv`` files (``RecordFormat()`` when
    omitted). Raises :class:`ParseError` when the whole file cannot be used.
    """
    suffix = source.path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or source.path.name
        raise ParseError(f"unsupported file type '{shown}'")
    try:
        data = source.path.read_bytes()
    except OSError as e:
        raise ParseError(f"cannot read {source.path}: {e.strerror or e}") from e
    return parse_bytes(data, suffix, source.uri, record_format)


def parse_bytes(
    data: bytes, suffix: str, uri: str, record_format: RecordFormat | None = None
) -> ParseResult:
    """Parse a file's bytes by its ``suffix`` (``.md``, ``.jsonl`` ...) as the document ``uri``.

    For content that is not a local file (an S3 object); :func:`parse_file` reads a file and
    calls this. Raises :class:`ParseError` for an unsupported suffix or unusable content.
    """
    suffix = suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ParseError(f"unsupported file type '{suffix or uri.rsplit('/', 1)[-1]}'")
    fmt = record_format or RecordFormat()
    if suffix == ".pdf":
        return ParseResult(documents=[ParsedDocument(uri=uri, text=pdf_text(data))])
    text = decode_text(data)
    if suffix in _TEXT_SUFFIXES:
        return ParseResult(documents=[ParsedDocument(uri=uri, text=text)])
    if suffix in _HTML_SUFFIXES:
        return ParseResult(documents=[ParsedDocument(uri=uri, text=html_to_text(text))])
    if suffix == ".json":
        return _records_to_result(_json_records(text, uri), uri, fmt)
    if suffix == ".jsonl":
        return _parse_jsonl(text, uri, fmt)
    return _parse_csv(text, uri, fmt)
