"""AWS REST-JSON on the server side, driven by botocore's own service models.

Requests are matched to an operation by method and URI template (most literal segments
first), then bound to the operation's input shape the way botocore serialised them: URI
labels, query strings, headers, and the JSON body (or a blob/structure payload). Values are
checked against the shape (required members, types, enums, lengths) so that a bad request is a
``ValidationException`` naming the member. Outputs are serialised from plain dicts onto the
output shape: headers, status code, JSON body or payload; timestamps as epoch seconds, blobs as
base64. Members not in the shape are dropped, so no internal field leaks.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from ._errors import AwsError

__all__ = [
    "SERVICES",
    "Route",
    "find_route",
    "parse_input",
    "serialize_output",
    "serialize_value",
    "service_model",
]

#: The services Podium serves, by botocore name, and the SigV4 signing name each uses.
SERVICES = {
    "bedrock-agent": "bedrock",
    "bedrock-agent-runtime": "bedrock",
    "bedrock-runtime": "bedrock",
    "bedrock-agentcore": "bedrock-agentcore",
    "bedrock-agentcore-control": "bedrock-agentcore",
    "s3vectors": "s3vectors",
}

_MAX_NESTING = 64


@functools.cache
def service_model(name: str) -> ServiceModel:
    """The botocore model of ``name`` (loaded once)."""
    return botocore.session.get_session().get_service_model(name)


@dataclass(frozen=True)
class Route:
    """One operation's URI template, compiled."""

    service: str
    operation: OperationModel
    pattern: re.Pattern[str]
    literals: int

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The URI labels (decoded) if ``method path`` is this operation."""
        if method != self.operation.http["method"]:
            return None
        m = self.pattern.fullmatch(path)
        if m is None:
            return None
        return {k: unquote(v) for k, v in m.groupdict().items()}


def _compile(service: str, op: OperationModel) -> Route:
    uri = op.http["requestUri"].split("?", 1)[0]
    out, literals = [], 0
    for segment in re.split(r"(\{[^}]+\})", uri):
        if segment.startswith("{"):
            name = segment[1:-1]
            if name.endswith("+"):
                out.append(f"(?P<{name[:-1]}>.+)")
            else:
                out.append(f"(?P<{name}>[^/]+)")
        elif segment:
            literals += segment.count("/") + len(segment)
            out.append(re.escape(segment))
    return Route(service, op, re.compile("".join(out)), literals)


@functools.cache
def _routes(signing_name: str, services: tuple[str, ...]) -> list[Route]:
    routes = []
    for name in services:
        if SERVICES[name] != signing_name:
            continue
        model = service_model(name)
        routes += [_compile(name, model.operation_model(op)) for op in model.operation_names]
    # The most literal template first: /memories/create before /memories/{memoryId}/...
    return sorted(routes, key=lambda r: -r.literals)


def find_route(
    signing_name: str, method: str, path: str, services: Sequence[str]
) -> tuple[Route, dict[str, str]] | None:
    """The operation of ``services`` signed as ``signing_name`` that serves ``method path``."""
    for route in _routes(signing_name, tuple(services)):
        labels = route.match(method, path)
        if labels is not None:
            return route, labels
    return None


# ---------------------------------------------------------------------------------- input


def _bad(path: str, message: str) -> AwsError:
    where = f" at {path}" if path else ""
    return AwsError("ValidationException", f"Invalid input{where}: {message}", 400)


def _check(shape: Shape, value: Any, path: str, depth: int = 0) -> Any:
    """``value`` (decoded JSON) checked against ``shape`` and converted to Python types."""
    if depth > _MAX_NESTING:
        raise _bad(path, f"nested more than {_MAX_NESTING} levels")
    kind = shape.type_name
    if shape.metadata.get("document"):
        _check_document(value, path, depth)
        return value
    if kind == "structure":
        if not isinstance(value, dict):
            raise _bad(path, "expected an object")
        out = {}
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                out[name] = _check(member, value[name], f"{path}.{name}".lstrip("."), depth + 1)
        for name in shape.required_members:
            if name not in out:
                raise _bad(f"{path}.{name}".lstrip("."), "required member missing")
        if shape.metadata.get("union") and len(out) > 1:
            raise _bad(path, "exactly one member may be set")
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise _bad(path, "expected a list")
        _length(shape, len(value), path)
        return [_check(shape.member, v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise _bad(path, "expected an object")
        _length(shape, len(value), path)
        return {
            _check(shape.key, k, path, depth + 1): _check(shape.value, v, f"{path}.{k}", depth + 1)
            for k, v in value.items()
        }
    return _scalar(shape, value, path)


def _check_document(value: Any, path: str, depth: int) -> None:
    """A free-form JSON document: bounded nesting and valid text throughout."""
    if depth > _MAX_NESTING:
        raise _bad(path, f"nested more than {_MAX_NESTING} levels")
    if isinstance(value, str):
        _check_unicode(value, path)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_unicode(str(k), path)
            _check_document(v, path, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_document(v, path, depth + 1)


def _check_unicode(text: str, path: str) -> None:
    """Lone surrogates (JSON escapes such as ``ud800``) are not text: nothing can store them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _bad(path, "invalid Unicode (a lone surrogate)") from None


def _length(shape: Shape, n: int, path: str) -> None:
    lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
    if lo is not None and n < lo:
        raise _bad(path, f"length {n} is below the minimum {lo}")
    if hi is not None and n > hi:
        raise _bad(path, f"length {n} is above the maximum {hi}")


def _scalar(shape: Shape, value: Any, path: str) -> Any:
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            raise _bad(path, "expected a string")
        _check_unicode(value, path)
        _length(shape, len(value), path)
        if shape.enum and value not in shape.enum:
            raise _bad(path, f"{value!r} is not one of {', '.join(shape.enum)}")
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(path, "expected an integer")
        _range(shape, value, path)
        return value
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
            raise _bad(path, "expected a number")
        _range(shape, value, path)
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _bad(path, "expected true or false")
        return value
    if kind == "timestamp":
        return _timestamp(value, path)
    if kind == "blob":
        if isinstance(value, bytes):
            return value
        if not isinstance(value, str):
            raise _bad(path, "expected base64 text")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _bad(path, "expected base64 text") from None
    return value


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond any float (10**400)
        return False


def _range(shape: Shape, value: float, path: str) -> None:
    lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
    if lo is not None and value < lo:
        raise _bad(path, f"{value} is below the minimum {lo}")
    if hi is not None and value > hi:
        raise _bad(path, f"{value} is above the maximum {hi}")


def _timestamp(value: Any, path: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and _finite(value):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise _bad(path, "expected a timestamp")


def _from_text(shape: Shape, text: str, path: str) -> Any:
    """A URI label, query value or header as the member's type."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return _scalar(shape, int(text), path)
        except ValueError:
            raise _bad(path, "expected an integer") from None
    if kind == "boolean":
        if text not in ("true", "false"):
            raise _bad(path, "expected true or false")
        return text == "true"
    if kind in ("float", "double"):
        try:
            return _scalar(shape, float(text), path)
        except ValueError:
            raise _bad(path, "expected a number") from None
    if kind == "timestamp":
        return _timestamp(text, path)
    if kind == "string" and shape.metadata.get("jsonvalue"):
        try:
            return json.loads(base64.b64decode(text))
        except (ValueError, binascii.Error):
            raise _bad(path, "expected base64 JSON") from None
    return _scalar(shape, text, path)


def parse_input(
    op: OperationModel,
    labels: Mapping[str, str],
    query: str,
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    """The operation's input as botocore's caller passed it (checked against the shape)."""
    shape = op.input_shape
    if shape is None:
        return {}
    params: dict[str, Any] = {}
    query_pairs = parse_qsl(query, keep_blank_values=True)
    body_members: dict[str, Shape] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri":
            if wire in labels:
                params[name] = _from_text(member, labels[wire], name)
        elif location == "querystring":
            if member.type_name == "list":
                values = [v for k, v in query_pairs if k == wire]
                if values:
                    params[name] = [_from_text(member.member, v, name) for v in values]
            elif member.type_name == "map":
                params[name] = dict(query_pairs)
            else:
                found = [v for k, v in query_pairs if k == wire]
                if found:
                    params[name] = _from_text(member, found[-1], name)
        elif location == "header":
            if wire.lower() in headers:
                params[name] = _from_text(member, headers[wire.lower()], name)
        elif location == "headers":
            prefix = wire.lower()
            found_map = {k[len(prefix) :]: v for k, v in headers.items() if k.startswith(prefix)}
            if found_map:
                params[name] = found_map
        else:
            body_members[name] = member
    payload = shape.serialization.get("payload")
    if payload:
        member = shape.members[payload]
        if member.type_name in ("blob", "string"):
            if body:
                params[payload] = body if member.type_name == "blob" else _utf8(body, payload)
        elif body:
            params[payload] = _check(member, _json(body), payload)
    elif body_members:
        data = _json(body) if body else {}
        if not isinstance(data, dict):
            raise _bad("", "the body must be a JSON object")
        for name, member in body_members.items():
            if data.get(name) is not None:
                params[name] = _check(member, data[name], name)
    for name in shape.required_members:
        if name not in params:
            raise _bad(name, "required member missing")
    return params


def _utf8(body: bytes, path: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(path, "the body is not UTF-8 text") from None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise _bad("", "the body is not valid JSON") from None


# ---------------------------------------------------------------------------------- output


def serialize_value(shape: Shape, value: Any) -> Any:
    """``value`` as JSON for ``shape``: unknown members dropped, None omitted."""
    if value is None:
        return None
    kind = shape.type_name
    if shape.metadata.get("document"):
        return value
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                out[member.serialization.get("name", name)] = serialize_value(member, value[name])
        return out
    if kind == "list":
        return [serialize_value(shape.member, v) for v in value]
    if kind == "map":
        return {k: serialize_value(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        return value.timestamp() if isinstance(value, dt.datetime) else float(value)
    if kind == "blob":
        raw = value.encode() if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode()
    return value


def serialize_output(
    op: OperationModel, result: Mapping[str, Any]
) -> tuple[int, dict[str, str], Any]:
    """(status, headers, body) for a non-streaming result; body is bytes or a JSON-able value."""
    status = int(op.http.get("responseCode", 200))
    headers: dict[str, str] = {}
    shape = op.output_shape
    if shape is None:
        return status, headers, {}
    body: dict[str, Any] = {}
    for name, member in shape.members.items():
        value = result.get(name)
        if value is None:
            continue
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "header":
            headers[wire] = (
                str(serialize_value(member, value)).lower()
                if isinstance(value, bool)
                else str(serialize_value(member, value))
            )
        elif location == "statusCode":
            status = int(value)
        elif location != "headers":
            body[name] = value
    payload = shape.serialization.get("payload")
    if payload:
        member = shape.members[payload]
        value = result.get(payload)
        if member.type_name == "blob":
            return status, headers, bytes(value or b"")
        if member.type_name == "string":
            return status, headers, str(value or "").encode()
        return status, headers, serialize_value(member, value) or {}
    return status, headers, serialize_value(shape, body)
