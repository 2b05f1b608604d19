"""Deploy files for scaled mode: a Dockerfile, a Compose project and Kubernetes manifests.

``podium deploy compose|kubernetes`` writes them; see docs/deployment.md.
"""

from __future__ import annotations

from ._compose import compose_files
from ._kubernetes import kubernetes_files
from ._options import DeployOptions
from ._write import write_files

__all__ = ["DeployOptions", "compose_files", "kubernetes_files", "write_files"]
