"""Property-based fuzzing of every AWS-compatible operation Podium serves (issue 11 and 12).

The botocore service models are the published contract of these endpoints. For every
operation with a handler, hypothesis builds inputs from the operation's input shape (random
values of each member's type, lone surrogates and oversized numbers among the strings and
numbers, known-good resource ids mixed in so that calls get past the first lookup) and sends
them through a real boto3 client with client-side validation off, so the server's own checks
are what is tested. Every answer must be a success or a modelled AWS error below 500 with an
error code and a message; afterwards the server still answers a normal call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.model import Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures.aws import AwsServer, start_aws_server
from podium.aws._protocol import service_model
from podium.aws._registry import HANDLERS

NASTY_TEXT = ["", "\ud800", "a" * 5000, "../../etc/passwd", "'; DROP TABLE events; --", "*"]
#: Operations that start background work per call: fewer examples keep the run short.
COSTLY = {"StartIngestionJob", "InvokeAgentRuntime", "RetrieveAndGenerateStream", "ConverseStream"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AwsServer, dict[str, str]]]:
    server = start_aws_server(tmp_path_factory.mktemp("aws-fuzz"))
    memory = server.backend.memory.create_memory(
        "fuzzed", strategies=[{"type": "semantic", "name": "facts"}]
    )
    server.backend.memory.create_event(
        memory.memory_id,
        "fuzz-actor",
        "fuzz-session",
        [{"conversational": {"role": "USER", "content": {"text": "I like fuzzing"}}}],
    )
    kb = server.backend.knowledge.create("fuzzed-kb")
    vectors = server.client("s3vectors")
    vectors.create_vector_bucket(vectorBucketName="fuzz-bucket")
    vectors.create_index(
        vectorBucketName="fuzz-bucket",
        indexName="fuzz-index",
        dataType="float32",
        dimension=3,
        distanceMetric="cosine",
    )
    known = {
        "memoryId": memory.memory_id,
        "actorId": "fuzz-actor",
        "sessionId": "fuzz-session",
        "knowledgeBaseId": kb.id,
        "vectorBucketName": "fuzz-bucket",
        "indexName": "fuzz-index",
        "agentRuntimeArn": "event_assistant",
    }
    yield server, known
    server.stop()


def _text(shape: Shape) -> st.SearchStrategy[str]:
    if shape.enum:
        return st.sampled_from([*shape.enum, "NOT_AN_ENUM_VALUE"])
    return st.one_of(st.text(max_size=30), st.sampled_from(NASTY_TEXT))


def _value(shape: Shape, known: dict[str, str], depth: int = 0) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if depth > 5:
        return st.none()
    if kind == "structure":
        members = {
            name: _member(name, member, known, depth + 1) for name, member in shape.members.items()
        }
        required = {k: v for k, v in members.items() if k in shape.required_members}
        optional = {k: v for k, v in members.items() if k not in shape.required_members}
        if shape.metadata.get("union") and optional:
            name = st.sampled_from(sorted(optional))
            return name.flatmap(lambda n: st.fixed_dictionaries({n: optional[n]}))
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "list":
        return st.lists(_value(shape.member, known, depth + 1), max_size=3)
    if kind == "map":
        return st.dictionaries(
            st.text(max_size=8), _value(shape.value, known, depth + 1), max_size=3
        )
    if kind == "string":
        return _text(shape)
    if kind in ("integer", "long"):
        return st.one_of(st.integers(-5, 1000), st.sampled_from([0, -1, 2**31, 2**63]))
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False, width=32)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2100, 1, 1))
    if kind == "blob":
        return st.binary(max_size=64)
    return st.just({})  # documents


def _member(name: str, shape: Shape, known: dict[str, str], depth: int) -> st.SearchStrategy[Any]:
    value = _value(shape, known, depth)
    if name in known and shape.type_name == "string":
        return st.one_of(st.just(known[name]), value)
    return value


OPERATIONS = sorted(HANDLERS)


@pytest.mark.parametrize(
    ("service", "operation"), OPERATIONS, ids=[f"{s}.{o}" for s, o in OPERATIONS]
)
def test_no_operation_answers_a_5xx(
    world: tuple[AwsServer, dict[str, str]], service: str, operation: str
) -> None:
    server, known = world
    op = service_model(service).operation_model(operation)
    client = server.client(
        service,
        config=Config(parameter_validation=False, retries={"max_attempts": 1}, read_timeout=60),
    )
    method = getattr(client, xform_name(operation))
    params = _value(op.input_shape, known) if op.input_shape is not None else st.just({})

    @settings(
        max_examples=6 if operation in COSTLY else 25,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(params)
    def check(kwargs: dict[str, Any]) -> None:
        try:
            out = method(**kwargs)
        except botocore.exceptions.ClientError as e:
            status = e.response["ResponseMetadata"].get("HTTPStatusCode", 0)
            code = e.response["Error"].get("Code")
            assert status < 500, (operation, kwargs, e.response["Error"])
            assert code and e.response["Error"].get("Message"), e.response
            return
        except (
            botocore.exceptions.ParamValidationError,
            botocore.exceptions.HTTPClientError,
            AttributeError,
            ValueError,
            TypeError,
            UnicodeError,
        ):
            return  # botocore could not even build (or send) this request
        for value in out.values():  # drain event streams and streaming bodies
            if hasattr(value, "read"):
                value.read()
            elif (
                hasattr(value, "__iter__")
                and hasattr(value, "close")
                and not isinstance(value, (dict, list, str, bytes))
            ):
                try:
                    for _ in value:
                        pass
                except botocore.exceptions.EventStreamError as e:
                    assert e.response["Error"]["Code"] != "InternalServerException", e.response

    check()
    # Still healthy: a plain, valid call works.
    assert "memories" in server.client("bedrock-agentcore-control").list_memories()
