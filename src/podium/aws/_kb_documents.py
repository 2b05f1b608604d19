"""``bedrock-agent`` documents: ingest, delete, get and list knowledge-base documents.

IngestKnowledgeBaseDocuments takes up to 10 documents for a CUSTOM data source (inline text or
bytes, or an S3 object, each with an ``id``) or an S3 data source (S3 objects), with inline or
S3-held metadata. Podium ingests them during the call, so the answer already says INDEXED (or
FAILED with the reason); Bedrock answers STARTING and indexes later.

Document URIs: an S3 document is ``s3://bucket/key``; a CUSTOM one is
``custom://<dataSourceId>/<url-quoted id>`` (see :func:`~._kb_common.retrieval_location`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.knowledge import ParsedDocument, ParseError, parse_bytes
from podium.storage import schema

from ._kb_common import (
    SOURCE_ID_KEY,
    SOURCE_URI_KEY,
    custom_uri,
    document_identifier,
    page,
    validation,
)
from ._kb_sources import DataSource, data_source
from ._registry import Call, operation

if TYPE_CHECKING:
    from ._kb_s3 import S3Reader

__all__: list[str] = []

#: byteContent MIME types Podium parses, as the file suffix that selects the parser.
_MIME_SUFFIXES = {
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/csv": ".csv",
    "application/json": ".json",
    "application/pdf": ".pdf",
}
_VALUE_FIELDS = {
    "STRING": "stringValue",
    "NUMBER": "numberValue",
    "BOOLEAN": "booleanValue",
    "STRING_LIST": "stringListValue",
}


def _inline_metadata(attributes: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attribute in attributes:
        value = attribute["value"]
        member = _VALUE_FIELDS[value["type"]]
        if value.get(member) is None:
            raise validation(f"metadata {attribute['key']!r}: a {value['type']} needs {member}")
        found = value[member]
        if isinstance(found, float) and found.is_integer():
            found = int(found)
        out[attribute["key"]] = found
    return out


class _Loader:
    """Turns one ``KnowledgeBaseDocument`` into Podium documents."""

    def __init__(self, call: Call, source: DataSource) -> None:
        self.call = call
        self.source = source
        self._s3: S3Reader | None = None

    @property
    def s3(self) -> S3Reader:
        if self._s3 is None:
            from ._kb_s3 import S3Reader

            self._s3 = S3Reader(self.call.region)
        return self._s3

    def metadata(self, spec: dict[str, Any] | None) -> dict[str, Any]:
        if not spec:
            return {}
        if spec["type"] == "IN_LINE_ATTRIBUTE":
            return _inline_metadata(spec.get("inlineAttributes") or [])
        location = spec.get("s3Location")
        if not location:
            raise validation("S3_LOCATION metadata needs s3Location")
        from ._kb_s3 import split_s3_uri

        bucket, key = split_s3_uri(location["uri"])
        return self.s3.metadata(bucket, key, location.get("bucketOwnerAccountId"))

    def documents(self, document: dict[str, Any]) -> tuple[str, list[ParsedDocument]]:
        """(the identifier's URI, its documents); ParseError or ValidationException if unusable."""
        from ._kb_s3 import split_s3_uri

        content = document["content"]
        kind = content["dataSourceType"]
        if kind != self.source.type:
            raise validation(f"a {kind} document cannot go into a {self.source.type} data source")
        if kind == "S3":
            uri = (content.get("s3") or {}).get("s3Location", {}).get("uri")
            if not uri:
                raise validation("an S3 document needs s3.s3Location.uri")
            bucket, key = split_s3_uri(uri)
            result = self.s3.parse(bucket, key, owner=self.source.bucket_owner)
            source_uri = uri
        else:
            custom = content.get("custom")
            if not custom:
                raise validation("a CUSTOM document needs custom")
            uri = custom_uri(self.source.id, custom["customDocumentIdentifier"]["id"])
            source_uri = None
            if custom["sourceType"] == "IN_LINE":
                result = self._inline(custom.get("inlineContent"), uri)
            else:
                location = custom.get("s3Location")
                if not location:
                    raise validation("an S3_LOCATION document needs s3Location")
                bucket, key = split_s3_uri(location["uri"])
                result = self.s3.parse(
                    bucket, key, owner=location.get("bucketOwnerAccountId"), uri=uri
                )
                source_uri = location["uri"]
        if result.failures and not result.documents:
            raise ParseError(result.failures[0][1])
        extra = self.metadata(document.get("metadata"))
        extra[SOURCE_ID_KEY] = self.source.id
        if source_uri:
            extra[SOURCE_URI_KEY] = source_uri
        for doc in result.documents:
            doc.metadata = {**doc.metadata, **extra}
        return uri, result.documents

    def _inline(self, inline: dict[str, Any] | None, uri: str) -> Any:
        if not inline:
            raise validation("an IN_LINE document needs inlineContent")
        if inline["type"] == "TEXT":
            text = (inline.get("textContent") or {}).get("data")
            if text is None:
                raise validation("TEXT inline content needs textContent.data")
            return parse_bytes(text.encode("utf-8"), ".txt", uri)
        byte = inline.get("byteContent")
        if not byte:
            raise validation("BYTE inline content needs byteContent")
        suffix = _MIME_SUFFIXES.get(byte["mimeType"].split(";", 1)[0].strip().lower())
        if suffix is None:
            raise ParseError(f"Podium does not parse {byte['mimeType']} content")
        return parse_bytes(byte["data"], suffix, uri)


def _detail(source: DataSource, uri: str, status: str, **more: Any) -> dict[str, Any]:
    return {
        "knowledgeBaseId": source.kb_id,
        "dataSourceId": source.id,
        "status": status,
        "identifier": document_identifier(uri),
        **more,
    }


def _identifier_uri(source: DataSource, identifier: dict[str, Any]) -> str:
    if identifier["dataSourceType"] == "S3":
        uri = (identifier.get("s3") or {}).get("uri")
        if not uri:
            raise validation("an S3 identifier needs s3.uri")
        return str(uri)
    custom = identifier.get("custom")
    if not custom:
        raise validation("a CUSTOM identifier needs custom.id")
    if source.type == "WEB":
        return str(custom["id"])  # a local-folder document is named by its file:// URI
    return custom_uri(source.id, custom["id"])


def _stored(call: Call, source: DataSource, uris: list[str]) -> dict[str, list[tuple[str, float]]]:
    """For each URI, the source's documents it names (itself, or its records ``uri#...``)."""
    docs = schema.documents
    out: dict[str, list[tuple[str, float]]] = {u: [] for u in uris}
    with call.backend.database.connect() as conn:
        for uri in uris:
            escaped = uri.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = conn.execute(
                sa.select(docs.c.uri, docs.c.updated_at).where(
                    docs.c.kb_id == source.kb_id,
                    docs.c.source_id == source.id,
                    sa.or_(docs.c.uri == uri, docs.c.uri.like(escaped + "#%", escape="\\")),
                )
            ).all()
            out[uri] = [(u, t) for u, t in rows]
    return out


@operation("bedrock-agent", "IngestKnowledgeBaseDocuments")
def ingest_documents(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Add or replace documents of a CUSTOM or S3 data source, now."""
    kb, source = data_source(call, params["knowledgeBaseId"], params["dataSourceId"])
    if source.type not in ("CUSTOM", "S3"):
        raise validation("IngestKnowledgeBaseDocuments takes CUSTOM and S3 data sources")
    loader = _Loader(call, source)
    details: list[dict[str, Any]] = []
    ready: list[ParsedDocument] = []
    ready_uris: list[str] = []
    for document in params["documents"]:
        try:
            uri, docs = loader.documents(document)
        except ParseError as e:
            uri = _failed_uri(source, document)
            details.append(_detail(source, uri, "FAILED", statusReason=e.message))
            continue
        if uri in ready_uris:
            raise validation(f"document {document_identifier(uri)} is given twice")
        ready_uris.append(uri)
        ready += docs
        details.append(_detail(source, uri, "INDEXED"))
    if ready:
        job = kb.with_chunking(source.chunking).ingest_documents(ready, source_id=source.id)
        for detail in details:
            if detail["status"] == "INDEXED":
                detail["updatedAt"] = job.finished_at
    return {"documentDetails": details}


def _failed_uri(source: DataSource, document: dict[str, Any]) -> str:
    content = document["content"]
    if content["dataSourceType"] == "S3":
        return str(content["s3"]["s3Location"]["uri"])
    return custom_uri(source.id, content["custom"]["customDocumentIdentifier"]["id"])


@operation("bedrock-agent", "GetKnowledgeBaseDocuments")
def get_documents(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """The status of each named document: INDEXED, or NOT_FOUND."""
    _, source = data_source(call, params["knowledgeBaseId"], params["dataSourceId"])
    uris = [_identifier_uri(source, i) for i in params["documentIdentifiers"]]
    stored = _stored(call, source, uris)
    return {
        "documentDetails": [
            _detail(source, u, "INDEXED", updatedAt=max(t for _, t in stored[u]))
            if stored[u]
            else _detail(source, u, "NOT_FOUND")
            for u in uris
        ]
    }


@operation("bedrock-agent", "ListKnowledgeBaseDocuments")
def list_documents(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """The data source's documents, by URI, paginated."""
    _, source = data_source(call, params["knowledgeBaseId"], params["dataSourceId"])
    docs = schema.documents
    with call.backend.database.connect() as conn:
        rows = conn.execute(
            sa.select(docs.c.uri, docs.c.updated_at)
            .where(docs.c.kb_id == source.kb_id, docs.c.source_id == source.id)
            .order_by(docs.c.uri)
        ).all()
    items, token = page(rows, params)
    return {
        "documentDetails": [_detail(source, u, "INDEXED", updatedAt=t) for u, t in items],
        "nextToken": token or None,
    }


@operation("bedrock-agent", "DeleteKnowledgeBaseDocuments")
def delete_documents(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Delete the named documents of the data source (DELETING; NOT_FOUND if absent)."""
    kb, source = data_source(call, params["knowledgeBaseId"], params["dataSourceId"])
    uris = [_identifier_uri(source, i) for i in params["documentIdentifiers"]]
    stored = _stored(call, source, uris)
    kb.delete_documents([u for found in stored.values() for u, _ in found])
    return {
        "documentDetails": [
            _detail(source, u, "DELETING" if stored[u] else "NOT_FOUND") for u in uris
        ]
    }
