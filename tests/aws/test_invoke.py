"""InvokeAgentRuntime and StopRuntimeSession through real boto3 (and a JWT bearer over httpx)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import botocore.exceptions
import httpx
import pytest

from fixtures.aws import REGION, AwsServer
from fixtures.runtime import Gateway, new_session_id, start_gateway
from podium.aws import ACCOUNT_ID, default_runtime_name
from podium.identity import issue_token

TESTS_AWS = Path(__file__).parent


def _arn(name: str = "aws_echo_app") -> str:
    return f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT_ID}:runtime/{name}"


def _invoke(client: Any, payload: Any, **kwargs: Any) -> tuple[dict[str, Any], bytes]:
    kwargs.setdefault("agentRuntimeArn", _arn())
    out = client.invoke_agent_runtime(payload=json.dumps(payload).encode(), **kwargs)
    return out, out["response"].read()


def _error(exc: botocore.exceptions.ClientError) -> tuple[str, int]:
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_json_answer_carries_the_session_and_actor(aws: AwsServer) -> None:
    client = aws.client("bedrock-agentcore")
    session = new_session_id("inv")
    out, body = _invoke(client, {"prompt": "hi"}, runtimeSessionId=session, runtimeUserId="alice")
    assert out["statusCode"] == 200
    assert out["contentType"].startswith("application/json")
    assert out["runtimeSessionId"] == session
    answer = json.loads(body)
    assert answer["echo"] == {"prompt": "hi"}
    assert answer["session_id"] == session
    assert answer["actor"] == "alice"


def test_the_same_session_reaches_the_same_worker(aws: AwsServer) -> None:
    client = aws.client("bedrock-agentcore")
    session = new_session_id("same")
    pids = {
        json.loads(_invoke(client, {"n": i}, runtimeSessionId=session, runtimeUserId="bob")[1])[
            "pid"
        ]
        for i in range(2)
    }
    other = json.loads(
        _invoke(client, {}, runtimeSessionId=new_session_id("other"), runtimeUserId="bob")[1]
    )
    assert len(pids) == 1
    assert other["pid"] not in pids
    assert pids == {aws.gateway.worker_pid(session)}


def test_a_streamed_answer_is_server_sent_events(aws: AwsServer) -> None:
    client = aws.client("bedrock-agentcore")
    out = client.invoke_agent_runtime(
        agentRuntimeArn=_arn(),
        payload=json.dumps({"op": "stream", "n": 4}).encode(),
        runtimeUserId="carol",
    )
    assert out["contentType"].startswith("text/event-stream")
    # botocore filled in the session id (an idempotency token) when none was given.
    assert len(out["runtimeSessionId"]) >= 33
    lines = [line for line in out["response"].iter_lines() if line.startswith(b"data: ")]
    assert [json.loads(line[len(b"data: ") :]) for line in lines] == [{"i": i} for i in range(4)]


def test_the_arn_may_be_a_bare_name_and_unknown_runtimes_are_not_found(aws: AwsServer) -> None:
    client = aws.client("bedrock-agentcore")
    _, body = _invoke(client, {"x": 1}, agentRuntimeArn="aws_echo_app", runtimeUserId="dan")
    assert json.loads(body)["echo"] == {"x": 1}
    for arn in (
        _arn("no_such_agent"),
        "no_such_agent",
        f"arn:aws:bedrock-agentcore:{REGION}:123456789012:runtime/aws_echo_app",
    ):
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            _invoke(client, {}, agentRuntimeArn=arn, runtimeUserId="dan")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        _invoke(client, {}, qualifier="canary", runtimeUserId="dan")


def test_an_actor_scoped_key_acts_only_for_its_actors(aws: AwsServer) -> None:
    scoped = aws.client("bedrock-agentcore", key=aws.new_key("alice*"))
    _, body = _invoke(scoped, {}, runtimeUserId="alice-2")
    assert json.loads(body)["actor"] == "alice-2"
    with pytest.raises(scoped.exceptions.AccessDeniedException) as info:
        _invoke(scoped, {}, runtimeUserId="bob")
    assert _error(info.value) == ("AccessDeniedException", 403)
    # A pattern with a wildcard names no one actor: runtimeUserId is required.
    with pytest.raises(scoped.exceptions.ValidationException) as v:
        _invoke(scoped, {})
    assert "runtimeUserId" in v.value.response["Error"]["Message"]
    # A key for exactly one actor acts as that actor.
    single = aws.client("bedrock-agentcore", key=aws.new_key("erin"))
    _, body = _invoke(single, {})
    assert json.loads(body)["actor"] == "erin"


def test_another_actors_session_is_denied(aws: AwsServer) -> None:
    client = aws.client("bedrock-agentcore")
    session = new_session_id("owned")
    _invoke(client, {}, runtimeSessionId=session, runtimeUserId="frank")
    with pytest.raises(client.exceptions.AccessDeniedException):
        _invoke(client, {}, runtimeSessionId=session, runtimeUserId="grace")


def test_bad_input_and_app_errors_are_modelled_exceptions(aws: AwsServer) -> None:
    client = aws.client("bedrock-agentcore")
    with pytest.raises(client.exceptions.ValidationException):
        client.invoke_agent_runtime(
            agentRuntimeArn=_arn(), payload=b"not json", runtimeUserId="hank"
        )
    with pytest.raises(client.exceptions.RuntimeClientError) as info:
        _invoke(client, {"op": "fail"}, runtimeUserId="hank")
    assert _error(info.value) == ("RuntimeClientError", 424)
    assert "Received error (500) from runtime" in info.value.response["Error"]["Message"]
    # The session's worker is fine afterwards.
    _, body = _invoke(client, {"ok": True}, runtimeUserId="hank")
    assert json.loads(body)["echo"] == {"ok": True}


def test_stop_runtime_session(aws: AwsServer) -> None:
    client = aws.client("bedrock-agentcore")
    session = new_session_id("stop")
    _invoke(client, {}, runtimeSessionId=session, runtimeUserId="ivy")
    with pytest.raises(client.exceptions.AccessDeniedException):
        aws.client("bedrock-agentcore", key=aws.new_key("jack")).stop_runtime_session(
            agentRuntimeArn=_arn(), runtimeSessionId=session
        )
    out = client.stop_runtime_session(agentRuntimeArn=_arn(), runtimeSessionId=session)
    assert out["runtimeSessionId"] == session and out["statusCode"] == 200
    assert aws.gateway.runtime.manager.get(session) is None
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.stop_runtime_session(agentRuntimeArn=_arn(), runtimeSessionId=session)


def test_default_runtime_names() -> None:
    assert default_runtime_name("podium.apps.event_assistant.app:app") == "event_assistant"
    assert default_runtime_name("aws_echo_app:app") == "aws_echo_app"
    assert default_runtime_name("examples/my-agent.py:app") == "my_agent"
    assert default_runtime_name("examples/seed/app.py") == "seed"
    assert default_runtime_name("2fast.py:app") == "agent_2fast"
    assert len(default_runtime_name("x" * 80)) == 48


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    gw = start_gateway(tmp_path_factory.mktemp("aws-bearer-home"), "aws_echo_app:app", dev_idp=True)
    yield gw
    gw.stop()


def test_a_jwt_bearer_invokes_as_the_tokens_subject(secured: Gateway) -> None:
    token = issue_token(secured.settings.home, f"{secured.url}/idp", user="alice")
    url = f"{secured.url}/runtimes/{quote(_arn(), safe='')}/invocations"
    session = new_session_id("jwt")
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": session,
    }
    ok = httpx.post(url, content=b'{"prompt": "hello"}', headers=headers, timeout=30)
    assert ok.status_code == 200, ok.text
    assert ok.headers["X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"] == session
    answer = ok.json()
    assert answer["actor"] == "alice" and answer["session_id"] == session

    contradicting = {**headers, "X-Amzn-Bedrock-AgentCore-Runtime-User-Id": "bob"}
    denied = httpx.post(url, content=b"{}", headers=contradicting, timeout=30)
    assert denied.status_code == 403
    assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"

    bad = httpx.post(
        url, content=b"{}", headers={**headers, "Authorization": f"Bearer {token[:-4]}AAAA"}
    )
    assert bad.status_code == 403
    assert bad.headers["x-amzn-ErrorType"] == "AccessDeniedException"
