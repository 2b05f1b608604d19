"""Reading S3 data sources through boto3, from any S3-compatible endpoint.

The client is made when an ingestion runs (never at import), so it takes the environment of that
moment: ``AWS_ENDPOINT_URL_S3`` (or ``AWS_ENDPOINT_URL``), ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` / ``AWS_PROFILE``, ``AWS_REGION``. Listing gives each object's ETag;
an object's version for incremental sync is its ETag and its sidecar's.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from podium.knowledge import (
    SIDECAR_SUFFIX,
    ParseError,
    ParseResult,
    SourceItem,
    parse_bytes,
    sidecar_metadata,
)

from ._kb_common import SOURCE_ID_KEY, SOURCE_URI_KEY, validation

if TYPE_CHECKING:
    from ._kb_sources import DataSource

__all__ = ["S3Reader", "split_s3_uri"]

#: The largest object Podium fetches for a document (Bedrock's limit is 50 MB).
MAX_OBJECT_BYTES = 50 * 1024 * 1024


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` → (bucket, key); ValidationException for anything else."""
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise validation(f"{uri!r} is not an s3://bucket/key URI")
    bucket, key = uri[5:].split("/", 1)
    if not bucket or not key:
        raise validation(f"{uri!r} is not an s3://bucket/key URI")
    return bucket, key


class S3Reader:
    """One S3 client for one ingestion (or one documents call)."""

    def __init__(self, region: str) -> None:
        import boto3  # lazy: the CLI starts without it

        session = boto3.session.Session()
        self.client: Any = session.client("s3", region_name=session.region_name or region)

    def fetch(self, bucket: str, key: str, owner: str | None = None) -> bytes:
        """An object's bytes (ParseError when it cannot be read or is too large)."""
        from botocore.exceptions import BotoCoreError, ClientError

        extra = {"ExpectedBucketOwner": owner} if owner else {}
        try:
            response = self.client.get_object(Bucket=bucket, Key=key, **extra)
            if int(response.get("ContentLength") or 0) > MAX_OBJECT_BYTES:
                raise ParseError(f"s3://{bucket}/{key} is larger than {MAX_OBJECT_BYTES} bytes")
            data: bytes = response["Body"].read()
        except ClientError as e:
            error = e.response.get("Error", {})
            raise ParseError(
                f"cannot read s3://{bucket}/{key}: {error.get('Code')}: {error.get('Message')}"
            ) from None
        except BotoCoreError as e:
            raise ParseError(f"cannot read s3://{bucket}/{key}: {e}") from None
        return data

    def parse(
        self,
        bucket: str,
        key: str,
        *,
        owner: str | None = None,
        uri: str | None = None,
    ) -> ParseResult:
        """Fetch and parse an object as documents named ``uri`` (default ``s3://bucket/key``)."""
        suffix = posixpath.splitext(key)[1]
        return parse_bytes(self.fetch(bucket, key, owner), suffix, uri or f"s3://{bucket}/{key}")

    def metadata(self, bucket: str, key: str, owner: str | None = None) -> dict[str, Any]:
        """The metadata of a ``.metadata.json`` object."""
        return sidecar_metadata(self.fetch(bucket, key, owner), f"s3://{bucket}/{key}")

    def objects(self, bucket: str, prefix: str, owner: str | None = None) -> dict[str, str]:
        """Key → ETag of every object under ``prefix`` (folder markers left out)."""
        extra = {"ExpectedBucketOwner": owner} if owner else {}
        out: dict[str, str] = {}
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix, **extra):
            for obj in page.get("Contents") or []:
                if not obj["Key"].endswith("/"):
                    out[obj["Key"]] = str(obj.get("ETag") or obj.get("LastModified"))
        return out

    def items(self, source: DataSource) -> Iterator[SourceItem]:
        """The source's objects as sync items (sidecars attached, never items themselves)."""
        owner = source.bucket_owner
        listed: dict[str, str] = {}
        for prefix in source.prefixes:
            listed.update(self.objects(source.bucket, prefix, owner))
        for key in sorted(listed):
            if key.endswith(SIDECAR_SUFFIX):
                continue
            sidecar = key + SIDECAR_SUFFIX
            sidecar_etag = listed.get(sidecar)
            yield SourceItem(
                uri=f"s3://{source.bucket}/{key}",
                version=f"{listed[key]}|{sidecar_etag or ''}",
                load=self._loader(source, key, sidecar if sidecar_etag else None),
                has_sidecar=sidecar_etag is not None,
            )

    def _loader(self, source: DataSource, key: str, sidecar: str | None) -> Any:
        def load() -> ParseResult:
            owner = source.bucket_owner
            extra = self.metadata(source.bucket, sidecar, owner) if sidecar else {}
            result = self.parse(source.bucket, key, owner=owner)
            uri = f"s3://{source.bucket}/{key}"
            for doc in result.documents:
                doc.metadata = {
                    **doc.metadata,
                    **extra,
                    SOURCE_URI_KEY: uri,
                    SOURCE_ID_KEY: source.id,
                }
            return result

        return load
