"""``bedrock-agent-runtime`` Retrieve: a knowledge base searched through Podium's retriever.

The handler is thin: :meth:`podium.knowledge.KnowledgeBase.retrieve` does the search (HYBRID or
SEMANTIC, Bedrock's whole filter grammar); this module maps the request onto it and each
:class:`~podium.knowledge.RetrievalResult` onto Bedrock's ``KnowledgeBaseRetrievalResult``:
``content``, ``location`` (``S3`` for ``s3://`` sources, ``WEB`` for http(s), ``CUSTOM`` for the
rest), ``metadata`` with Bedrock's ``x-amz-bedrock-kb-*`` keys, and ``score``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.knowledge import SearchType
from podium.knowledge._retrieval import CHUNK_ID_KEY, SOURCE_URI_KEY
from podium.knowledge.filters import COMPARISON_OPERATORS
from podium.storage import schema

from ._errors import AwsError
from ._registry import Call, operation

if TYPE_CHECKING:
    from podium.knowledge import KnowledgeBase, RetrievalResult

__all__ = [
    "BEDROCK_CHUNK_ID",
    "BEDROCK_DATA_SOURCE_ID",
    "BEDROCK_SOURCE_URI",
    "RetrievalOptions",
    "bedrock_results",
    "open_knowledge_base",
    "retrieval_options",
]

logger = logging.getLogger(__name__)

BEDROCK_SOURCE_URI = "x-amz-bedrock-kb-source-uri"
BEDROCK_CHUNK_ID = "x-amz-bedrock-kb-chunk-id"
BEDROCK_DATA_SOURCE_ID = "x-amz-bedrock-kb-data-source-id"
#: Bedrock's metadata keys → the keys Podium's results and filters use.
_KEY_TO_PODIUM = {BEDROCK_SOURCE_URI: SOURCE_URI_KEY, BEDROCK_CHUNK_ID: CHUNK_ID_KEY}
_KEY_TO_BEDROCK = {v: k for k, v in _KEY_TO_PODIUM.items()}
_DEFAULT_RESULTS = 5
#: Podium's retriever returns at most this many results for one query (all pages together).
_MAX_RESULTS = 100


class RetrievalOptions:
    """What a ``KnowledgeBaseRetrievalConfiguration`` asks of the retriever."""

    def __init__(self, number_of_results: int, search_type: SearchType, filter: Any) -> None:
        self.number_of_results = number_of_results
        self.search_type = search_type
        self.filter = filter


def knowledge_base_id(identifier: str) -> str:
    """The KB id in ``identifier`` (an id, or an ARN ``...:knowledge-base/<id>``)."""
    if identifier.startswith("arn:"):
        resource = identifier.split(":", 5)[-1]
        kind, _, kb_id = resource.partition("/")
        if kind != "knowledge-base" or not kb_id:
            raise AwsError(
                "ValidationException", f"{identifier!r} is not a knowledge base ARN", 400
            )
        return kb_id
    return identifier


def open_knowledge_base(call: Call, identifier: str) -> KnowledgeBase:
    """The KB named by ``identifier`` (ResourceNotFoundException when there is none)."""
    return call.backend.knowledge.get(knowledge_base_id(identifier))


def retrieval_options(config: dict[str, Any] | None) -> RetrievalOptions:
    """Number of results, search type and filter from a retrieval configuration."""
    config = config or {}
    search = config.get("vectorSearchConfiguration") or config.get("managedSearchConfiguration")
    search = search or {}
    if "implicitFilterConfiguration" in search:
        raise AwsError(
            "ValidationException",
            "implicitFilterConfiguration needs a model to derive filters; Podium does not "
            "support it (pass an explicit filter)",
            400,
        )
    if "rerankingConfiguration" in search:
        # Documented as not applied: results keep the retriever's own order.
        logger.info("rerankingConfiguration is ignored | Podium does not rerank")
    kind = SearchType(search.get("overrideSearchType", SearchType.HYBRID.value))
    flt = search.get("filter")
    return RetrievalOptions(
        number_of_results=search.get("numberOfResults", _DEFAULT_RESULTS),
        search_type=kind,
        filter=podium_filter(flt) if flt else None,
    )


def podium_filter(flt: Any) -> Any:
    """A Bedrock ``RetrievalFilter`` with Bedrock's own metadata keys renamed to Podium's."""
    if not isinstance(flt, dict):
        return flt
    out: dict[str, Any] = {}
    for op, body in flt.items():
        if op in ("andAll", "orAll") and isinstance(body, list):
            out[op] = [podium_filter(f) for f in body]
        elif op in COMPARISON_OPERATORS and isinstance(body, dict) and "key" in body:
            out[op] = {**body, "key": _KEY_TO_PODIUM.get(body["key"], body["key"])}
        else:
            out[op] = body
    return out


def location(uri: str) -> dict[str, Any]:
    """A ``RetrievalResultLocation`` for a document's source URI."""
    if uri.startswith("s3://"):
        return {"type": "S3", "s3Location": {"uri": uri}}
    if uri.startswith(("http://", "https://")):
        return {"type": "WEB", "webLocation": {"url": uri}}
    # Local files (file://) and documents ingested directly have no Bedrock location type of
    # their own; CUSTOM is what Bedrock reports for directly ingested documents.
    return {"type": "CUSTOM", "customDocumentLocation": {"id": uri}}


def data_source_ids(call: Call, chunk_ids: Sequence[int]) -> dict[int, str]:
    """The data source of each chunk's document (chunks of directly ingested documents: none)."""
    if not chunk_ids:
        return {}
    c, d = schema.chunks, schema.documents
    with call.backend.database.connect() as conn:
        rows = conn.execute(
            sa.select(c.c.id, d.c.source_id)
            .join(d, d.c.id == c.c.document_id)
            .where(c.c.id.in_(list(chunk_ids)), d.c.source_id.is_not(None))
        ).all()
    return {int(r[0]): str(r[1]) for r in rows}


def bedrock_results(call: Call, results: Sequence[RetrievalResult]) -> list[dict[str, Any]]:
    """Podium's results as Bedrock's ``KnowledgeBaseRetrievalResult`` list."""
    sources = data_source_ids(call, [r.chunk_id for r in results])
    out = []
    for r in results:
        metadata = {_KEY_TO_BEDROCK.get(k, k): v for k, v in r.metadata.items()}
        if r.chunk_id in sources:
            metadata[BEDROCK_DATA_SOURCE_ID] = sources[r.chunk_id]
        out.append(
            {
                "content": {"type": "TEXT", "text": r.text},
                "location": location(r.source_uri),
                "metadata": metadata,
                "score": r.score,
            }
        )
    return out


def _page_digest(kb_id: str, params: dict[str, Any]) -> str:
    # A token is only good for the query it came from.
    basis = {k: params.get(k) for k in ("retrievalQuery", "retrievalConfiguration")}
    text = json.dumps([kb_id, basis], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _offset(token: str | None, digest: str) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = int(data["o"])
        same = data["h"] == digest
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise AwsError("ValidationException", "nextToken is not valid", 400) from None
    if not same or not 0 < offset < _MAX_RESULTS:
        raise AwsError("ValidationException", "nextToken does not belong to this query", 400)
    return offset


def _token(offset: int, digest: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "h": digest}).encode()).decode()


@operation("bedrock-agent-runtime", "Retrieve")
def retrieve(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Search a knowledge base: ``numberOfResults`` per page, ``nextToken`` for the next page."""
    query = params["retrievalQuery"]
    if query.get("type", "TEXT") != "TEXT" or "image" in query:
        raise AwsError("ValidationException", "Podium retrieves by text queries only", 400)
    text = query.get("text")
    if not text:
        raise AwsError("ValidationException", "retrievalQuery.text is required", 400)
    options = retrieval_options(params.get("retrievalConfiguration"))
    kb = open_knowledge_base(call, params["knowledgeBaseId"])
    digest = _page_digest(kb.id, params)
    offset = _offset(params.get("nextToken"), digest)
    # One more than the page shows, to know whether another page exists.
    wanted = min(offset + options.number_of_results + 1, _MAX_RESULTS)
    found = kb.retrieve(text, wanted, options.search_type, options.filter)
    page = found[offset : offset + options.number_of_results]
    out: dict[str, Any] = {"retrievalResults": bedrock_results(call, page)}
    end = offset + len(page)
    if len(found) > end and end < _MAX_RESULTS:
        out["nextToken"] = _token(end, digest)
    if "guardrailConfiguration" in params:
        out["guardrailAction"] = "NONE"
    return out
