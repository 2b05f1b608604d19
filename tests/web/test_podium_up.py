"""``podium up``: from an empty PODIUM_HOME to serving, and a later run on the same home."""

from __future__ import annotations

from pathlib import Path

import httpx

from fixtures.web import UpProcess, start_up


def test_first_run_reaches_serving_state(podium: UpProcess) -> None:
    out = podium.output()
    assert "First run: setting up Podium in" in out
    assert "Indexing the sample catalog (25 sessions)" in out  # the progress bar
    assert f"Podium is running at {podium.url}/" in out
    assert "alice / alice-password" in out
    assert (podium.home / "podium.db").is_file()
    assert (podium.home / "idp" / "users.json").is_file()
    with httpx.Client(base_url=podium.url, timeout=10) as client:
        ping = client.get("/ping")
        assert ping.status_code == 200 and ping.json()["status"] in ("Healthy", "HealthyBusy")
        page = client.get("/")
        assert page.status_code == 200 and "<title>Podium" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert client.get("/static/app.js").status_code == 200
        discovery = client.get("/idp/.well-known/openid-configuration").json()
        assert discovery["issuer"] == f"{podium.url}/idp"
    print(f"\nfirst run: /ping {podium.ping_s:.1f} s, ready {podium.ready_s:.1f} s")


def test_later_run_starts_from_existing_home(podium: UpProcess, small_catalog: Path) -> None:
    later = start_up(podium.home, small_catalog, timeout_s=120)
    try:
        out = later.output()
        assert "First run" not in out and "Indexing" not in out
        with httpx.Client(base_url=later.url, timeout=10) as client:
            assert client.get("/ping").status_code == 200
    finally:
        later.stop()
    print(
        f"\nlater run: /ping {later.ping_s:.2f} s, ready {later.ready_s:.2f} s (process start included)"
    )


def test_up_keeps_a_dev_key_and_answers_invoke_agent_runtime(podium: UpProcess) -> None:
    import json

    import boto3
    from botocore.config import Config

    assert 'eval "$(podium aws-env)"' in podium.output()
    key = json.loads((podium.home / "aws-dev-key.json").read_text())
    client = boto3.client(
        "bedrock-agentcore",
        endpoint_url=podium.url,
        region_name="us-east-1",
        aws_access_key_id=key["access_key_id"],
        aws_secret_access_key=key["secret_access_key"],
        config=Config(retries={"max_attempts": 1}, read_timeout=120),
    )
    out = client.invoke_agent_runtime(
        agentRuntimeArn="arn:aws:bedrock-agentcore:us-east-1:000000000000:runtime/event_assistant",
        payload=json.dumps({"prompt": "Any sessions about Kubernetes?"}).encode(),
        runtimeUserId="invoke-tester",  # not alice: the browser test counts her sessions
    )
    assert out["statusCode"] == 200
    assert out["contentType"].startswith("text/event-stream")
    assert any(line.startswith(b"data: ") for line in out["response"].iter_lines())
