"""``podium deploy kubernetes``: the manifests parse, every name they refer to exists, and the
probes, ports, env vars and commands are real (structural checks: no cluster here, issue 14)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixtures.deploy_checks import (
    REPO,
    assert_podium_command,
    assert_settings_env,
    served_status,
)
from podium import __version__
from podium.deploy import DeployOptions, kubernetes_files, write_files
from podium.deploy._kubernetes import GATEWAY, MANIFESTS, WORKER
from podium.deploy._options import GATEWAY_PORT, PING_PATH, PROBE_HOST

NAMESPACE = "events"
PUBLIC = "assistant.example.org"


@pytest.fixture(scope="module")
def resources(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Any]]:
    out = tmp_path_factory.mktemp("k8s")
    options = DeployOptions(source=REPO, namespace=NAMESPACE, public_host=PUBLIC)
    files = kubernetes_files(options, out)
    write_files(files, out)
    kustomization = yaml.safe_load(files["kustomization.yaml"])
    assert kustomization["resources"] == list(MANIFESTS)
    assert kustomization["namespace"] == NAMESPACE
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for name in kustomization["resources"]:
        assert (out / name).is_file(), name
        for doc in yaml.safe_load_all((out / name).read_text()):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in found, key
            found[key] = doc
    return found


def _of_kind(resources: dict[tuple[str, str], Any], kind: str) -> list[dict[str, Any]]:
    return [doc for (k, _), doc in resources.items() if k == kind]


def _pod_containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    spec = deployment["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def _workloads(resources: dict[tuple[str, str], Any]) -> list[dict[str, Any]]:
    return _of_kind(resources, "Deployment") + _of_kind(resources, "Job")


def test_the_kinds_the_issue_asks_for_are_there(resources: Any) -> None:
    kinds = {kind for kind, _ in resources}
    assert {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "ConfigMap",
        "Secret",
        "Job",
    } <= kinds
    assert ("Deployment", GATEWAY) in resources and ("Deployment", WORKER) in resources
    for (kind, name), doc in resources.items():
        if kind != "Namespace":
            assert doc["metadata"]["namespace"] == NAMESPACE, (kind, name)
    job = _of_kind(resources, "Job")[0]
    assert __version__.replace(".", "-") in job["metadata"]["name"]  # one Job per release


def test_every_reference_resolves(resources: Any) -> None:
    for workload in _workloads(resources):
        pod = workload["spec"]["template"]
        volumes = {v["name"] for v in pod["spec"].get("volumes", [])}
        for container in _pod_containers(workload):
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert ("ConfigMap", source["configMapRef"]["name"]) in resources
                if "secretRef" in source:
                    assert ("Secret", source["secretRef"]["name"]) in resources
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in volumes
        if workload["kind"] == "Deployment":
            selector = workload["spec"]["selector"]["matchLabels"]
            assert selector.items() <= pod["metadata"]["labels"].items()
    for service in _of_kind(resources, "Service"):
        pods = [
            d
            for d in _of_kind(resources, "Deployment")
            if service["spec"]["selector"].items()
            <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert [d["metadata"]["name"] for d in pods] == [GATEWAY]
        port_names = {p["name"] for c in _pod_containers(pods[0]) for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names
    for hpa in _of_kind(resources, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) in resources
        assert hpa["spec"]["minReplicas"] >= 2
        # The autoscaler owns the count: a replicas field would reset it on every apply.
        assert "replicas" not in resources[(target["kind"], target["name"])]["spec"]
    for pdb in _of_kind(resources, "PodDisruptionBudget"):
        labels = pdb["spec"]["selector"]["matchLabels"]
        assert any(
            labels.items() <= d["spec"]["template"]["metadata"]["labels"].items()
            for d in _of_kind(resources, "Deployment")
        )
    for ingress in _of_kind(resources, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            assert rule["host"] == PUBLIC
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = resources[("Service", backend["name"])]
                assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_env_vars_are_settings_and_validate(resources: Any) -> None:
    config = resources[("ConfigMap", "podium-config")]["data"]
    secret = resources[("Secret", "podium-database")]["stringData"]
    for workload in _workloads(resources):
        for container in _pod_containers(workload):
            env = {**config, **secret}
            env.update({e["name"]: e["value"] for e in container.get("env", [])})
            settings = assert_settings_env(env)
            assert settings.resolved_database_url.startswith("postgresql+psycopg://")
            assert not settings.migrates_at_start
    gateway = _pod_containers(resources[("Deployment", GATEWAY)])[-1]
    env = {**config, **secret, **{e["name"]: e["value"] for e in gateway["env"]}}
    settings = assert_settings_env(env)
    assert settings.port == GATEWAY_PORT
    assert [p["containerPort"] for p in gateway["ports"]] == [GATEWAY_PORT]
    assert settings.embedded_worker is False
    assert PUBLIC in settings.allowed_hosts and GATEWAY in settings.allowed_hosts


def test_the_probes_ask_a_route_the_gateway_serves_with_a_host_it_serves(resources: Any) -> None:
    gateway = _pod_containers(resources[("Deployment", GATEWAY)])[-1]
    port_names = {p["name"] for p in gateway["ports"]}
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        probe = gateway[kind]["httpGet"]
        assert probe["path"] == PING_PATH and probe["port"] in port_names
        assert probe["httpHeaders"] == [{"name": "Host", "value": PROBE_HOST}]
    assert served_status(PING_PATH, PROBE_HOST) == 200
    # Why the header is there: a kubelet's default Host is the pod's IP, which is refused.
    assert served_status(PING_PATH, "10.244.1.17") == 400
    assert served_status(PING_PATH, PUBLIC, [PUBLIC]) == 200


def test_the_commands_are_real_podium_subcommands(resources: Any) -> None:
    seen = set()
    for workload in _workloads(resources):
        for container in _pod_containers(workload):
            if "args" in container:
                seen.add(tuple(container["args"]))
                assert_podium_command(container["args"])
            else:
                assert container["command"][:2] == ["sh", "-c"]
                words = shlex.split(container["command"][2].replace(";", " ; "))
                start = words.index("podium")
                command = words[start + 1 : words.index(";", start)]
                assert command == ["migrate", "--check"]
                seen.add(tuple(command))
                assert_podium_command(command)
    assert seen == {("serve",), ("memory", "worker"), ("migrate",), ("migrate", "--check")}


def test_pods_run_as_the_images_non_root_user(resources: Any) -> None:
    dockerfile = kubernetes_files(DeployOptions(source=REPO), REPO / "deploy")["Dockerfile"]
    for workload in _workloads(resources):
        security = workload["spec"]["template"]["spec"]["securityContext"]
        assert security["runAsNonRoot"] is True
        assert f"USER {security['runAsUser']}:" in dockerfile


def test_the_command_writes_the_manifests(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    out = tmp_path / "k8s"
    done = subprocess.run(
        [sys.executable, "-m", "podium.cli", "deploy", "kubernetes", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "PODIUM_HOME": str(tmp_path / "home"), "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.iterdir()} == {
        *MANIFESTS,
        "kustomization.yaml",
        "Dockerfile",
        "Dockerfile.dockerignore",
    }
    assert "kubectl apply -k" in done.stdout
