"""``bedrock-agent`` knowledge bases: create, get, list, update, delete.

A Bedrock knowledge base is a Podium knowledge base (same id, name and description). What
Podium has no column for (role, vector and storage configurations, tags, the requested
embedding model) is kept in ``aws_knowledge_bases`` and echoed back. The storage configuration
(S3 Vectors, OpenSearch, ...) is recorded only: Podium keeps the vectors in its own engine.

The requested embedding model maps through :data:`podium.aws._models_alias.EMBEDDING_ALIASES` (the alias table Converse uses too) to a Podium embedder; the
KB answers with both as the Podium-only members ``knowledgeBase.podium`` and the headers
``x-podium-requested-embedding-model`` / ``x-podium-effective-embedding-model``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.storage import schema

from ._kb_common import conflict, kb_arn, knowledge_base, page, respond, validation
from ._models_alias import resolve_embedding_model
from ._registry import ACCOUNT_ID, Call, operation

if TYPE_CHECKING:
    from starlette.responses import Response

    from podium.knowledge import KnowledgeBaseInfo

__all__ = ["effective_embedding_model"]

logger = logging.getLogger(__name__)

_TYPES = ("VECTOR", "MANAGED")


def effective_embedding_model(call: Call, requested_arn: str | None) -> str:
    """The Podium embedding model that serves a requested Bedrock embedding model."""
    if not requested_arn:
        return call.settings.embedding_model
    return resolve_embedding_model(requested_arn, call.settings)


def _requested_arn(config: dict[str, Any]) -> str | None:
    for member in ("vectorKnowledgeBaseConfiguration", "managedKnowledgeBaseConfiguration"):
        found = (config.get(member) or {}).get("embeddingModelArn")
        if found:
            return str(found)
    return None


def _check_configuration(config: dict[str, Any]) -> None:
    if config.get("type") not in _TYPES:
        raise validation(
            f"knowledgeBaseConfiguration.type {config.get('type')!r}: Podium serves VECTOR "
            "(and MANAGED) knowledge bases"
        )
    if config["type"] == "VECTOR" and not config.get("vectorKnowledgeBaseConfiguration"):
        raise validation("a VECTOR knowledge base needs vectorKnowledgeBaseConfiguration")


def _aws_row(call: Call, kb_id: str) -> dict[str, Any] | None:
    t = schema.aws_knowledge_bases
    with call.backend.database.connect() as conn:
        row = conn.execute(sa.select(t).where(t.c.kb_id == kb_id)).mappings().first()
    return dict(row) if row is not None else None


def _podium_arn(model_id: str, region: str) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


def knowledge_base_dict(
    call: Call, info: KnowledgeBaseInfo, row: dict[str, Any] | None
) -> dict[str, Any]:
    """A ``KnowledgeBase`` output structure for a Podium KB (and its AWS record, if any)."""
    config = (row or {}).get("config") or {}
    kb_config = config.get("knowledgeBaseConfiguration") or {
        "type": "VECTOR",
        "vectorKnowledgeBaseConfiguration": {
            "embeddingModelArn": _podium_arn(info.embedding_model, call.region)
        },
    }
    return {
        "knowledgeBaseId": info.id,
        "name": info.name,
        "knowledgeBaseArn": kb_arn(call, info.id),
        "description": info.description or None,
        "roleArn": config.get("roleArn") or f"arn:aws:iam::{ACCOUNT_ID}:role/podium",
        "knowledgeBaseConfiguration": kb_config,
        "storageConfiguration": config.get("storageConfiguration"),
        "metadataConfigurations": config.get("metadataConfigurations"),
        "status": "ACTIVE",  # a Podium KB is ready as soon as it exists
        "createdAt": info.created_at,
        "updatedAt": max(info.updated_at, (row or {}).get("updated_at") or 0.0),
    }


def _models(info: KnowledgeBaseInfo, row: dict[str, Any] | None) -> dict[str, Any]:
    config = (row or {}).get("config") or {}
    return {
        "requestedEmbeddingModel": config.get("requestedEmbeddingModel") or info.embedding_model,
        "effectiveEmbeddingModel": info.embedding_model,
        "embeddingDimension": info.dimension,
    }


def _answer(call: Call, kb_id: str, status: str | None = None) -> Response:
    info = call.backend.knowledge.info(kb_id)
    row = _aws_row(call, kb_id)
    kb = knowledge_base_dict(call, info, row)
    if status:
        kb["status"] = status
    return respond(call, {"knowledgeBase": kb}, extra={"knowledgeBase": _models(info, row)})


@operation("bedrock-agent", "CreateKnowledgeBase")
def create_knowledge_base(call: Call, params: dict[str, Any]) -> Response:
    """Create a KB; the response says CREATING, every read after it ACTIVE (it is ready)."""
    config = params["knowledgeBaseConfiguration"]
    _check_configuration(config)
    requested = _requested_arn(config)
    effective = effective_embedding_model(call, requested)
    handle = call.backend.knowledge.create(
        params["name"], description=params.get("description") or "", embedding_model=effective
    )
    logger.info(
        "kb_id=<%s>, requested=<%s>, effective=<%s> | bedrock-agent knowledge base created",
        handle.id,
        requested,
        effective,
    )
    now = time.time()
    record = {
        "roleArn": params["roleArn"],
        "knowledgeBaseConfiguration": config,
        "storageConfiguration": params.get("storageConfiguration"),
        "tags": params.get("tags") or {},
        "requestedEmbeddingModel": requested,
    }
    with call.backend.database.begin() as conn:
        conn.execute(
            schema.aws_knowledge_bases.insert().values(
                kb_id=handle.id, config=record, created_at=now, updated_at=now
            )
        )
    return _answer(call, handle.id, status="CREATING")


@operation("bedrock-agent", "GetKnowledgeBase")
def get_knowledge_base(call: Call, params: dict[str, Any]) -> Response:
    """One KB (also one made with Podium's own API or CLI)."""
    kb = knowledge_base(call, params["knowledgeBaseId"])
    return _answer(call, kb.id)


@operation("bedrock-agent", "ListKnowledgeBases")
def list_knowledge_bases(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Every KB, by name, paginated."""
    infos = call.backend.knowledge.list()
    items, token = page(infos, params)
    rows: dict[str, Any] = {}
    if items:
        t = schema.aws_knowledge_bases
        with call.backend.database.connect() as conn:
            found = conn.execute(
                sa.select(t.c.kb_id, t.c.updated_at).where(t.c.kb_id.in_([i.id for i in items]))
            ).all()
        rows = {kb_id: updated for kb_id, updated in found}
    return {
        "knowledgeBaseSummaries": [
            {
                "knowledgeBaseId": i.id,
                "name": i.name,
                "description": i.description or None,
                "status": "ACTIVE",
                "updatedAt": max(i.updated_at, rows.get(i.id) or 0.0),
            }
            for i in items
        ],
        "nextToken": token or None,
    }


@operation("bedrock-agent", "UpdateKnowledgeBase")
def update_knowledge_base(call: Call, params: dict[str, Any]) -> Response:
    """Rename, re-describe, re-role; the embedding model and storage cannot change."""
    kb = knowledge_base(call, params["knowledgeBaseId"])
    config = params["knowledgeBaseConfiguration"]
    _check_configuration(config)
    row = _aws_row(call, kb.id)
    old = (row or {}).get("config") or {}
    requested = _requested_arn(config)
    if requested and effective_embedding_model(call, requested) != kb.info.embedding_model:
        raise validation(
            "the embedding model of a knowledge base cannot change "
            f"(it is {old.get('requestedEmbeddingModel') or kb.info.embedding_model})"
        )
    storage = params.get("storageConfiguration")
    if storage is not None and old.get("storageConfiguration") not in (None, storage):
        raise validation("the storage configuration of a knowledge base cannot change")
    call.backend.knowledge.update(
        kb.id, name=params["name"], description=params.get("description") or ""
    )
    record = {
        **old,
        "roleArn": params["roleArn"],
        "knowledgeBaseConfiguration": config,
        "storageConfiguration": storage or old.get("storageConfiguration"),
        "requestedEmbeddingModel": old.get("requestedEmbeddingModel") or requested,
    }
    if "metadataConfigurations" in params:
        record["metadataConfigurations"] = params["metadataConfigurations"]
    now = time.time()
    t = schema.aws_knowledge_bases
    with call.backend.database.begin() as conn:
        if row is None:
            conn.execute(
                t.insert().values(kb_id=kb.id, config=record, created_at=now, updated_at=now)
            )
        else:
            conn.execute(t.update().where(t.c.kb_id == kb.id).values(config=record, updated_at=now))
    return _answer(call, kb.id)


@operation("bedrock-agent", "DeleteKnowledgeBase")
def delete_knowledge_base(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Delete a KB with its documents, data sources and jobs (not while a job runs)."""
    from ._kb_jobs import running_jobs

    kb = knowledge_base(call, params["knowledgeBaseId"])
    if running_jobs(kb_id=kb.id):
        raise conflict(f"knowledge base {kb.id} has an ingestion job in progress; stop it first")
    call.backend.knowledge.delete(kb.id)
    return {"knowledgeBaseId": kb.id, "status": "DELETING"}
