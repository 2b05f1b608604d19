"""``bedrock-agent`` data sources: create, get, list, update, delete.

Three types are served:

- ``S3``: ``s3Configuration`` (``bucketArn``, ``inclusionPrefixes``, ``bucketOwnerAccountId``),
  read through boto3 from whatever S3 endpoint the server's environment names
  (``AWS_ENDPOINT_URL_S3``, ``AWS_*`` credentials): AWS S3, MinIO, Ceph, moto.
- a **local folder**: type ``WEB`` whose ``seedUrls`` are ``file://`` URLs of folders under
  ``aws_local_source_roots`` (default ``PODIUM_HOME/sources``); the crawler's
  ``inclusionFilters`` / ``exclusionFilters`` are regular expressions searched in each file's
  ``file://`` URI, as Bedrock's web crawler does with URLs. http(s) seeds are refused.
- ``CUSTOM``: documents pushed with IngestKnowledgeBaseDocuments.

A data source is a row of Podium's ``data_sources`` (its Bedrock fields in ``config.bedrock``);
its ``chunkingConfiguration`` maps onto Podium's chunkers (:func:`chunking_config`) and is fixed
for its life, as in Bedrock.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import sqlalchemy as sa

from podium.knowledge import ChunkingConfig
from podium.storage import schema

from ._kb_common import conflict, knowledge_base, not_found, page, validation
from ._registry import Call, operation

if TYPE_CHECKING:
    from podium.knowledge import KnowledgeBase

__all__ = ["DataSource", "chunking_config", "data_source", "data_source_dict"]

_SUPPORTED = ("S3", "WEB", "CUSTOM")
_BUCKET_ARN = re.compile(r"arn:aws(?:-cn|-us-gov)?:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\Z")


def chunking_config(vector_ingestion: dict[str, Any] | None) -> ChunkingConfig:
    """Podium's chunking for a ``vectorIngestionConfiguration`` (Bedrock's five choices).

    No configuration is Bedrock's default (about 300 tokens, 20 % overlap: FIXED_SIZE 300/20);
    FIXED_SIZE → ``fixed_size`` (maxTokens, overlapPercentage); NONE → ``none`` (a document is
    one chunk); HIERARCHICAL → ``hierarchical`` (parent and child maxTokens, overlapTokens);
    SEMANTIC → ``semantic`` (maxTokens, bufferSize, breakpointPercentileThreshold).
    """
    chunking = (vector_ingestion or {}).get("chunkingConfiguration")
    if not chunking:
        return ChunkingConfig(strategy="fixed_size", max_tokens=300, overlap_percentage=20)
    strategy = chunking["chunkingStrategy"]
    if strategy == "FIXED_SIZE":
        fixed = chunking.get("fixedSizeChunkingConfiguration")
        if not fixed:
            raise validation("FIXED_SIZE chunking needs fixedSizeChunkingConfiguration")
        return ChunkingConfig.parse(
            {
                "strategy": "fixed_size",
                "max_tokens": fixed["maxTokens"],
                "overlap_percentage": fixed["overlapPercentage"],
            }
        )
    if strategy == "NONE":
        return ChunkingConfig(strategy="none")
    if strategy == "HIERARCHICAL":
        levels = chunking.get("hierarchicalChunkingConfiguration")
        if not levels:
            raise validation("HIERARCHICAL chunking needs hierarchicalChunkingConfiguration")
        parent, child = (level["maxTokens"] for level in levels["levelConfigurations"])
        return ChunkingConfig.parse(
            {
                "strategy": "hierarchical",
                "parent_max_tokens": parent,
                "child_max_tokens": child,
                "overlap_tokens": levels["overlapTokens"],
            }
        )
    semantic = chunking.get("semanticChunkingConfiguration")
    if not semantic:
        raise validation("SEMANTIC chunking needs semanticChunkingConfiguration")
    return ChunkingConfig.parse(
        {
            "strategy": "semantic",
            "semantic_max_tokens": semantic["maxTokens"],
            "buffer_size": semantic["bufferSize"],
            "breakpoint_percentile_threshold": semantic["breakpointPercentileThreshold"],
        }
    )


@dataclass(kw_only=True)
class DataSource:
    """A bedrock-agent data source (one ``data_sources`` row)."""

    id: str
    kb_id: str
    name: str
    created_at: float
    bedrock: dict[str, Any]

    @property
    def type(self) -> str:
        """S3, WEB (a local folder) or CUSTOM."""
        return str(self.bedrock["dataSourceConfiguration"]["type"])

    @property
    def chunking(self) -> ChunkingConfig:
        """Its chunking (fixed at creation)."""
        return chunking_config(self.bedrock.get("vectorIngestionConfiguration"))

    @property
    def bucket(self) -> str:
        """The S3 bucket name."""
        arn = self.bedrock["dataSourceConfiguration"]["s3Configuration"]["bucketArn"]
        match = _BUCKET_ARN.match(arn)
        assert match is not None  # checked at creation
        return match.group(1)

    @property
    def prefixes(self) -> list[str]:
        """The S3 inclusion prefixes (one at most; none means the whole bucket)."""
        s3 = self.bedrock["dataSourceConfiguration"]["s3Configuration"]
        return list(s3.get("inclusionPrefixes") or [""])

    @property
    def bucket_owner(self) -> str | None:
        """The expected bucket owner account, if given."""
        return self.bedrock["dataSourceConfiguration"]["s3Configuration"].get(
            "bucketOwnerAccountId"
        )

    @property
    def folders(self) -> list[Path]:
        """The local folders of a WEB (``file://``) data source."""
        web = self.bedrock["dataSourceConfiguration"]["webConfiguration"]
        seeds = web["sourceConfiguration"]["urlConfiguration"].get("seedUrls") or []
        return [_file_path(seed.get("url") or "") for seed in seeds]

    def keep(self, uri: str) -> bool:
        """Whether the crawler filters of a local-folder source keep the file ``uri``."""
        crawler = (
            self.bedrock["dataSourceConfiguration"]["webConfiguration"].get("crawlerConfiguration")
            or {}
        )
        include = crawler.get("inclusionFilters") or []
        exclude = crawler.get("exclusionFilters") or []
        if include and not any(re.search(p, uri) for p in include):
            return False
        return not any(re.search(p, uri) for p in exclude)


def _file_path(url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise validation(
            f"seed URL {url!r}: Podium crawls local folders only, as file:///absolute/path URLs"
        )
    return Path(unquote(parsed.path))


def _check_folder(call: Call, path: Path) -> None:
    roots = [Path(r) for r in call.settings.aws_local_source_roots] or [
        call.settings.home / "sources"
    ]
    resolved = path.resolve()
    if not any(resolved.is_relative_to(root.resolve()) for root in roots):
        raise validation(
            f"folder {path} is outside the folders local data sources may read "
            "(PODIUM_AWS_LOCAL_SOURCE_ROOTS)"
        )
    if not resolved.is_dir():
        raise validation(f"folder {path} does not exist or is not a folder")


def _check_configuration(call: Call, config: dict[str, Any]) -> None:
    kind = config["type"]
    if kind not in _SUPPORTED:
        raise validation(
            f"data source type {kind}: Podium serves S3, WEB (file:// local folders) and CUSTOM"
        )
    if kind == "S3":
        s3 = config.get("s3Configuration")
        if not s3:
            raise validation("an S3 data source needs s3Configuration")
        if not _BUCKET_ARN.match(s3["bucketArn"]):
            raise validation(f"bucketArn {s3['bucketArn']!r} is not an S3 bucket ARN")
    elif kind == "WEB":
        web = config.get("webConfiguration")
        seeds = (web or {}).get("sourceConfiguration", {}).get("urlConfiguration", {})
        if not seeds.get("seedUrls"):
            raise validation("a WEB (local folder) data source needs seedUrls")
        for seed in seeds["seedUrls"]:
            _check_folder(call, _file_path(seed.get("url") or ""))
        crawler = (web or {}).get("crawlerConfiguration") or {}
        for pattern in (crawler.get("inclusionFilters") or []) + (
            crawler.get("exclusionFilters") or []
        ):
            try:
                re.compile(pattern)
            except re.error as e:
                raise validation(f"filter {pattern!r} is not a regular expression: {e}") from None


def _from_row(row: Any) -> DataSource:
    return DataSource(
        id=row["id"],
        kb_id=row["kb_id"],
        name=row["name"],
        created_at=row["created_at"],
        bedrock=row["config"]["bedrock"],
    )


def _rows(call: Call, kb_id: str) -> list[DataSource]:
    t = schema.data_sources
    with call.backend.database.connect() as conn:
        rows = conn.execute(
            sa.select(t).where(t.c.kb_id == kb_id).order_by(t.c.created_at, t.c.id)
        ).mappings()
        return [
            _from_row(r) for r in rows if isinstance(r["config"], dict) and "bedrock" in r["config"]
        ]


def data_source(call: Call, kb_id: str, data_source_id: str) -> tuple[KnowledgeBase, DataSource]:
    """The KB and one of its bedrock-agent data sources (ResourceNotFoundException otherwise)."""
    kb = knowledge_base(call, kb_id)
    t = schema.data_sources
    with call.backend.database.connect() as conn:
        row = (
            conn.execute(sa.select(t).where(t.c.kb_id == kb.id, t.c.id == data_source_id))
            .mappings()
            .first()
        )
    if row is None or not isinstance(row["config"], dict) or "bedrock" not in row["config"]:
        raise not_found(f"data source {data_source_id} not found in knowledge base {kb.id}")
    return kb, _from_row(row)


def data_source_dict(source: DataSource) -> dict[str, Any]:
    """A ``DataSource`` output structure."""
    b = source.bedrock
    return {
        "knowledgeBaseId": source.kb_id,
        "dataSourceId": source.id,
        "name": source.name,
        "status": "AVAILABLE",
        "description": b.get("description"),
        "dataSourceConfiguration": b["dataSourceConfiguration"],
        "serverSideEncryptionConfiguration": b.get("serverSideEncryptionConfiguration"),
        "vectorIngestionConfiguration": b.get("vectorIngestionConfiguration"),
        "dataDeletionPolicy": b.get("dataDeletionPolicy") or "DELETE",
        "createdAt": source.created_at,
        "updatedAt": b.get("updatedAt") or source.created_at,
    }


def _bedrock_fields(params: dict[str, Any], now: float) -> dict[str, Any]:
    return {
        "description": params.get("description"),
        "dataSourceConfiguration": params["dataSourceConfiguration"],
        "vectorIngestionConfiguration": params.get("vectorIngestionConfiguration"),
        "dataDeletionPolicy": params.get("dataDeletionPolicy") or "DELETE",
        "serverSideEncryptionConfiguration": params.get("serverSideEncryptionConfiguration"),
        "updatedAt": now,
    }


@operation("bedrock-agent", "CreateDataSource")
def create_data_source(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Add a data source to a KB (names are unique within the KB)."""
    from podium.knowledge._models import new_resource_id

    kb = knowledge_base(call, params["knowledgeBaseId"])
    _check_configuration(call, params["dataSourceConfiguration"])
    chunking_config(params.get("vectorIngestionConfiguration"))  # ValidationException if bad
    if any(s.name == params["name"] for s in _rows(call, kb.id)):
        raise conflict(f"data source {params['name']!r} already exists in knowledge base {kb.id}")
    now = time.time()
    source_id = new_resource_id()
    with call.backend.database.begin() as conn:
        conn.execute(
            schema.data_sources.insert().values(
                id=source_id,
                kb_id=kb.id,
                name=params["name"],
                config={"bedrock": _bedrock_fields(params, now)},
                created_at=now,
            )
        )
    return {"dataSource": data_source_dict(data_source(call, kb.id, source_id)[1])}


@operation("bedrock-agent", "GetDataSource")
def get_data_source(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """One data source."""
    _, source = data_source(call, params["knowledgeBaseId"], params["dataSourceId"])
    return {"dataSource": data_source_dict(source)}


@operation("bedrock-agent", "ListDataSources")
def list_data_sources(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """The KB's data sources, oldest first, paginated."""
    kb = knowledge_base(call, params["knowledgeBaseId"])
    items, token = page(_rows(call, kb.id), params)
    return {
        "dataSourceSummaries": [
            {
                "knowledgeBaseId": s.kb_id,
                "dataSourceId": s.id,
                "name": s.name,
                "status": "AVAILABLE",
                "description": s.bedrock.get("description"),
                "updatedAt": s.bedrock.get("updatedAt") or s.created_at,
            }
            for s in items
        ],
        "nextToken": token or None,
    }


@operation("bedrock-agent", "UpdateDataSource")
def update_data_source(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Change name, description, configuration or deletion policy; chunking stays fixed."""
    kb, source = data_source(call, params["knowledgeBaseId"], params["dataSourceId"])
    config = params["dataSourceConfiguration"]
    if config["type"] != source.type:
        raise validation(f"the type of a data source cannot change (it is {source.type})")
    _check_configuration(call, config)
    if (
        "vectorIngestionConfiguration" in params
        and chunking_config(params["vectorIngestionConfiguration"]) != source.chunking
    ):
        raise validation("the chunking configuration of a data source cannot change")
    if params["name"] != source.name and any(s.name == params["name"] for s in _rows(call, kb.id)):
        raise conflict(f"data source {params['name']!r} already exists in knowledge base {kb.id}")
    fields = _bedrock_fields(params, time.time())
    fields["vectorIngestionConfiguration"] = source.bedrock.get("vectorIngestionConfiguration")
    t = schema.data_sources
    with call.backend.database.begin() as conn:
        conn.execute(
            t.update()
            .where(t.c.id == source.id)
            .values(name=params["name"], config={"bedrock": fields})
        )
    return {"dataSource": data_source_dict(data_source(call, kb.id, source.id)[1])}


@operation("bedrock-agent", "DeleteDataSource")
def delete_data_source(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Delete a data source; its documents go too (policy DELETE) or stay (RETAIN)."""
    from ._kb_jobs import running_jobs

    kb, source = data_source(call, params["knowledgeBaseId"], params["dataSourceId"])
    if running_jobs(source_id=source.id):
        raise conflict(f"data source {source.id} has an ingestion job in progress; stop it first")
    docs = schema.documents
    if (source.bedrock.get("dataDeletionPolicy") or "DELETE") == "DELETE":
        with call.backend.database.connect() as conn:
            uris = list(
                conn.execute(sa.select(docs.c.uri).where(docs.c.source_id == source.id)).scalars()
            )
        kb.delete_documents(uris)
    else:
        with call.backend.database.begin() as conn:
            conn.execute(docs.update().where(docs.c.source_id == source.id).values(source_id=None))
    with call.backend.database.begin() as conn:
        conn.execute(schema.data_sources.delete().where(schema.data_sources.c.id == source.id))
    return {"knowledgeBaseId": kb.id, "dataSourceId": source.id, "status": "DELETING"}
