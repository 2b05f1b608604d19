"""SigV4 on the AWS-compatible endpoints, through real boto3 clients against a live server."""

from __future__ import annotations

import datetime as dt
import json

import botocore.auth
import botocore.exceptions
import httpx
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from fixtures.aws import REGION, AwsServer


def _error(exc: botocore.exceptions.ClientError) -> tuple[str, int]:
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_signed_call_is_answered(aws: AwsServer) -> None:
    aws.backend.memory.create_memory("signed")
    out = aws.client("bedrock-agentcore-control").list_memories()
    assert any(m["id"].startswith("signed-") for m in out["memories"])


def test_wrong_secret_unknown_key_and_stale_date_are_403(
    aws: AwsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = type(aws.key)(**{**aws.key.__dict__, "secret_access_key": "x" * 40})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        aws.client("bedrock-agentcore-control", key=forged).list_memories()
    assert _error(info.value) == ("InvalidSignatureException", 403)

    unknown = type(aws.key)(**{**aws.key.__dict__, "access_key_id": "PKIAUNKNOWNUNKNOWN00"})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        aws.client("bedrock-agentcore-control", key=unknown).list_memories()
    assert _error(info.value) == ("UnrecognizedClientException", 403)

    # The client's clock 20 minutes slow: AWS allows 15.
    slow = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: slow)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        aws.client("bedrock-agentcore-control").list_memories()
    assert _error(info.value) == ("InvalidSignatureException", 403)
    assert "Signature expired" in info.value.response["Error"]["Message"]


def _signed(aws: AwsServer, method: str, path: str, body: bytes, service: str) -> AWSRequest:
    request = AWSRequest(
        method=method,
        url=f"{aws.url}{path}",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    creds = Credentials(aws.key.access_key_id, aws.key.secret_access_key)
    botocore.auth.SigV4Auth(creds, service, REGION).add_auth(request)
    return request


def test_a_body_changed_after_signing_is_403(aws: AwsServer) -> None:
    request = _signed(aws, "POST", "/memories/", b'{"maxResults": 5}', "bedrock-agentcore")
    ok = httpx.post(request.url, content=request.body, headers=dict(request.headers))
    assert ok.status_code == 200, ok.text
    tampered = httpx.post(request.url, content=b'{"maxResults": 6}', headers=dict(request.headers))
    assert tampered.status_code == 403
    assert tampered.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert "message" in tampered.json()


def test_malformed_authorization_and_foreign_services_are_403(aws: AwsServer) -> None:
    for header in (
        "AWS4-HMAC-SHA256 garbage",
        "AWS4-HMAC-SHA256 Credential=PKIA/2026/us-east-1/bedrock/aws4_request, "
        "SignedHeaders=host, Signature=" + "0" * 64,
    ):
        r = httpx.post(f"{aws.url}/memories/", headers={"Authorization": header})
        assert r.status_code == 403 and r.headers["x-amzn-ErrorType"].endswith("Exception")
    request = _signed(aws, "GET", "/", b"", "s3")
    r = httpx.get(request.url, headers=dict(request.headers))
    assert r.status_code == 403 and r.headers["x-amzn-ErrorType"] == "UnrecognizedClientException"


def test_unsigned_requests_still_reach_the_gateway(aws: AwsServer) -> None:
    assert httpx.get(f"{aws.url}/ping").json()["status"] in ("Healthy", "HealthyBusy")


def test_an_operation_podium_does_not_serve_is_a_clear_404(aws: AwsServer) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        aws.client("bedrock-agent").list_agents()
    assert _error(info.value) == ("UnknownOperationException", 404)
    assert "ListAgents" in info.value.response["Error"]["Message"]


def test_invalid_input_is_a_validation_exception_not_a_5xx(aws: AwsServer) -> None:
    client = aws.client(
        "bedrock-agentcore-control",
        config=botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1}),
    )
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.list_memories(maxResults=0)
    assert "maxResults" in info.value.response["Error"]["Message"]
    request = _signed(aws, "POST", "/memories/", b"[" * 2000, "bedrock-agentcore")
    r = httpx.post(request.url, content=request.body, headers=dict(request.headers))
    assert r.status_code == 400 and r.headers["x-amzn-ErrorType"] == "ValidationException"
    assert json.loads(r.text)["message"]


def test_a_number_beyond_any_float_is_a_validation_exception() -> None:
    # The check is the frame's (every service), so drive it directly.
    from podium.aws._protocol import parse_input, service_model

    op = service_model("bedrock-runtime").operation_model("Converse")
    with pytest.raises(Exception, match="expected a number"):
        parse_input(
            op,
            {"modelId": "m"},
            "",
            {},
            b'{"messages": [], "inferenceConfig": {"temperature": 1' + b"0" * 400 + b"}}",
        )


def test_a_lone_surrogate_is_a_validation_exception_not_a_500(aws: AwsServer) -> None:
    # Found by tests/aws/test_fuzz_aws.py: ListVectorBuckets(prefix="\ud800") was a plain 500.
    client = aws.client(
        "s3vectors",
        config=botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1}),
    )
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.list_vector_buckets(prefix="\ud800")
    assert "Unicode" in info.value.response["Error"]["Message"]
