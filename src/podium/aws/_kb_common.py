"""What the ``bedrock-agent`` handlers share: lookups, pagination, ARNs, locations, responses."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from starlette.responses import Response

from ._errors import AwsError
from ._protocol import serialize_output, service_model

if TYPE_CHECKING:
    from podium.knowledge import KnowledgeBase

    from ._registry import Call

__all__ = [
    "CUSTOM_SCHEME",
    "SOURCE_ID_KEY",
    "SOURCE_URI_KEY",
    "custom_uri",
    "document_identifier",
    "kb_arn",
    "knowledge_base",
    "page",
    "respond",
    "retrieval_location",
    "validation",
]

SERVICE = "bedrock-agent"
#: Metadata Podium adds to the documents of an AWS data source, as Bedrock's Retrieve shows them.
SOURCE_URI_KEY = "x-amz-bedrock-kb-source-uri"
SOURCE_ID_KEY = "x-amz-bedrock-kb-data-source-id"
#: A CUSTOM data source's document ``id`` is stored as the URI ``custom://<dataSourceId>/<id>``.
CUSTOM_SCHEME = "custom://"


def validation(message: str) -> AwsError:
    """A ValidationException (400)."""
    return AwsError("ValidationException", message, 400)


def conflict(message: str) -> AwsError:
    """A ConflictException (409)."""
    return AwsError("ConflictException", message, 409)


def not_found(message: str) -> AwsError:
    """A ResourceNotFoundException (404)."""
    return AwsError("ResourceNotFoundException", message, 404)


def kb_arn(call: Call, kb_id: str) -> str:
    """The knowledge base's ARN."""
    return call.arn("bedrock", f"knowledge-base/{kb_id}")


def knowledge_base(call: Call, kb_id: str) -> KnowledgeBase:
    """The KB with this id (ResourceNotFoundException otherwise; names are not ids here)."""
    from podium.errors import NotFound

    service = call.backend.knowledge
    try:
        info = service.info(kb_id)
    except NotFound:
        raise not_found(f"knowledge base {kb_id} not found") from None
    if info.id != kb_id:
        raise not_found(f"knowledge base {kb_id} not found")
    return service.get(info.id)


def page(items: Sequence[Any], params: dict[str, Any], default: int = 100) -> tuple[list[Any], str]:
    """One page of ``items`` for ``maxResults``/``nextToken`` (an offset); the next token or ''."""
    token = params.get("nextToken")
    try:
        start = int(token) if token else 0
    except ValueError:
        raise validation("nextToken is not one this server gave") from None
    if start < 0:
        raise validation("nextToken is not one this server gave")
    size = int(params.get("maxResults") or default)
    end = start + size
    return list(items[start:end]), (str(end) if end < len(items) else "")


def respond(call: Call, result: dict[str, Any], *, extra: dict[str, Any] | None = None) -> Response:
    """The operation's output plus Podium-only JSON members and ``x-podium-*`` headers.

    botocore drops members its model does not know, so what Podium adds (the effective
    embedding model) is also sent as response headers, which boto3 callers can read in
    ``response["ResponseMetadata"]["HTTPHeaders"]``.
    """
    op = service_model(SERVICE).operation_model(call.operation)
    status, headers, body = serialize_output(op, result)
    for member, fields in (extra or {}).items():
        if isinstance(body.get(member), dict):
            body[member]["podium"] = fields
        for name, value in fields.items():
            header = "x-podium-" + "".join("-" + c.lower() if c.isupper() else c for c in name)
            headers[header] = str(value)
    return Response(
        json.dumps(body), status_code=status, headers=headers, media_type="application/json"
    )


def custom_uri(data_source_id: str, document_id: str) -> str:
    """The document URI of a CUSTOM data source's document ``document_id``."""
    return f"{CUSTOM_SCHEME}{data_source_id}/{quote(document_id, safe='')}"


def document_identifier(uri: str) -> dict[str, Any]:
    """The ``DocumentIdentifier`` of a stored document URI."""
    if uri.startswith("s3://"):
        return {"dataSourceType": "S3", "s3": {"uri": uri}}
    if uri.startswith(CUSTOM_SCHEME):
        return {"dataSourceType": "CUSTOM", "custom": {"id": unquote(uri.split("/", 3)[3])}}
    # A local-folder document: named by its file:// URI.
    return {"dataSourceType": "CUSTOM", "custom": {"id": uri}}


def retrieval_location(uri: str) -> dict[str, Any]:
    """Bedrock's ``RetrievalResultLocation`` for a document URI (for Retrieve's results).

    ``s3://bucket/key`` (also ``s3://bucket/key#record``: the object's URI) → S3; a CUSTOM
    data source's document → CUSTOM with its id; anything else (``file://``) → WEB with the URI.
    """
    if uri.startswith("s3://"):
        return {"type": "S3", "s3Location": {"uri": uri.split("#", 1)[0]}}
    if uri.startswith(CUSTOM_SCHEME):
        return {
            "type": "CUSTOM",
            "customDocumentLocation": {"id": unquote(uri.split("/", 3)[3])},
        }
    return {"type": "WEB", "webLocation": {"url": uri}}
