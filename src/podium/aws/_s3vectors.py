"""``s3vectors``: vector buckets, indexes and vectors, with real search (:mod:`podium.vectors`).

Buckets and indexes are addressed by name or by ARN, exactly one way per call, as the service
model's input members allow: ``vectorBucketName`` or ``vectorBucketArn``; ``vectorBucketName``
plus ``indexName``, or ``indexArn``. Errors carry S3 Vectors' own codes (``NotFoundException``,
``ConflictException``, ``ServiceQuotaExceededException``, ``ValidationException``), not the
Bedrock ones the frame maps Podium's errors to.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from podium.errors import Conflict, InvalidInput, NotFound, PodiumError
from podium.vectors import (
    LIMITS,
    Index,
    QuotaExceeded,
    StoredVector,
    VectorBucket,
    VectorStore,
    check_metadata,
    to_float32,
)

from ._errors import AwsError, from_podium_error
from ._registry import Call, operation

if TYPE_CHECKING:
    from podium.storage import Database

__all__: list[str] = []

_SERVICE = "s3vectors"
_NAME = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
_BUCKET_ARN = re.compile(rf"arn:aws[-a-z0-9]*:s3vectors:[a-z0-9-]+:[0-9]{{12}}:bucket/({_NAME})")
_INDEX_ARN = re.compile(
    rf"arn:aws[-a-z0-9]*:s3vectors:[a-z0-9-]+:[0-9]{{12}}:bucket/({_NAME})/index/({_NAME})"
)

_stores: weakref.WeakKeyDictionary[Database, VectorStore] = weakref.WeakKeyDictionary()
_stores_lock = threading.Lock()


def _store(call: Call) -> VectorStore:
    """The vector store over this server's database (one per database: it holds the cache)."""
    db = call.backend.database
    with _stores_lock:
        store = _stores.get(db)
        if store is None:
            store = _stores[db] = VectorStore(db)
        return store


def _invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def _aws_error(error: PodiumError) -> AwsError:
    """Podium's errors as S3 Vectors' modelled exceptions."""
    if isinstance(error, NotFound):
        return AwsError("NotFoundException", error.message, 404)
    if isinstance(error, Conflict):
        return AwsError("ConflictException", error.message, 409)
    if isinstance(error, QuotaExceeded):
        return AwsError("ServiceQuotaExceededException", error.message, 402)
    if isinstance(error, InvalidInput):
        return _invalid(error.message)
    return from_podium_error(error)


Handler = Callable[[Call, dict[str, Any]], dict[str, Any]]


def _operation(name: str) -> Callable[[Handler], Handler]:
    """Register an s3vectors handler whose Podium errors answer with S3 Vectors' codes."""

    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(call: Call, params: dict[str, Any]) -> dict[str, Any]:
            try:
                return handler(call, params)
            except PodiumError as e:
                raise _aws_error(e) from None

        operation(_SERVICE, name)(run)
        return run

    return register


# ------------------------------------------------------------------------------ addressing


def _bucket_name(params: dict[str, Any]) -> str:
    """The bucket a call names, by ``vectorBucketName`` or ``vectorBucketArn`` (one of them)."""
    name, arn = params.get("vectorBucketName"), params.get("vectorBucketArn")
    if (name is None) == (arn is None):
        raise _invalid("Specify exactly one of vectorBucketName and vectorBucketArn")
    if arn is not None:
        m = _BUCKET_ARN.fullmatch(arn)
        if m is None:
            raise _invalid(f"Invalid vectorBucketArn {arn!r}")
        return m.group(1)
    return str(name)


def _index_address(params: dict[str, Any]) -> tuple[str, str]:
    """(bucket, index) a call names: ``vectorBucketName`` + ``indexName``, or ``indexArn``."""
    arn = params.get("indexArn")
    if arn is not None:
        if params.get("vectorBucketName") is not None or params.get("indexName") is not None:
            raise _invalid("Specify either indexArn, or vectorBucketName and indexName, not both")
        m = _INDEX_ARN.fullmatch(arn)
        if m is None:
            raise _invalid(f"Invalid indexArn {arn!r}")
        return m.group(1), m.group(2)
    bucket, index = params.get("vectorBucketName"), params.get("indexName")
    if bucket is None or index is None:
        raise _invalid("Specify indexArn, or both vectorBucketName and indexName")
    return str(bucket), str(index)


def _index(call: Call, params: dict[str, Any]) -> Index:
    return _store(call).get_index(*_index_address(params))


def _bucket_arn(call: Call, bucket: str) -> str:
    return call.arn(_SERVICE, f"bucket/{bucket}")


def _index_arn(call: Call, bucket: str, index: str) -> str:
    return call.arn(_SERVICE, f"bucket/{bucket}/index/{index}")


# ------------------------------------------------------------------------------ pagination


def _page_token(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def _after(params: dict[str, Any]) -> str | None:
    token = params.get("nextToken")
    if token is None:
        return None
    try:
        after = json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _invalid("Invalid nextToken") from None
    if not isinstance(after, str):
        raise _invalid("Invalid nextToken")
    return after


def _page(result: dict[str, Any], more: bool, last: str | None) -> dict[str, Any]:
    if more and last is not None:
        result["nextToken"] = _page_token(last)
    return result


# ------------------------------------------------------------------------------ shapes


def _encryption(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """An ``EncryptionConfiguration`` checked as S3 Vectors does (KMS needs a key, AES256 none)."""
    if config is None:
        return None
    sse = config.get("sseType", "AES256")
    if sse == "aws:kms" and not config.get("kmsKeyArn"):
        raise _invalid("encryptionConfiguration: sseType aws:kms requires kmsKeyArn")
    if sse == "AES256" and config.get("kmsKeyArn"):
        raise _invalid("encryptionConfiguration: kmsKeyArn is only allowed with sseType aws:kms")
    return {"sseType": sse, **({"kmsKeyArn": config["kmsKeyArn"]} if sse == "aws:kms" else {})}


def _bucket_summary(call: Call, bucket: VectorBucket) -> dict[str, Any]:
    return {
        "vectorBucketName": bucket.name,
        "vectorBucketArn": _bucket_arn(call, bucket.name),
        "creationTime": bucket.created_at,
    }


def _index_summary(call: Call, index: Index) -> dict[str, Any]:
    return {
        "vectorBucketName": index.bucket_name,
        "indexName": index.name,
        "indexArn": _index_arn(call, index.bucket_name, index.name),
        "creationTime": index.created_at,
    }


def _vector_out(vector: StoredVector, *, data: bool, metadata: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"key": vector.key}
    if data:
        out["data"] = {"float32": vector.data.astype(float).tolist()}
    if metadata and vector.metadata is not None:
        out["metadata"] = vector.metadata
    return out


# ------------------------------------------------------------------------------ buckets


@_operation("CreateVectorBucket")
def create_vector_bucket(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """A new vector bucket (tags are accepted and not kept)."""
    bucket = _store(call).create_bucket(
        params["vectorBucketName"], encryption=_encryption(params.get("encryptionConfiguration"))
    )
    return {"vectorBucketArn": _bucket_arn(call, bucket.name)}


@_operation("GetVectorBucket")
def get_vector_bucket(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """One vector bucket."""
    bucket = _store(call).get_bucket(_bucket_name(params))
    return {
        "vectorBucket": {
            **_bucket_summary(call, bucket),
            "encryptionConfiguration": bucket.encryption,
        }
    }


@_operation("ListVectorBuckets")
def list_vector_buckets(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Vector buckets by name, one page (``prefix``, ``maxResults``, ``nextToken``)."""
    buckets, more = _store(call).list_buckets(
        prefix=params.get("prefix"),
        after=_after(params),
        limit=params.get("maxResults", LIMITS.list_page),
    )
    result = {"vectorBuckets": [_bucket_summary(call, b) for b in buckets]}
    return _page(result, more, buckets[-1].name if buckets else None)


@_operation("DeleteVectorBucket")
def delete_vector_bucket(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Delete an empty vector bucket (ConflictException while it has indexes)."""
    _store(call).delete_bucket(_bucket_name(params))
    return {}


# ------------------------------------------------------------------------------ indexes


@_operation("CreateIndex")
def create_index(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """A new vector index in a bucket."""
    bucket = _bucket_name(params)
    config = params.get("metadataConfiguration") or {}
    if config.get("textSearchConfigurations"):
        raise _invalid("metadataConfiguration.textSearchConfigurations: Podium has no text search")
    index = _store(call).create_index(
        bucket,
        params["indexName"],
        dimension=params["dimension"],
        distance_metric=params["distanceMetric"],
        data_type=params["dataType"],
        non_filterable_keys=config.get("nonFilterableMetadataKeys", ()),
        encryption=_encryption(params.get("encryptionConfiguration")),
    )
    return {"indexArn": _index_arn(call, index.bucket_name, index.name)}


@_operation("GetIndex")
def get_index(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """One vector index with its configuration."""
    index = _index(call, params)
    out = {
        **_index_summary(call, index),
        "dataType": index.data_type,
        "dimension": index.dimension,
        "distanceMetric": index.distance_metric,
        "encryptionConfiguration": index.encryption,
    }
    if index.non_filterable_keys:
        out["metadataConfiguration"] = {
            "nonFilterableMetadataKeys": list(index.non_filterable_keys)
        }
    return {"index": out}


@_operation("ListIndexes")
def list_indexes(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """A bucket's indexes by name, one page (``prefix``, ``maxResults``, ``nextToken``)."""
    indexes, more = _store(call).list_indexes(
        _bucket_name(params),
        prefix=params.get("prefix"),
        after=_after(params),
        limit=params.get("maxResults", LIMITS.list_page),
    )
    result = {"indexes": [_index_summary(call, i) for i in indexes]}
    return _page(result, more, indexes[-1].name if indexes else None)


@_operation("DeleteIndex")
def delete_index(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Delete a vector index and its vectors."""
    _store(call).delete_index(*_index_address(params))
    return {}


# ------------------------------------------------------------------------------ vectors


def _float32(data: dict[str, Any], index: Index, where: str) -> Any:
    values = data.get("float32")
    if values is None:
        raise _invalid(f"Invalid vector at {where}: data.float32 is required")
    return to_float32(values, index, where)


@_operation("PutVectors")
def put_vectors(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Insert or replace up to 500 vectors (key, float32 data, metadata)."""
    index = _index(call, params)
    rows = []
    for i, vector in enumerate(params["vectors"]):
        where = f"vectors[{i}]"
        rows.append(
            (
                vector["key"],
                _float32(vector["data"], index, f"{where}.data"),
                check_metadata(vector.get("metadata"), index.non_filterable_keys, where),
            )
        )
    _store(call).put_vectors(index, rows)
    return {}


@_operation("GetVectors")
def get_vectors(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """The vectors with these keys that exist (up to 100 keys)."""
    index = _index(call, params)
    data, metadata = bool(params.get("returnData")), bool(params.get("returnMetadata"))
    found = _store(call).get_vectors(index, params["keys"], data=data, metadata=metadata)
    return {"vectors": [_vector_out(v, data=data, metadata=metadata) for v in found]}


@_operation("DeleteVectors")
def delete_vectors(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Delete vectors by key (up to 500; keys that do not exist are ignored)."""
    _store(call).delete_vectors(_index(call, params), params["keys"])
    return {}


@_operation("ListVectors")
def list_vectors(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """An index's vectors by key, one page; ``segmentCount``/``segmentIndex`` split the keys."""
    index = _index(call, params)
    count, position = params.get("segmentCount"), params.get("segmentIndex")
    segment: tuple[int, int] | None = None
    if count is not None and position is not None:
        if position >= count:
            raise _invalid(f"segmentIndex {position} must be below segmentCount {count}")
        segment = (position, count)
    elif count is not None or position is not None:
        raise _invalid("segmentCount and segmentIndex go together")
    data, metadata = bool(params.get("returnData")), bool(params.get("returnMetadata"))
    vectors, more = _store(call).list_vectors(
        index,
        after=_after(params),
        limit=params.get("maxResults", LIMITS.list_page),
        segment=segment,
        data=data,
        metadata=metadata,
    )
    result = {"vectors": [_vector_out(v, data=data, metadata=metadata) for v in vectors]}
    return _page(result, more, vectors[-1].key if vectors else None)


@_operation("QueryVectors")
def query_vectors(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """The topK nearest vectors to ``queryVector`` that match ``filter``, nearest first."""
    if params.get("queryTexts"):
        raise _invalid("queryTexts: Podium's S3 Vectors has no text search; send a queryVector")
    if params.get("nextToken") is not None:
        raise _invalid("Invalid nextToken: QueryVectors returns every result in one page")
    if params.get("queryVector") is None:
        raise _invalid("queryVector is required")
    top_k = params["topK"]
    if top_k > LIMITS.top_k:
        raise _invalid(f"topK {top_k} is above the maximum {LIMITS.top_k}")
    index = _index(call, params)
    query = _float32(params["queryVector"], index, "queryVector")
    metadata, distance = bool(params.get("returnMetadata")), bool(params.get("returnDistance"))
    hits = _store(call).query(index, query, top_k, filter=params.get("filter"), metadata=metadata)
    vectors = []
    for vector, dist in hits:
        out = _vector_out(vector, data=False, metadata=metadata)
        if distance:
            out["distance"] = dist
        vectors.append(out)
    return {"vectors": vectors, "distanceMetric": index.distance_metric}
