"""``podium deploy kubernetes``: manifests for gateways, extraction workers and a migrate Job.

PostgreSQL is not among them: point the Secret's ``PODIUM_DATABASE_URL`` at a managed or
operator-run server with the pgvector extension available.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from podium import __version__

from ._dockerfile import DOCKERIGNORE, UID, dockerfile
from ._options import (
    GATEWAY_COMMAND,
    GATEWAY_PORT,
    HOME_DIR,
    MIGRATE_COMMAND,
    PING_PATH,
    PROBE_HOST,
    SCHEMA_WAIT,
    SESSION_HEADER,
    WORKER_COMMAND,
    DeployOptions,
    build_paths,
    env_name,
)
from ._yaml import dump_documents, dump_yaml

__all__ = ["GATEWAY", "MANIFESTS", "WORKER", "kubernetes_files"]

GATEWAY = "podium-gateway"
WORKER = "podium-extraction-worker"
CONFIG = "podium-config"
SECRET = "podium-database"
#: The manifest files, in the order ``kubectl apply -k`` lists them.
MANIFESTS = (
    "namespace.yaml",
    "config.yaml",
    "migrate-job.yaml",
    "gateway.yaml",
    "extraction-worker.yaml",
    "ingress.yaml",
)


def _labels(component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": "podium", "app.kubernetes.io/component": component}


def _meta(name: str, options: DeployOptions, component: str) -> dict[str, Any]:
    labels = {**_labels(component), "app.kubernetes.io/version": __version__}
    return {"name": name, "namespace": options.namespace, "labels": labels}


def _container(name: str, options: DeployOptions, args: tuple[str, ...]) -> dict[str, Any]:
    return {
        "name": name,
        "image": options.image,
        "imagePullPolicy": "IfNotPresent",
        "args": list(args),
        "envFrom": [{"configMapRef": {"name": CONFIG}}, {"secretRef": {"name": SECRET}}],
        "volumeMounts": [{"name": "home", "mountPath": HOME_DIR}],
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
    }


def _schema_wait(options: DeployOptions) -> dict[str, Any]:
    """An init container: the pod starts once the migrate Job has brought the schema to head."""
    wait = _container("wait-for-schema", options, ())
    del wait["args"]
    wait["command"] = ["sh", "-c", SCHEMA_WAIT]
    return wait


def _pod(
    options: DeployOptions, component: str, containers: list[dict[str, Any]], **spec: Any
) -> dict[str, Any]:
    return {
        "metadata": {"labels": _labels(component)},
        "spec": {
            **spec,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": UID,
                "runAsGroup": UID,
                "fsGroup": UID,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": containers,
            # PODIUM_HOME is scratch in scaled mode: everything shared is in PostgreSQL.
            "volumes": [{"name": "home", "emptyDir": {}}],
        },
    }


def _probe(**extra: Any) -> dict[str, Any]:
    return {
        "httpGet": {
            "path": PING_PATH,
            "port": "http",
            "httpHeaders": [{"name": "Host", "value": PROBE_HOST}],
        },
        **extra,
    }


def _config(options: DeployOptions) -> list[dict[str, Any]]:
    service_dns = f"{GATEWAY}.{options.namespace}.svc"
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(CONFIG, options, "config"),
        "data": {
            env_name("model"): "offline",
            env_name("log_level"): "INFO",
            # The public name (the Ingress) and the Service's names for in-cluster clients.
            env_name("allowed_hosts"): ",".join(
                [options.public_host, GATEWAY, service_dns, f"{service_dns}.cluster.local"]
            ),
            env_name("auth_discovery_url"): (
                "https://idp.example.com/.well-known/openid-configuration"
            ),
            env_name("auth_allowed_audience"): "",
            env_name("auth_allowed_clients"): "",
        },
    }
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta(SECRET, options, "config"),
        "type": "Opaque",
        "stringData": {
            env_name("database_url"): (
                "postgresql+psycopg://podium:CHANGE-ME@postgres.example.internal:5432/podium"
            ),
        },
    }
    return [config, secret]


def _migrate_job(options: DeployOptions) -> dict[str, Any]:
    # A Job's pod template cannot change: one Job per release, named after the version.
    version = re.sub(r"[^a-z0-9-]+", "-", __version__.lower()).strip("-")
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(f"podium-migrate-{version}", options, "migrate"),
        "spec": {
            "backoffLimit": 6,
            "template": _pod(
                options,
                "migrate",
                [_container("migrate", options, MIGRATE_COMMAND)],
                restartPolicy="OnFailure",
            ),
        },
    }


def _gateway(options: DeployOptions) -> list[dict[str, Any]]:
    container = _container("gateway", options, GATEWAY_COMMAND)
    container["env"] = [
        {"name": env_name("port"), "value": str(GATEWAY_PORT)},
        # Extraction runs in the worker Deployment only.
        {"name": env_name("embedded_worker"), "value": "false"},
    ]
    container["ports"] = [{"name": "http", "containerPort": GATEWAY_PORT}]
    container["startupProbe"] = _probe(periodSeconds=5, failureThreshold=36)
    container["readinessProbe"] = _probe(periodSeconds=10, timeoutSeconds=3)
    container["livenessProbe"] = _probe(periodSeconds=20, timeoutSeconds=5, failureThreshold=3)
    # Leave the Service's endpoints before the gateway stops taking requests.
    container["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    container["resources"] = {
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"memory": "4Gi"},
    }
    selector = {"matchLabels": _labels("gateway")}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(GATEWAY, options, "gateway"),
        # No replicas: the HorizontalPodAutoscaler owns the count (minReplicas below).
        "spec": {
            "selector": selector,
            "template": _pod(
                options,
                "gateway",
                [container],
                initContainers=[_schema_wait(options)],
                terminationGracePeriodSeconds=30,
            ),
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(GATEWAY, options, "gateway"),
        "spec": {
            "selector": _labels("gateway"),
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
        },
    }
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(GATEWAY, options, "gateway"),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": GATEWAY},
            "minReplicas": options.gateways,
            "maxReplicas": max(10, options.gateways * 5),
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
            # Live sessions are on the gateways: scale down slowly.
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 600}},
        },
    }
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(GATEWAY, options, "gateway"),
        "spec": {"minAvailable": 1, "selector": selector},
    }
    return [deployment, service, hpa, pdb]


def _worker(options: DeployOptions) -> list[dict[str, Any]]:
    container = _container("extraction-worker", options, WORKER_COMMAND)
    container["resources"] = {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"memory": "2Gi"},
    }
    selector = {"matchLabels": _labels("extraction-worker")}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(WORKER, options, "extraction-worker"),
        "spec": {
            "replicas": options.workers,
            "selector": selector,
            "template": _pod(
                options,
                "extraction-worker",
                [container],
                initContainers=[_schema_wait(options)],
                # SIGTERM: the worker finishes its current job, then exits.
                terminationGracePeriodSeconds=60,
            ),
        },
    }
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(WORKER, options, "extraction-worker"),
        "spec": {"minAvailable": 1, "selector": selector},
    }
    return [deployment, pdb]


def _ingress(options: DeployOptions) -> dict[str, Any]:
    header_var = "$http_" + SESSION_HEADER.lower().replace("-", "_")
    meta = _meta(GATEWAY, options, "gateway")
    # ingress-nginx's names; other controllers ignore them. The Host header passes through.
    meta["annotations"] = {
        "nginx.ingress.kubernetes.io/upstream-hash-by": header_var,
        "nginx.ingress.kubernetes.io/proxy-body-size": "100m",
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "900",
        "nginx.ingress.kubernetes.io/proxy-buffering": "off",
    }
    backend = {"service": {"name": GATEWAY, "port": {"name": "http"}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta,
        "spec": {
            "rules": [
                {
                    "host": options.public_host,
                    "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]},
                }
            ]
        },
    }


def kubernetes_files(options: DeployOptions, out: Path) -> dict[str, str]:
    """The files of a Kubernetes deployment written to ``out``: name -> text.

    The manifests (:data:`MANIFESTS`), a ``kustomization.yaml`` listing them, and the
    ``Dockerfile`` (with its ``Dockerfile.dockerignore``) the image is built from.
    """
    _, dockerfile_path = build_paths(options.source, out)
    note = "generated by `podium deploy kubernetes`; see docs/deployment.md."
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": options.namespace, "labels": {"app.kubernetes.io/name": "podium"}},
    }
    documents = {
        "namespace.yaml": [namespace],
        "config.yaml": _config(options),
        "migrate-job.yaml": [_migrate_job(options)],
        "gateway.yaml": _gateway(options),
        "extraction-worker.yaml": _worker(options),
        "ingress.yaml": [_ingress(options)],
    }
    files = {
        name: dump_documents(docs, comment=f"Podium: {note}") for name, docs in documents.items()
    }
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": options.namespace,
        "resources": list(MANIFESTS),
    }
    files["kustomization.yaml"] = dump_yaml(
        kustomization, comment=f"Podium: {note}\n  kubectl apply -k .   # from this folder"
    )
    files["Dockerfile"] = dockerfile(f"docker build -f {dockerfile_path} -t {options.image} .")
    files["Dockerfile.dockerignore"] = DOCKERIGNORE
    return files
