"""A small YAML writer for the deploy files: block style, every string quoted unless plainly safe.

The files are built as Python data (so every reference can be checked) and written here, with no
YAML library needed at run time. Strings that YAML could read as something else (``on``,
``8080``, ``null``, anything with ``:`` or ``#``) are written double-quoted; a JSON string is a
valid YAML double-quoted scalar once the characters YAML may not hold are escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["dump_documents", "dump_yaml"]

_PLAIN = re.compile(r"[A-Za-z/_][A-Za-z0-9_./-]*")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
# YAML 1.1 reads these as booleans or null, whatever their case.
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
# What a double-quoted scalar may hold as it is: YAML's printable characters, less its extra
# line breaks (NEL, U+2028/9) and the byte-order mark. Anything else is written as an escape.
_UNPRINTABLE = re.compile(
    "[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def _quoted(text: str) -> str:
    # JSON escapes quotes, backslashes and control characters the way YAML reads them.
    body = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\U{ord(m.group()):08x}", body)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
            return value
        return _quoted(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"YAML mapping keys must be strings, not {type(key).__name__}")
    return key if _PLAIN_KEY.fullmatch(key) and key.lower() not in _RESERVED else _quoted(key)


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping):
        if not value:
            return [pad + "{}"]
        out: list[str] = []
        for key, item in value.items():
            if _is_block(item):
                out.append(f"{pad}{_key(key)}:")
                # A list under a key sits at the key's own indentation (the usual style).
                out.extend(_lines(item, indent if isinstance(item, list) else indent + 2))
            else:
                out.append(f"{pad}{_key(key)}: {_inline(item)}")
        return out
    if isinstance(value, Sequence) and not isinstance(value, str):
        if not value:
            return [pad + "[]"]
        out = []
        for item in value:
            if _is_block(item):
                nested = _lines(item, indent + 2)
                out.append(f"{pad}- {nested[0].lstrip()}")
                out.extend(nested[1:])
            else:
                out.append(f"{pad}- {_inline(item)}")
        return out
    return [pad + _scalar(value)]


def _is_block(value: Any) -> bool:
    if isinstance(value, str):
        return False
    return isinstance(value, Mapping | Sequence) and len(value) > 0


def _inline(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[]"
    return _scalar(value)


def dump_yaml(data: Any, *, comment: str = "") -> str:
    """``data`` (dicts, lists, strings, numbers, booleans, None) as one YAML document.

    ``comment`` becomes ``#`` lines at the top.
    """
    head = [f"# {line}".rstrip() for line in comment.splitlines()]
    return "\n".join([*head, *_lines(data, 0)]) + "\n"


def dump_documents(documents: Sequence[Any], *, comment: str = "") -> str:
    """Several YAML documents in one stream, each starting with ``---``."""
    head = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines())
    return head + "".join("---\n" + dump_yaml(doc) for doc in documents)
