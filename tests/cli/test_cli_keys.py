"""``podium keys`` and ``podium aws-env`` as a user runs them, and boto3 signed with their keys."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config

ECHO_APP = Path(__file__).parents[1] / "aws" / "aws_echo_app.py"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PODIUM_", "AWS_"))}
    return {
        **env,
        "PODIUM_HOME": str(home),
        "PODIUM_EMBEDDING_MODEL": "podium/test-hash-64",
        "COLUMNS": "200",
        **extra,
    }


def _podium(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podium.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(home, **extra),
    )


def _exports(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        words = shlex.split(line)
        assert words[0] == "export", line
        name, _, value = words[1].partition("=")
        out[name] = value
    return out


def test_keys_create_list_delete(tmp_path: Path) -> None:
    made = _podium(tmp_path, "keys", "create", "--actor-pattern", "alice*", "--description", "ci")
    assert made.returncode == 0, made.stderr
    assert "shown only now" in made.stderr
    secret = next(ln.split()[-1] for ln in made.stdout.splitlines() if ln.startswith("secret"))
    key_id = next(ln.split()[-1] for ln in made.stdout.splitlines() if ln.startswith("access"))
    assert key_id.startswith("PKIA") and len(key_id) == 20 and len(secret) == 40

    as_json = _podium(tmp_path, "keys", "create", "--json")
    assert as_json.returncode == 0, as_json.stderr
    second = json.loads(as_json.stdout)
    assert second["actor_pattern"] == "*" and len(second["secret_access_key"]) == 40

    listed = _podium(tmp_path, "keys", "list", "--json")
    keys = json.loads(listed.stdout)
    assert [k["access_key_id"] for k in keys] == [key_id, second["access_key_id"]]
    assert keys[0]["actor_pattern"] == "alice*" and keys[0]["description"] == "ci"
    table = _podium(tmp_path, "keys", "list")
    assert key_id in table.stdout and "alice*" in table.stdout
    for shown in (listed.stdout, table.stdout):
        assert secret not in shown and second["secret_access_key"] not in shown

    gone = _podium(tmp_path, "keys", "delete", key_id)
    assert gone.returncode == 0, gone.stderr
    left = json.loads(_podium(tmp_path, "keys", "list", "--json").stdout)
    assert [k["access_key_id"] for k in left] == [second["access_key_id"]]
    again = _podium(tmp_path, "keys", "delete", key_id)
    assert again.returncode == 1
    assert again.stderr.startswith("error: no access key") and "Traceback" not in again.stderr


def test_aws_env_prints_the_endpoints_region_and_a_stable_dev_key(tmp_path: Path) -> None:
    out = _podium(tmp_path, "aws-env", PODIUM_PORT="9123")
    assert out.returncode == 0, out.stderr
    env = _exports(out.stdout)
    for service in (
        "BEDROCK_AGENT",
        "BEDROCK_AGENT_RUNTIME",
        "BEDROCK_AGENTCORE",
        "BEDROCK_AGENTCORE_CONTROL",
        "BEDROCK_RUNTIME",
        "S3VECTORS",
    ):
        assert env[f"AWS_ENDPOINT_URL_{service}"] == "http://127.0.0.1:9123"
    assert env["AWS_REGION"] == "us-east-1"
    assert env["AWS_ACCESS_KEY_ID"].startswith("PKIA")
    assert (tmp_path / "aws-dev-key.json").stat().st_mode & 0o777 == 0o600
    # The dev key is created once, and it is one of the home's keys.
    again = _exports(
        _podium(
            tmp_path, "aws-env", "--url", "https://podium.example/", "--region", "eu-west-1"
        ).stdout
    )
    assert again["AWS_ACCESS_KEY_ID"] == env["AWS_ACCESS_KEY_ID"]
    assert again["AWS_SECRET_ACCESS_KEY"] == env["AWS_SECRET_ACCESS_KEY"]
    assert again["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE"] == "https://podium.example"
    assert again["AWS_REGION"] == "eu-west-1"
    listed = json.loads(_podium(tmp_path, "keys", "list", "--json").stdout)
    assert [k["access_key_id"] for k in listed] == [env["AWS_ACCESS_KEY_ID"]]
    bad = _podium(tmp_path, "aws-env", "--url", "podium.example")
    assert bad.returncode == 1 and bad.stderr.startswith("error: --url")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """``podium serve --agent FILE:app --name echo`` on a temp home."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    home = tmp_path / "home"
    proc = subprocess.Popen(
        [sys.executable, "-m", "podium.cli", "serve", "--agent", f"{ECHO_APP}:app",
         "--name", "echo", "--no-auth", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(home),
    )  # fmt: skip
    deadline = time.time() + 90
    while True:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.time() < deadline, "podium serve did not answer /ping"
        try:
            if httpx.get(f"{base}/ping", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    try:
        yield home, base
    finally:
        proc.terminate()
        proc.wait(30)


def test_boto3_with_a_printed_key_invokes_the_named_app(
    served: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, base = served
    made = _podium(home, "keys", "create", "--actor-pattern", "alice", "--json")
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)
    client = boto3.client(
        "bedrock-agentcore",
        endpoint_url=base,
        region_name="us-east-1",
        aws_access_key_id=key["access_key_id"],
        aws_secret_access_key=key["secret_access_key"],
        config=Config(retries={"max_attempts": 1}),
    )
    out = client.invoke_agent_runtime(
        agentRuntimeArn="arn:aws:bedrock-agentcore:us-east-1:000000000000:runtime/echo",
        payload=b'{"prompt": "hi"}',
    )
    answer = json.loads(out["response"].read())
    assert answer["echo"] == {"prompt": "hi"} and answer["actor"] == "alice"
    with pytest.raises(client.exceptions.AccessDeniedException):
        client.invoke_agent_runtime(agentRuntimeArn="echo", payload=b"{}", runtimeUserId="bob")
    # Plain /invocations still serves the same app.
    plain = httpx.post(f"{base}/invocations", json={"x": 1}, timeout=30)
    assert plain.status_code == 200 and plain.json()["echo"] == {"x": 1}

    # After `eval "$(podium aws-env)"`, boto3 needs no endpoint or credentials of its own.
    printed = _podium(home, "aws-env", "--url", base)
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in _exports(printed.stdout).items():
        monkeypatch.setenv(name, value)
    plain_client = boto3.client("bedrock-agentcore")
    out = plain_client.invoke_agent_runtime(
        agentRuntimeArn="echo", payload=b"{}", runtimeUserId="carol"
    )
    assert json.loads(out["response"].read())["actor"] == "carol"
    control = boto3.client("bedrock-agentcore-control")
    assert control.list_memories()["memories"] == []


def test_serve_refuses_a_name_outside_agentcores_rule(tmp_path: Path) -> None:
    out = _podium(tmp_path, "serve", "--agent", f"{ECHO_APP}:app", "--name", "9-lives", "--no-auth")
    assert out.returncode == 1
    assert out.stderr.startswith("error: agent runtime name '9-lives'")
    assert "Traceback" not in out.stderr
