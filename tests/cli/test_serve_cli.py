"""``podium serve`` and ``podium idp token`` as a user runs them: a real process on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from fixtures.web import free_port as _free_port
from fixtures.web import wait_ping as _wait_ping

APP = Path(__file__).parents[1] / "runtime" / "third_party_app.py"


def test_serve_third_party_app_with_dev_idp_tokens(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    home = tmp_path / "home"
    cmd = [sys.executable, "-m", "podium.cli", "--home", str(home)]
    proc = subprocess.Popen(
        [*cmd, "serve", "--agent", f"{APP}:app", "--port", str(port), "--dev-idp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    try:
        _wait_ping(base, proc)
        body = {"prompt": "hello"}
        assert httpx.post(f"{base}/invocations", json=body, timeout=30).status_code == 401
        token = subprocess.run(
            [*cmd, "idp", "token", "--user", "alice", "--issuer", f"{base}/idp"],
            capture_output=True, text=True, check=True, timeout=120,
        ).stdout.strip()  # fmt: skip
        headers = {
            "Authorization": f"Bearer {token}",
            "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": "cli-session-" + "x" * 30,
        }
        first = httpx.post(f"{base}/invocations", json=body, headers=headers, timeout=60)
        assert first.status_code == 200, first.text
        assert first.json() == {"result": "you said hello", "turns": 1}
        second = httpx.post(f"{base}/invocations", json=body, headers=headers, timeout=60)
        assert second.json()["turns"] == 2  # same session → same worker state
    finally:
        proc.terminate()
        proc.wait(30)


def test_serve_refuses_to_start_without_an_identity_provider(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "podium.cli", "--home", str(tmp_path), "serve", "--port", str(_free_port())],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "PODIUM_AUTH_DISCOVERY_URL" in proc.stderr


def test_serve_and_idp_token_follow_podium_host_port_and_isolation(tmp_path: Path) -> None:
    """Settings resolve as CLI flag > environment > default: no flag here, so PODIUM_* decide."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")},
        "PODIUM_HOME": str(tmp_path / "home"),
        "PODIUM_HOST": "127.0.0.1",
        "PODIUM_PORT": str(port),
        "PODIUM_ISOLATION": "none",
    }
    cmd = [sys.executable, "-m", "podium.cli"]
    proc = subprocess.Popen(
        [*cmd, "serve", "--agent", f"{APP}:app", "--dev-idp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        _wait_ping(base, proc)
        # No --issuer: the token is for http://PODIUM_HOST:PODIUM_PORT/idp, which this gateway trusts.
        token = subprocess.run(
            [*cmd, "idp", "token", "--user", "alice"],
            capture_output=True, text=True, check=True, timeout=120, env=env,
        ).stdout.strip()  # fmt: skip
        auth = {"Authorization": f"Bearer {token}"}
        turns = []
        for name in ("first", "second"):
            headers = {**auth, "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": name + "-" + "s" * 40}
            reply = httpx.post(
                f"{base}/invocations", json={"prompt": "hi"}, headers=headers, timeout=60
            )
            assert reply.status_code == 200, reply.text
            turns.append(reply.json()["turns"])
        # isolation=none: both sessions share the app's module state (one process).
        assert turns == [1, 2]
    finally:
        proc.terminate()
        proc.wait(30)


def test_idp_serve_accepts_only_the_redirect_uris_it_is_given(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    spa = "http://127.0.0.1:5173/callback"
    proc = subprocess.Popen(
        [sys.executable, "-m", "podium.cli", "--home", str(tmp_path / "home"), "idp", "serve",
         "--port", str(port), "--redirect-uri", spa],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.time() + 90
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                httpx.get(f"{base}/jwks.json", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                assert time.time() < deadline, "podium idp serve did not start"
                time.sleep(0.2)
        params = {
            "response_type": "code",
            "client_id": "podium-web",
            "code_challenge": "c" * 43,
            "code_challenge_method": "S256",
        }
        ok = httpx.get(f"{base}/authorize", params={**params, "redirect_uri": spa})
        assert ok.status_code == 200
        other = httpx.get(
            f"{base}/authorize", params={**params, "redirect_uri": "http://127.0.0.1:5174/callback"}
        )
        assert other.status_code == 400
    finally:
        proc.terminate()
        proc.wait(30)
