"""``podium deploy compose``: the files parse, every reference resolves, and the ports, probes,
env vars and commands are real (no container runtime here: structural checks, issue 14)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixtures.deploy_checks import (
    REPO,
    assert_podium_command,
    assert_settings_env,
    interpolate,
    served_status,
)
from podium.agents import SESSION_HEADER
from podium.deploy import DeployOptions, compose_files, write_files
from podium.deploy._options import GATEWAY_PORT, PING_PATH

PODIUM_SERVICES = ("migrate", "gateway-1", "gateway-2", "worker-1", "worker-2")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, Any]]:
    out = tmp_path_factory.mktemp("compose")
    files = compose_files(DeployOptions(source=REPO, public_host="podium.example.org"), out)
    write_files(files, out)
    return out, files, yaml.safe_load(files["docker-compose.yml"])


def _dotenv(files: dict[str, str]) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in files[".env.example"].splitlines()]
    return {k.strip(): v.strip() for k, v in (p for p in pairs if len(p) == 2 and "#" not in p[0])}


def test_the_services_are_the_ones_the_issue_asks_for(bundle: Any) -> None:
    _, _, compose = bundle
    services = compose["services"]
    assert set(services) == {"postgres", "proxy", *PODIUM_SERVICES}
    assert services["postgres"]["image"].startswith("pgvector/pgvector:")
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    # Everything Podium waits for the one-shot migration to have succeeded.
    for name in PODIUM_SERVICES[1:]:
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_reference_resolves(bundle: Any) -> None:
    out, _, compose = bundle
    services = compose["services"]
    for name, service in services.items():
        for target, rule in service.get("depends_on", {}).items():
            assert target in services, (name, target)
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[target], (name, target)
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (out / source).exists(), (name, volume)  # a generated file
            else:
                assert source in compose["volumes"], (name, volume)
        if "build" in service:
            context = (out / service["build"]["context"]).resolve()
            assert (context / "pyproject.toml").is_file()
            assert (context / service["build"]["dockerfile"]).resolve() == out / "Dockerfile"


def test_the_build_paths_are_relative_inside_a_checkout() -> None:
    out = REPO / "deploy" / "compose"  # not written: only the paths are computed
    compose = yaml.safe_load(compose_files(DeployOptions(source=REPO), out)["docker-compose.yml"])
    build = compose["services"]["migrate"]["build"]
    assert build == {"context": "../..", "dockerfile": "deploy/compose/Dockerfile"}


def test_env_vars_are_settings_and_validate_with_the_example_env(bundle: Any) -> None:
    _, files, _ = bundle
    dotenv = _dotenv(files)
    for name in PODIUM_SERVICES:
        raw = yaml.safe_load(files["docker-compose.yml"])["services"][name]["environment"]
        env = {k: interpolate(v, dotenv) for k, v in raw.items()}
        settings = assert_settings_env(env)
        assert settings.resolved_database_url.startswith("postgresql+psycopg://podium:")
        assert not settings.migrates_at_start  # only `podium migrate` migrates
    gateway = assert_settings_env(
        {
            k: interpolate(v, dotenv)
            for k, v in yaml.safe_load(files["docker-compose.yml"])["services"]["gateway-1"][
                "environment"
            ].items()
        }
    )
    assert gateway.port == GATEWAY_PORT
    assert gateway.embedded_worker is False  # extraction runs in the worker services only
    assert gateway.allowed_hosts == ["podium.example.org"]
    # Every variable the file uses has a value in .env.example, or a default.
    interpolate(files["docker-compose.yml"], dotenv)


def test_the_dockerfile_env_vars_are_settings() -> None:
    text = compose_files(DeployOptions(source=REPO), REPO / "deploy")["Dockerfile"]
    block = text.split("ENV PODIUM_", 1)[1].split("\nUSER", 1)[0]
    env = dict(pair.split("=", 1) for pair in ("PODIUM_" + block).replace("\\\n", " ").split())
    settings = assert_settings_env(env)
    assert settings.port == GATEWAY_PORT and settings.host == "0.0.0.0"
    # The catalog is copied from the checkout's data/ into /opt/podium/data.
    assert str(settings.catalog_path).startswith("/opt/podium/data/")
    assert (REPO / str(settings.catalog_path).removeprefix("/opt/podium/")).is_file()


def test_the_dockerfile_builds_podium_with_postgres_as_a_non_root_user() -> None:
    text = compose_files(DeployOptions(source=REPO), REPO / "deploy")["Dockerfile"]
    assert "FROM python:3.11-slim" in text
    assert 'pip install ".[postgres]"' in text
    assert "postgres" in (REPO / "pyproject.toml").read_text()
    assert 'ENTRYPOINT ["podium"]' in text
    user = re.search(r"^USER (\S+)", text, re.M)
    assert user is not None and not user.group(1).startswith(("0", "root"))
    for copied in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for path in copied.split():
            assert (REPO / path).exists(), path


def test_the_commands_are_real_podium_subcommands(bundle: Any) -> None:
    _, _, compose = bundle
    commands = {tuple(compose["services"][name]["command"]) for name in PODIUM_SERVICES}
    assert commands == {("migrate",), ("serve",), ("memory", "worker")}
    for command in commands:
        assert_podium_command(command)


def test_the_health_checks_ask_a_route_the_gateway_serves(bundle: Any) -> None:
    _, _, compose = bundle
    services = compose["services"]
    for name in ("gateway-1", "gateway-2"):
        probe = " ".join(services[name]["healthcheck"]["test"])
        url = re.search(r"http://([^/']+)(/[^']*)", probe)
        assert url is not None
        assert url.group(1) == f"127.0.0.1:{GATEWAY_PORT}" and url.group(2) == PING_PATH
    assert served_status(PING_PATH, "127.0.0.1") == 200
    proxy_probe = services["proxy"]["healthcheck"]["test"][-1]
    assert proxy_probe == f"http://127.0.0.1{PING_PATH}"


def test_the_proxy_reaches_every_gateway_and_keeps_the_host_allow_list_working(
    bundle: Any,
) -> None:
    _, files, compose = bundle
    services = compose["services"]
    conf = files["nginx.conf"]
    upstreams = re.findall(r"^\s*server (\S+):(\d+) ", conf, re.M)
    assert sorted(name for name, _ in upstreams) == ["gateway-1", "gateway-2"]
    for name, port in upstreams:
        assert name in services
        assert services[name]["environment"]["PODIUM_PORT"] == port
    listen = re.search(r"^\s*listen (\d+);", conf, re.M)
    assert listen is not None
    assert services["proxy"]["ports"] == [f"${{HTTP_PORT:-8080}}:{listen.group(1)}"]
    # The client's Host reaches the gateway, which serves the configured public name only.
    assert "proxy_set_header Host $host;" in conf
    assert served_status(PING_PATH, "podium.example.org", ["podium.example.org"]) == 200
    assert served_status(PING_PATH, "rebind.attacker.test", ["podium.example.org"]) == 400
    # One runtime session sticks to one gateway.
    assert f"hash $http_{SESSION_HEADER.lower().replace('-', '_')} consistent;" in conf


def test_the_command_writes_the_files_and_keeps_edits(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}

    def deploy(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "podium.cli", "deploy", "compose", "--out", str(out), *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={**env, "PODIUM_HOME": str(tmp_path / "home"), "COLUMNS": "200"},
        )

    out = tmp_path / "compose"
    first = deploy()
    assert first.returncode == 0, first.stderr
    assert {p.name for p in out.iterdir()} == {
        "docker-compose.yml",
        "nginx.conf",
        ".env.example",
        "Dockerfile",
        "Dockerfile.dockerignore",
    }
    assert deploy().returncode == 0  # the same files again: nothing to protect
    (out / "nginx.conf").write_text("edited\n")
    refused = deploy()
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert (out / "nginx.conf").read_text() == "edited\n"
    assert deploy("--force").returncode == 0
    assert (out / "nginx.conf").read_text() != "edited\n"
    bad = deploy("--public-host", "http://x")
    assert bad.returncode == 1 and "bare host name" in bad.stderr
