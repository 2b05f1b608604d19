"""What every deploy target shares: the options, the image, the commands, the port and the probe."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from podium import __version__
from podium.config import ENV_PREFIX, Settings
from podium.errors import InvalidInput

__all__ = [
    "GATEWAY_COMMAND",
    "GATEWAY_PORT",
    "HOME_DIR",
    "MIGRATE_COMMAND",
    "PING_PATH",
    "PROBE_HOST",
    "SCHEMA_WAIT",
    "SESSION_HEADER",
    "WORKER_COMMAND",
    "DeployOptions",
    "build_paths",
    "default_source",
    "env_name",
]

#: The port a gateway listens on inside its container (``PODIUM_PORT``).
GATEWAY_PORT = 8080
#: The gateway's health route (the AgentCore runtime contract); no sign-in needed.
PING_PATH = "/ping"
#: The ``Host`` a probe sends: a loopback name, which the gateway's Host allow-list always serves
#: (a kubelet would otherwise send the pod's IP, which it refuses with a 400).
PROBE_HOST = "localhost"
#: ``PODIUM_HOME`` in the image: the non-root user's home (scratch only in scaled mode).
HOME_DIR = "/var/lib/podium"
#: The runtime session header: the proxy routes one session to one gateway by it.
SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"

#: ``podium`` subcommands (the image's entrypoint is ``podium``).
GATEWAY_COMMAND = ("serve",)
WORKER_COMMAND = ("memory", "worker")
MIGRATE_COMMAND = ("migrate",)
#: A shell loop that waits until ``podium migrate`` has brought the schema to this release.
SCHEMA_WAIT = "until podium migrate --check; do sleep 5; done"


def env_name(setting: str) -> str:
    """The ``PODIUM_*`` variable of a :class:`Settings` field (a typo fails here, not in a pod)."""
    if setting not in Settings.model_fields:
        raise KeyError(f"{setting!r} is not a Podium setting")
    return f"{ENV_PREFIX}{setting.upper()}"


def build_paths(source: Path, out: Path) -> tuple[str, str]:
    """``(context, dockerfile)`` for files written to ``out``, the image built from ``source``.

    The context is as seen from ``out`` and the Dockerfile as seen from the context: relative
    when ``out`` is inside the source folder (the files can move with the checkout), else
    absolute.
    """
    source, out = source.resolve(), out.resolve()
    if out.is_relative_to(source):
        return os.path.relpath(source, out), (out / "Dockerfile").relative_to(source).as_posix()
    return str(source), str(out / "Dockerfile")


def default_source() -> Path:
    """The Podium source folder the image is built from: this checkout, else the current folder."""
    checkout = Path(__file__).resolve().parents[3]
    return checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()


@dataclass(kw_only=True)
class DeployOptions:
    """What the generated files are for.

    Attributes:
        image: the image tag the Dockerfile builds and every Podium container runs.
        public_host: the host name clients use (added to ``PODIUM_ALLOWED_HOSTS``).
        source: the Podium source folder (the image's build context).
        gateways: gateway replicas (Kubernetes: the autoscaler's minimum).
        workers: extraction worker replicas.
        namespace: the Kubernetes namespace.
    """

    image: str = f"podium:{__version__}"
    public_host: str = "localhost"
    source: Path = field(default_factory=default_source)
    gateways: int = 2
    workers: int = 2
    namespace: str = "podium"

    def __post_init__(self) -> None:
        if not (self.source / "pyproject.toml").is_file():
            raise InvalidInput(
                f"{self.source} is not a Podium source folder (no pyproject.toml): pass --source"
            )
        if self.gateways < 1 or self.workers < 1:
            raise InvalidInput("gateways and workers must be at least 1")
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", self.namespace):
            raise InvalidInput(f"namespace {self.namespace!r} is not a DNS label")
        if not self.image or any(c.isspace() for c in self.image):
            raise InvalidInput(f"image {self.image!r} is not an image reference")
        if not self.public_host or any(c in self.public_host for c in " /:,"):
            raise InvalidInput(f"public host {self.public_host!r} must be a bare host name")
