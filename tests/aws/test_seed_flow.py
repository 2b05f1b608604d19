"""The seed's flow (examples/seed-notebook), unchanged, against Podium: boto3, bedrock-agentcore
and Strands only, pointed here by the variables ``podium aws-env`` prints.

Part one runs against a live gateway with a moto S3 server on 127.0.0.1; part two serves the
same agent file with ``podium serve --name`` (a real subprocess on the same home) and calls it
through InvokeAgentRuntime.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures.aws import AwsServer, start_aws_server
from fixtures.aws_kb import s3_server
from fixtures.web import free_port as _free_port
from podium.aws import aws_env

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-notebook"


def _point_sdks_at(monkeypatch: pytest.MonkeyPatch, url: str, server: AwsServer) -> None:
    """What ``eval "$(podium aws-env)"`` does, for this process."""
    for name, value in aws_env(url, server.key, "us-east-1").items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def seed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[AwsServer, Path]]:
    monkeypatch.syspath_prepend(str(SEED))
    home = tmp_path / "home"
    with s3_server():
        server = start_aws_server(home, embedding_model="podium/all-MiniLM-L6-v2-int8")
        try:
            _point_sdks_at(monkeypatch, server.url, server)
            yield server, home
        finally:
            server.stop()


def test_the_seed_flow_runs_unchanged(
    seed: tuple[AwsServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import seed_flow

    server, home = seed
    resources = seed_flow.run()

    # The same agent file under `podium serve --name`, as AgentCore Runtime would host it.
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    env.update(aws_env(url, server.key, "us-east-1"))
    env.update(
        resources, PODIUM_HOME=str(home), PODIUM_EMBEDDING_MODEL="podium/all-MiniLM-L6-v2-int8"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "podium.cli", "serve", "--agent", f"{SEED / 'agent_app.py'}:app",
         "--name", "seed_assistant", "--no-auth", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "podium serve did not answer /ping"
            try:
                if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        _point_sdks_at(monkeypatch, url, server)
        seed_flow.invoke("seed_assistant")
    finally:
        proc.terminate()
        proc.wait(30)
