"""``s3vectors`` through real boto3 clients against a live server: buckets, indexes, vectors,
exact search checked against numpy, every filter operator, pagination and modelled errors."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from botocore.config import Config

from fixtures.aws import AwsServer

_names = itertools.count()


def _name(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


@pytest.fixture(scope="module")
def s3v(aws: AwsServer) -> Any:
    return aws.client("s3vectors")


def _index(s3v: Any, dimension: int, metric: str, **kwargs: Any) -> tuple[str, str]:
    bucket = _name("vb")
    s3v.create_vector_bucket(vectorBucketName=bucket)
    index = _name("ix")
    s3v.create_index(
        vectorBucketName=bucket,
        indexName=index,
        dataType="float32",
        dimension=dimension,
        distanceMetric=metric,
        **kwargs,
    )
    return bucket, index


def _put(s3v: Any, bucket: str, index: str, vectors: list[dict[str, Any]]) -> None:
    for start in range(0, len(vectors), 500):
        s3v.put_vectors(
            vectorBucketName=bucket, indexName=index, vectors=vectors[start : start + 500]
        )


# ---------------------------------------------------------------------------------- buckets


def test_vector_bucket_lifecycle(s3v: Any) -> None:
    name = _name("life")
    arn = s3v.create_vector_bucket(vectorBucketName=name)["vectorBucketArn"]
    assert arn == f"arn:aws:s3vectors:us-east-1:000000000000:bucket/{name}"

    by_name = s3v.get_vector_bucket(vectorBucketName=name)["vectorBucket"]
    by_arn = s3v.get_vector_bucket(vectorBucketArn=arn)["vectorBucket"]
    assert by_name == by_arn
    assert by_name["vectorBucketName"] == name and by_name["vectorBucketArn"] == arn
    assert by_name["encryptionConfiguration"] == {"sseType": "AES256"}
    assert by_name["creationTime"].year >= 2025

    with pytest.raises(s3v.exceptions.ConflictException):
        s3v.create_vector_bucket(vectorBucketName=name)

    s3v.create_index(
        vectorBucketName=name, indexName="only", dataType="float32", dimension=2,
        distanceMetric="cosine",
    )  # fmt: skip
    with pytest.raises(s3v.exceptions.ConflictException):
        s3v.delete_vector_bucket(vectorBucketName=name)
    s3v.delete_index(vectorBucketName=name, indexName="only")

    s3v.delete_vector_bucket(vectorBucketArn=arn)
    with pytest.raises(s3v.exceptions.NotFoundException):
        s3v.get_vector_bucket(vectorBucketName=name)
    with pytest.raises(s3v.exceptions.NotFoundException):
        s3v.delete_vector_bucket(vectorBucketName=name)


def test_kms_encryption_is_kept_and_checked(s3v: Any) -> None:
    name = _name("kms")
    key = "arn:aws:kms:us-east-1:000000000000:key/abc"
    s3v.create_vector_bucket(
        vectorBucketName=name,
        encryptionConfiguration={"sseType": "aws:kms", "kmsKeyArn": key},
    )
    got = s3v.get_vector_bucket(vectorBucketName=name)["vectorBucket"]
    assert got["encryptionConfiguration"] == {"sseType": "aws:kms", "kmsKeyArn": key}
    s3v.create_index(
        vectorBucketName=name, indexName="inherits", dataType="float32", dimension=3,
        distanceMetric="euclidean",
    )  # fmt: skip
    index = s3v.get_index(vectorBucketName=name, indexName="inherits")["index"]
    assert index["encryptionConfiguration"]["sseType"] == "aws:kms"
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.create_vector_bucket(
            vectorBucketName=_name("kms"), encryptionConfiguration={"sseType": "aws:kms"}
        )


def test_list_vector_buckets_pages_and_prefix(s3v: Any) -> None:
    names = sorted(f"page-{i:02d}" for i in range(5))
    for name in names:
        s3v.create_vector_bucket(vectorBucketName=name)
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"nextToken": token} if token else {}
        out = s3v.list_vector_buckets(prefix="page-", maxResults=2, **kwargs)
        seen += [b["vectorBucketName"] for b in out["vectorBuckets"]]
        pages += 1
        token = out.get("nextToken")
        if token is None:
            break
    assert seen == names and pages == 3
    everything = s3v.list_vector_buckets()["vectorBuckets"]
    assert set(names) <= {b["vectorBucketName"] for b in everything}
    assert all(b["vectorBucketArn"].endswith(b["vectorBucketName"]) for b in everything)
    paginated = s3v.get_paginator("list_vector_buckets").paginate(
        prefix="page-", PaginationConfig={"PageSize": 2}
    )
    assert [b["vectorBucketName"] for p in paginated for b in p["vectorBuckets"]] == names


def test_bucket_names_and_addressing_are_validated(s3v: Any) -> None:
    for bad in ("Upper-Case", "under_score", "-starts-with-hyphen", "ends-"):
        with pytest.raises(s3v.exceptions.ValidationException):
            s3v.create_vector_bucket(vectorBucketName=bad)
    name = _name("addr")
    arn = s3v.create_vector_bucket(vectorBucketName=name)["vectorBucketArn"]
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.get_vector_bucket(vectorBucketName=name, vectorBucketArn=arn)
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.get_vector_bucket()
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.get_vector_bucket(vectorBucketArn="arn:aws:s3:::not-a-vector-bucket")
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.list_vector_buckets(nextToken="not-a-token")


# ---------------------------------------------------------------------------------- indexes


def test_index_lifecycle(s3v: Any) -> None:
    bucket = _name("ixlife")
    bucket_arn = s3v.create_vector_bucket(vectorBucketName=bucket)["vectorBucketArn"]
    arn = s3v.create_index(
        vectorBucketArn=bucket_arn,
        indexName="docs.v1",
        dataType="float32",
        dimension=16,
        distanceMetric="cosine",
        metadataConfiguration={"nonFilterableMetadataKeys": ["text", "source"]},
    )["indexArn"]
    assert arn == f"{bucket_arn}/index/docs.v1"
    by_name = s3v.get_index(vectorBucketName=bucket, indexName="docs.v1")["index"]
    by_arn = s3v.get_index(indexArn=arn)["index"]
    assert by_name == by_arn
    assert {k: by_name[k] for k in ("indexName", "indexArn", "vectorBucketName")} == {
        "indexName": "docs.v1",
        "indexArn": arn,
        "vectorBucketName": bucket,
    }
    assert (by_name["dataType"], by_name["dimension"], by_name["distanceMetric"]) == (
        "float32",
        16,
        "cosine",
    )
    assert by_name["metadataConfiguration"] == {"nonFilterableMetadataKeys": ["text", "source"]}

    with pytest.raises(s3v.exceptions.ConflictException):
        s3v.create_index(
            vectorBucketName=bucket, indexName="docs.v1", dataType="float32", dimension=4,
            distanceMetric="euclidean",
        )  # fmt: skip
    with pytest.raises(s3v.exceptions.NotFoundException):
        s3v.create_index(
            vectorBucketName=_name("missing"), indexName="x-1", dataType="float32",
            dimension=4, distanceMetric="euclidean",
        )  # fmt: skip
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.get_index(indexArn=arn, indexName="docs.v1")

    s3v.delete_index(indexArn=arn)
    with pytest.raises(s3v.exceptions.NotFoundException):
        s3v.get_index(indexArn=arn)
    with pytest.raises(s3v.exceptions.NotFoundException):
        s3v.delete_index(vectorBucketName=bucket, indexName="docs.v1")
    with pytest.raises(s3v.exceptions.NotFoundException):
        s3v.list_indexes(vectorBucketName=_name("missing"))


def test_index_parameters_are_validated(s3v: Any) -> None:
    bucket = _name("ixbad")
    s3v.create_vector_bucket(vectorBucketName=bucket)
    base = {"vectorBucketName": bucket, "dataType": "float32", "distanceMetric": "cosine"}
    for bad in (
        {"indexName": "Bad_Name", "dimension": 4},
        {"indexName": "ok-name", "dimension": 4097},
        {"indexName": "ok-name", "dimension": 4, "distanceMetric": "dot"},
        {
            "indexName": "ok-name",
            "dimension": 4,
            "metadataConfiguration": {"nonFilterableMetadataKeys": [f"k{i}" for i in range(11)]},
        },
    ):
        with pytest.raises(s3v.exceptions.ValidationException):
            s3v.create_index(**{**base, **bad})


def test_list_indexes_pages_and_prefix(s3v: Any) -> None:
    bucket = _name("ixpage")
    s3v.create_vector_bucket(vectorBucketName=bucket)
    names = [f"idx-{i}" for i in range(5)] + ["other"]
    for name in names:
        s3v.create_index(
            vectorBucketName=bucket, indexName=name, dataType="float32", dimension=2,
            distanceMetric="euclidean",
        )  # fmt: skip
    seen, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {}
        out = s3v.list_indexes(vectorBucketName=bucket, maxResults=2, **kwargs)
        assert len(out["indexes"]) <= 2
        seen += [i["indexName"] for i in out["indexes"]]
        token = out.get("nextToken")
        if token is None:
            break
    assert seen == sorted(names)
    prefixed = s3v.list_indexes(vectorBucketName=bucket, prefix="idx-")["indexes"]
    assert [i["indexName"] for i in prefixed] == [f"idx-{i}" for i in range(5)]
    assert all(i["indexArn"].endswith(f"/index/{i['indexName']}") for i in prefixed)


# ---------------------------------------------------------------------------------- vectors


def test_put_get_delete_vectors(s3v: Any) -> None:
    bucket, index = _index(s3v, 3, "euclidean", metadataConfiguration={
        "nonFilterableMetadataKeys": ["body"]
    })  # fmt: skip
    where = {"vectorBucketName": bucket, "indexName": index}
    s3v.put_vectors(
        **where,
        vectors=[
            {"key": "a", "data": {"float32": [0.1, 0.2, 0.3]}, "metadata": {"genre": "x"}},
            {"key": "b", "data": {"float32": [1.0, 2.0, 3.0]}},
            {"key": "c", "data": {"float32": [3.0, 2.0, 1.0]}, "metadata": {"body": {"n": [1]}}},
        ],
    )
    out = s3v.get_vectors(**where, keys=["c", "a", "zzz"], returnData=True, returnMetadata=True)
    assert [v["key"] for v in out["vectors"]] == ["c", "a"]
    a = out["vectors"][1]
    assert a["data"]["float32"] == np.float32([0.1, 0.2, 0.3]).tolist()
    assert a["metadata"] == {"genre": "x"}
    assert out["vectors"][0]["metadata"] == {"body": {"n": [1]}}
    bare = s3v.get_vectors(**where, keys=["a"])["vectors"]
    assert bare == [{"key": "a"}]

    # Put replaces: new data, new metadata.
    s3v.put_vectors(
        **where, vectors=[{"key": "a", "data": {"float32": [9, 9, 9]}, "metadata": {"v": 2}}]
    )
    a = s3v.get_vectors(**where, keys=["a"], returnData=True, returnMetadata=True)["vectors"][0]
    assert a["data"]["float32"] == [9.0, 9.0, 9.0] and a["metadata"] == {"v": 2}

    index_arn = s3v.get_index(**where)["index"]["indexArn"]
    s3v.delete_vectors(indexArn=index_arn, keys=["a", "never-there"])
    assert [v["key"] for v in s3v.get_vectors(**where, keys=["a", "b", "c"])["vectors"]] == [
        "b",
        "c",
    ]


def test_bad_vectors_are_validation_errors(aws: AwsServer, s3v: Any) -> None:
    bucket, index = _index(s3v, 3, "cosine", metadataConfiguration={
        "nonFilterableMetadataKeys": ["big"]
    })  # fmt: skip
    where = {"vectorBucketName": bucket, "indexName": index}
    bad_vectors: list[dict[str, Any]] = [
        {"key": "dim", "data": {"float32": [1.0, 2.0]}},
        {"key": "zero", "data": {"float32": [0.0, 0.0, 0.0]}},
        {"key": "huge", "data": {"float32": [1e39, 0.0, 0.0]}},
        {"key": "nested", "data": {"float32": [1, 2, 3]}, "metadata": {"m": {"a": 1}}},
        {"key": "null", "data": {"float32": [1, 2, 3]}, "metadata": {"m": None}},
        {"key": "bigint", "data": {"float32": [1, 2, 3]}, "metadata": {"m": 10**400}},
        {"key": "big", "data": {"float32": [1, 2, 3]}, "metadata": {"m": "x" * 3000}},
    ]
    for vector in bad_vectors:
        with pytest.raises(s3v.exceptions.ValidationException):
            s3v.put_vectors(**where, vectors=[vector])
    # What botocore would refuse to send is still refused by the server, never a 5xx.
    unchecked = aws.client("s3vectors", config=Config(parameter_validation=False))
    for vector in ({"key": "nodata", "data": {}}, {"key": "", "data": {"float32": [1, 2, 3]}}):
        with pytest.raises(unchecked.exceptions.ValidationException):
            unchecked.put_vectors(**where, vectors=[vector])
    # Large values are fine under a non-filterable key (40 KB in all).
    s3v.put_vectors(
        **where, vectors=[{"key": "ok", "data": {"float32": [1, 2, 3]}, "metadata": {"big": "x" * 30_000}}]
    )  # fmt: skip
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.put_vectors(
            **where,
            vectors=[{"key": f"k{i}", "data": {"float32": [1, 2, 3]}} for i in range(501)],
        )
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.get_vectors(**where, keys=[f"k{i}" for i in range(101)])
    with pytest.raises(s3v.exceptions.NotFoundException):
        s3v.put_vectors(
            vectorBucketName=bucket, indexName="no-such-index",
            vectors=[{"key": "x", "data": {"float32": [1, 2, 3]}}],
        )  # fmt: skip
    with pytest.raises(s3v.exceptions.NotFoundException):
        s3v.get_vectors(vectorBucketName=_name("nob"), indexName=index, keys=["x"])


def test_list_vectors_pages_and_segments(s3v: Any) -> None:
    bucket, index = _index(s3v, 2, "euclidean")
    where = {"vectorBucketName": bucket, "indexName": index}
    keys = [f"key-{i:03d}" for i in range(37)]
    _put(s3v, bucket, index, [
        {"key": k, "data": {"float32": [i, -i]}, "metadata": {"i": i}} for i, k in enumerate(keys)
    ])  # fmt: skip
    seen, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {}
        out = s3v.list_vectors(**where, maxResults=10, returnData=True, **kwargs)
        assert len(out["vectors"]) <= 10
        for v in out["vectors"]:
            i = int(v["key"][4:])
            assert v["data"]["float32"] == [float(i), float(-i)] and "metadata" not in v
        seen += [v["key"] for v in out["vectors"]]
        token = out.get("nextToken")
        if token is None:
            break
    assert seen == keys
    with_md = s3v.list_vectors(**where, returnMetadata=True)["vectors"]
    assert [v["metadata"]["i"] for v in with_md] == list(range(37))
    assert all("data" not in v for v in with_md)

    segments = []
    for position in range(4):
        pages = s3v.get_paginator("list_vectors").paginate(
            **where, segmentCount=4, segmentIndex=position, PaginationConfig={"PageSize": 3}
        )
        segments.append([v["key"] for p in pages for v in p["vectors"]])
    assert sorted(itertools.chain(*segments)) == keys
    assert sum(len(s) for s in segments) == len(keys)
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.list_vectors(**where, segmentCount=2, segmentIndex=2)
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.list_vectors(**where, segmentCount=2)


# ---------------------------------------------------------------------------------- queries


def _numpy_distances(matrix: np.ndarray, query: np.ndarray, metric: str) -> np.ndarray:
    m, q = matrix.astype(np.float64), query.astype(np.float64)
    if metric == "cosine":
        return 1.0 - (m @ q) / (np.linalg.norm(m, axis=1) * np.linalg.norm(q))
    return np.linalg.norm(m - q, axis=1)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_query_matches_numpy(s3v: Any, metric: str) -> None:
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(120, 12)).astype(np.float32)
    bucket, index = _index(s3v, 12, metric)
    keys = [f"v{i}" for i in range(len(matrix))]
    _put(s3v, bucket, index, [
        {"key": k, "data": {"float32": row.tolist()}, "metadata": {"row": i}}
        for i, (k, row) in enumerate(zip(keys, matrix, strict=True))
    ])  # fmt: skip
    for _ in range(3):
        query = rng.normal(size=12).astype(np.float32)
        out = s3v.query_vectors(
            vectorBucketName=bucket,
            indexName=index,
            topK=10,
            queryVector={"float32": query.tolist()},
            returnDistance=True,
            returnMetadata=True,
        )
        assert out["distanceMetric"] == metric
        expected = _numpy_distances(matrix, query, metric)
        order = np.argsort(expected, kind="stable")[:10]
        assert [v["key"] for v in out["vectors"]] == [keys[i] for i in order]
        got = np.array([v["distance"] for v in out["vectors"]])
        np.testing.assert_allclose(got, expected[order], rtol=1e-5, atol=1e-6)
        assert [v["metadata"]["row"] for v in out["vectors"]] == order.tolist()

    plain = s3v.query_vectors(
        vectorBucketName=bucket, indexName=index, topK=3, queryVector={"float32": [1.0] * 12}
    )["vectors"]
    assert len(plain) == 3 and all(set(v) == {"key"} for v in plain)
    everything = s3v.query_vectors(
        vectorBucketName=bucket, indexName=index, topK=100, queryVector={"float32": [1.0] * 12}
    )["vectors"]
    assert len(everything) == 100


def test_query_sees_writes_and_deletes(s3v: Any) -> None:
    bucket, index = _index(s3v, 2, "euclidean")
    where = {"vectorBucketName": bucket, "indexName": index}
    s3v.put_vectors(**where, vectors=[{"key": "far", "data": {"float32": [10, 10]}}])
    q = {"float32": [0.0, 0.0]}
    assert [v["key"] for v in s3v.query_vectors(**where, topK=5, queryVector=q)["vectors"]] == [
        "far"
    ]
    s3v.put_vectors(**where, vectors=[{"key": "near", "data": {"float32": [1, 0]}}])
    hits = s3v.query_vectors(**where, topK=5, queryVector=q, returnDistance=True)["vectors"]
    assert [(v["key"], round(v["distance"], 4)) for v in hits] == [
        ("near", 1.0),
        ("far", round(float(np.hypot(10, 10)), 4)),
    ]
    s3v.delete_vectors(**where, keys=["near"])
    assert [v["key"] for v in s3v.query_vectors(**where, topK=5, queryVector=q)["vectors"]] == [
        "far"
    ]
    # A deleted and re-created index starts empty (no stale snapshot).
    s3v.delete_index(**where)
    s3v.create_index(**where, dataType="float32", dimension=2, distanceMetric="euclidean")
    assert s3v.query_vectors(**where, topK=5, queryVector=q)["vectors"] == []


_GENRES = ["drama", "comedy", "documentary"]


def _filter_rows() -> list[dict[str, Any]]:
    rows = []
    for i in range(30):
        md: dict[str, Any] = {
            "genre": _GENRES[i % 3],
            "year": 2000 + i,
            "tags": [f"t{i % 4}", f"t{(i + 1) % 4}"],
            "flag": i % 2 == 0,
        }
        if i % 5 == 0:
            md["rating"] = float(i) / 10
        if i == 7:
            md["year"] = "unknown"  # a string where others have numbers
        rows.append(md)
    return rows


def _year(md: dict[str, Any]) -> float | None:
    return md["year"] if isinstance(md["year"], int) else None


FILTERS: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
    ({"genre": "drama"}, lambda m: m["genre"] == "drama"),
    ({"genre": {"$eq": "comedy"}}, lambda m: m["genre"] == "comedy"),
    ({"genre": {"$ne": "comedy"}}, lambda m: m["genre"] != "comedy"),
    ({"year": {"$gt": 2020}}, lambda m: (_year(m) or 0) > 2020),
    ({"year": {"$gte": 2020}}, lambda m: (_year(m) or 0) >= 2020),
    ({"year": {"$lt": 2005}}, lambda m: _year(m) is not None and _year(m) < 2005),  # type: ignore[operator]
    ({"year": {"$lte": 2005}}, lambda m: _year(m) is not None and _year(m) <= 2005),  # type: ignore[operator]
    ({"year": {"$gte": 2010, "$lt": 2015}}, lambda m: 2010 <= (_year(m) or 0) < 2015),
    ({"genre": {"$in": ["drama", "documentary"]}}, lambda m: m["genre"] != "comedy"),
    ({"genre": {"$nin": ["drama", "documentary"]}}, lambda m: m["genre"] == "comedy"),
    ({"rating": {"$exists": True}}, lambda m: "rating" in m),
    ({"rating": {"$exists": False}}, lambda m: "rating" not in m),
    ({"tags": "t3"}, lambda m: "t3" in m["tags"]),
    ({"tags": {"$in": ["t0", "t1"]}}, lambda m: bool({"t0", "t1"} & set(m["tags"]))),
    ({"tags": {"$ne": "t0"}}, lambda m: "t0" not in m["tags"]),
    ({"flag": True}, lambda m: m["flag"] is True),
    ({"flag": 1}, lambda m: False),  # numbers never equal booleans
    ({"year": "unknown"}, lambda m: m["year"] == "unknown"),
    ({"rating": {"$ne": 0.5}}, lambda m: m.get("rating") != 0.5),
    (
        {"$and": [{"genre": "drama"}, {"flag": True}]},
        lambda m: m["genre"] == "drama" and m["flag"],
    ),
    (
        {"$or": [{"genre": "comedy"}, {"rating": {"$gte": 2.0}}]},
        lambda m: m["genre"] == "comedy" or m.get("rating", 0) >= 2.0,
    ),
    (
        {"genre": "documentary", "$or": [{"year": {"$lt": 2010}}, {"tags": "t0"}]},
        lambda m: m["genre"] == "documentary" and ((_year(m) or 9999) < 2010 or "t0" in m["tags"]),
    ),
    (
        {"$and": [{"$or": [{"genre": "drama"}, {"genre": "comedy"}]}, {"year": {"$nin": [2003]}}]},
        lambda m: m["genre"] in ("drama", "comedy") and m["year"] != 2003,
    ),
]


@pytest.fixture(scope="module")
def filtered_index(s3v: Any) -> tuple[str, str, np.ndarray, list[dict[str, Any]]]:
    rng = np.random.default_rng(11)
    rows = _filter_rows()
    matrix = rng.normal(size=(len(rows), 6)).astype(np.float32)
    bucket, index = _index(s3v, 6, "cosine", metadataConfiguration={
        "nonFilterableMetadataKeys": ["notes"]
    })  # fmt: skip
    _put(s3v, bucket, index, [
        {"key": f"m{i:02d}", "data": {"float32": matrix[i].tolist()}, "metadata": md}
        for i, md in enumerate(rows)
    ])  # fmt: skip
    return bucket, index, matrix, rows


@pytest.mark.parametrize(("filter_", "expected"), FILTERS, ids=[str(f) for f, _ in FILTERS])
def test_filters(
    s3v: Any,
    filtered_index: tuple[str, str, np.ndarray, list[dict[str, Any]]],
    filter_: dict[str, Any],
    expected: Callable[[dict[str, Any]], bool],
) -> None:
    bucket, index, matrix, rows = filtered_index
    query = np.linspace(-1, 1, 6).astype(np.float32)
    out = s3v.query_vectors(
        vectorBucketName=bucket,
        indexName=index,
        topK=100,
        queryVector={"float32": query.tolist()},
        filter=filter_,
        returnDistance=True,
    )["vectors"]
    matching = [i for i, md in enumerate(rows) if expected(md)]
    distances = _numpy_distances(matrix, query, "cosine")
    want = sorted(matching, key=lambda i: distances[i])
    assert [v["key"] for v in out] == [f"m{i:02d}" for i in want]
    # Filters apply before top-k: k results whenever k vectors match.
    if len(matching) >= 2:
        top2 = s3v.query_vectors(
            vectorBucketName=bucket, indexName=index, topK=2,
            queryVector={"float32": query.tolist()}, filter=filter_,
        )["vectors"]  # fmt: skip
        assert [v["key"] for v in top2] == [f"m{i:02d}" for i in want[:2]]


@pytest.mark.parametrize(
    "bad",
    [
        {"genre": {"$regex": "dr.*"}},
        {"$not": {"genre": "drama"}},
        {"genre": ["drama"]},
        {"genre": {"$in": "drama"}},
        {"genre": {"$in": []}},
        {"genre": {"$nin": [{"a": 1}]}},
        {"year": {"$gt": "2000"}},
        {"year": {"$gt": 10**400}},
        {"rating": {"$exists": "yes"}},
        {"$and": []},
        {"$or": {"genre": "drama"}},
        {"genre": {}},
        {"notes": "x"},  # non-filterable in this index
        {"genre": None},
    ],
    ids=str,
)
def test_bad_filters_are_validation_errors(
    s3v: Any, filtered_index: tuple[str, str, np.ndarray, list[dict[str, Any]]], bad: Any
) -> None:
    bucket, index, _, _ = filtered_index
    with pytest.raises(s3v.exceptions.ValidationException):
        s3v.query_vectors(
            vectorBucketName=bucket, indexName=index, topK=3,
            queryVector={"float32": [1.0] * 6}, filter=bad,
        )  # fmt: skip


def test_bad_queries_are_validation_errors(
    s3v: Any, filtered_index: tuple[str, str, np.ndarray, list[dict[str, Any]]]
) -> None:
    bucket, index, _, _ = filtered_index
    where = {"vectorBucketName": bucket, "indexName": index}
    for kwargs in (
        {"topK": 3, "queryVector": {"float32": [1.0] * 5}},
        {"topK": 3, "queryVector": {"float32": [0.0] * 6}},
        {"topK": 101, "queryVector": {"float32": [1.0] * 6}},
        {"topK": 3},
        {"topK": 3, "queryVector": {"float32": [float("nan")] * 6}},
    ):
        with pytest.raises(s3v.exceptions.ValidationException):
            s3v.query_vectors(**where, **kwargs)
    with pytest.raises(s3v.exceptions.NotFoundException):
        s3v.query_vectors(
            vectorBucketName=bucket, indexName="absent", topK=1, queryVector={"float32": [1.0] * 6}
        )


def test_vectors_persist_in_sql(
    aws: AwsServer, filtered_index: tuple[str, str, np.ndarray, list[dict[str, Any]]]
) -> None:
    from podium.vectors import VectorStore

    bucket, index, matrix, rows = filtered_index
    fresh = VectorStore(aws.backend.database)  # no cache shared with the server's store
    stored = fresh.get_index(bucket, index)
    got = fresh.get_vectors(stored, ["m03"])
    assert got[0].metadata == rows[3]
    np.testing.assert_array_equal(got[0].data, matrix[3])
    hits = fresh.query(stored, matrix[3], 1)
    assert hits[0][0].key == "m03" and abs(hits[0][1]) < 1e-6
