"""``podium deploy compose``: PostgreSQL + a one-shot migrate job + gateways behind nginx + workers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._dockerfile import DOCKERIGNORE, dockerfile
from ._options import (
    GATEWAY_COMMAND,
    GATEWAY_PORT,
    MIGRATE_COMMAND,
    PING_PATH,
    SESSION_HEADER,
    WORKER_COMMAND,
    DeployOptions,
    build_paths,
    env_name,
)
from ._yaml import dump_yaml

__all__ = ["POSTGRES_IMAGE", "PROXY_IMAGE", "compose_files"]

#: PostgreSQL with the pgvector extension available.
POSTGRES_IMAGE = "pgvector/pgvector:pg17"
#: nginx 1.27.3+ re-resolves upstream names (``server … resolve``) in the open-source build.
PROXY_IMAGE = "nginx:1.28-alpine"

_DB_URL = (
    "postgresql+psycopg://podium:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}"
    "@postgres:5432/podium"
)
# python:3.11-slim has no curl: the health check asks /ping with the standard library.
_PING = (
    "import urllib.request; "
    f"urllib.request.urlopen('http://127.0.0.1:{GATEWAY_PORT}{PING_PATH}', timeout=3)"
)


def _gateway_names(options: DeployOptions) -> list[str]:
    return [f"gateway-{i}" for i in range(1, options.gateways + 1)]


def _common_env() -> dict[str, str]:
    return {
        env_name("database_url"): _DB_URL,
        env_name("log_level"): "${PODIUM_LOG_LEVEL:-INFO}",
    }


def _podium_service(options: DeployOptions, out: Path, command: tuple[str, ...]) -> dict[str, Any]:
    context, dockerfile_path = build_paths(options.source, out)
    return {
        "image": "${IMAGE:-" + options.image + "}",
        # Every Podium service names the same build: BuildKit's cache builds the image once.
        "build": {"context": context, "dockerfile": dockerfile_path},
        "command": list(command),
    }


def _services(options: DeployOptions, out: Path) -> dict[str, Any]:
    migrated = {"migrate": {"condition": "service_completed_successfully"}}
    services: dict[str, Any] = {
        "postgres": {
            "image": POSTGRES_IMAGE,
            "environment": {
                "POSTGRES_USER": "podium",
                "POSTGRES_DB": "podium",
                "POSTGRES_PASSWORD": "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}",
            },
            "volumes": ["pgdata:/var/lib/postgresql/data"],
            "healthcheck": {
                "test": ["CMD-SHELL", "pg_isready -U podium -d podium"],
                "interval": "5s",
                "timeout": "5s",
                "retries": 30,
            },
            "restart": "unless-stopped",
        },
        # Runs the migrations once; everything else starts after it has exited 0.
        "migrate": {
            **_podium_service(options, out, MIGRATE_COMMAND),
            "environment": _common_env(),
            "depends_on": {"postgres": {"condition": "service_healthy"}},
            "restart": "no",
        },
    }
    gateway_env = {
        **_common_env(),
        env_name("model"): "${PODIUM_MODEL:-offline}",
        env_name("port"): str(GATEWAY_PORT),
        # Extraction runs in the worker services only.
        env_name("embedded_worker"): "false",
        env_name("allowed_hosts"): "${PODIUM_ALLOWED_HOSTS:-" + options.public_host + "}",
        env_name("auth_discovery_url"): (
            "${PODIUM_AUTH_DISCOVERY_URL:?set PODIUM_AUTH_DISCOVERY_URL in .env}"
        ),
        env_name("auth_allowed_audience"): "${PODIUM_AUTH_ALLOWED_AUDIENCE:-}",
        env_name("auth_allowed_clients"): "${PODIUM_AUTH_ALLOWED_CLIENTS:-}",
    }
    for name in _gateway_names(options):
        services[name] = {
            **_podium_service(options, out, GATEWAY_COMMAND),
            "environment": gateway_env,
            "depends_on": migrated,
            "healthcheck": {
                "test": ["CMD", "python", "-c", _PING],
                "interval": "10s",
                "timeout": "5s",
                "retries": 6,
                "start_period": "120s",
            },
            "restart": "unless-stopped",
        }
    for i in range(1, options.workers + 1):
        services[f"worker-{i}"] = {
            **_podium_service(options, out, WORKER_COMMAND),
            "environment": {**_common_env(), env_name("model"): "${PODIUM_MODEL:-offline}"},
            "depends_on": migrated,
            # SIGTERM: the worker finishes its current job, then exits.
            "stop_grace_period": "60s",
            "restart": "unless-stopped",
        }
    services["proxy"] = {
        "image": PROXY_IMAGE,
        "ports": ["${HTTP_PORT:-8080}:80"],
        "volumes": ["./nginx.conf:/etc/nginx/nginx.conf:ro"],
        "depends_on": {name: {"condition": "service_healthy"} for name in _gateway_names(options)},
        "healthcheck": {
            "test": ["CMD", "wget", "-q", "-O", "/dev/null", f"http://127.0.0.1{PING_PATH}"],
            "interval": "10s",
            "timeout": "5s",
            "retries": 3,
        },
        "restart": "unless-stopped",
    }
    return services


def _nginx_conf(options: DeployOptions) -> str:
    header_var = "$http_" + SESSION_HEADER.lower().replace("-", "_")
    servers = "\n".join(
        f"        server {name}:{GATEWAY_PORT} resolve max_fails=3 fail_timeout=10s;"
        for name in _gateway_names(options)
    )
    return f"""\
# nginx in front of the Podium gateways, generated by `podium deploy compose`.
worker_processes auto;
events {{
    worker_connections 4096;
}}
http {{
    # Docker's DNS: a gateway that restarts with a new address is found again.
    resolver 127.0.0.11 valid=10s ipv6=off;

    upstream podium_gateways {{
        zone podium_gateways 64k;
        # One runtime session to one gateway (its worker lives there); requests without the
        # header are spread round-robin.
        hash {header_var} consistent;
{servers}
        keepalive 32;
    }}

    server {{
        listen 80;
        client_max_body_size 100m;

        # Each gateway's Prometheus metrics are for the scraper on the inside, not the public.
        location = /metrics {{
            return 404;
        }}

        location / {{
            proxy_pass http://podium_gateways;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # The gateway answers only the host names it serves (PODIUM_ALLOWED_HOSTS and
            # loopback): pass the client's Host through unchanged.
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Streamed answers reach the client as they are written.
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_read_timeout 900s;
        }}
    }}
}}
"""


def _env_example(options: DeployOptions) -> str:
    return f"""\
# Copy to .env next to docker-compose.yml and fill in (docker compose reads it).
POSTGRES_PASSWORD=change-me
# Your OIDC provider's discovery document; gateways accept its access tokens.
PODIUM_AUTH_DISCOVERY_URL=https://idp.example.com/.well-known/openid-configuration
PODIUM_AUTH_ALLOWED_AUDIENCE=
PODIUM_AUTH_ALLOWED_CLIENTS=
# Host names clients use to reach the proxy (comma-separated).
PODIUM_ALLOWED_HOSTS={options.public_host}
PODIUM_MODEL=offline
PODIUM_LOG_LEVEL=INFO
# The proxy's port on this machine, and the image tag.
HTTP_PORT=8080
IMAGE={options.image}
"""


def compose_files(options: DeployOptions, out: Path) -> dict[str, str]:
    """The files of a Compose deployment written to ``out``: name -> text.

    ``docker-compose.yml``, ``nginx.conf``, ``.env.example``, the ``Dockerfile`` and its
    ``Dockerfile.dockerignore``. The build context is ``options.source``, relative to ``out``.
    """
    _, dockerfile_path = build_paths(options.source, out)
    comment = (
        "Podium in scaled mode, generated by `podium deploy compose`.\n"
        "  cp .env.example .env   # then edit it\n"
        "  docker compose up -d --build\n"
        "See docs/deployment.md."
    )
    compose = {
        "name": "podium",
        "services": _services(options, out),
        "volumes": {"pgdata": {}},
    }
    return {
        "docker-compose.yml": dump_yaml(compose, comment=comment),
        "nginx.conf": _nginx_conf(options),
        ".env.example": _env_example(options),
        "Dockerfile": dockerfile(f"docker build -f {dockerfile_path} -t {options.image} ."),
        "Dockerfile.dockerignore": DOCKERIGNORE,
    }
