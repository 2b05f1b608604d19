"""``podium deploy``: write the files that run Podium in scaled mode (PostgreSQL, many processes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._output import command_group, console

if TYPE_CHECKING:
    from podium.deploy import DeployOptions

__all__ = ["deploy_app"]

deploy_app = command_group(
    "Write deploy files: a Dockerfile with Docker Compose or Kubernetes (see docs/deployment.md)."
)

_Out = Annotated[Path | None, typer.Option("--out", help="Folder to write into.")]
_Image = Annotated[str | None, typer.Option(help="Image tag (default podium:VERSION).")]
_Source = Annotated[
    Path | None,
    typer.Option(help="Podium source folder the image is built from (default: this checkout)."),
]
_Force = Annotated[bool, typer.Option("--force", help="Replace files that were edited.")]


def _options(
    *, image: str | None, public_host: str, source: Path | None, namespace: str = "podium"
) -> DeployOptions:
    from podium.deploy import DeployOptions

    optional: dict[str, Any] = {}
    if image is not None:
        optional["image"] = image
    if source is not None:
        optional["source"] = source.expanduser().resolve()
    return DeployOptions(public_host=public_host, namespace=namespace, **optional)


def _write(files: dict[str, str], out: Path, force: bool, next_steps: str) -> None:
    from podium.deploy import write_files

    for path in write_files(files, out, force=force):
        console.print(f"wrote {path}", markup=False, soft_wrap=True)
    console.print(next_steps, markup=False, soft_wrap=True)


@deploy_app.command("compose")
def compose(
    out: _Out = None,
    image: _Image = None,
    public_host: Annotated[
        str, typer.Option(help="Host name clients use to reach the proxy.")
    ] = "localhost",
    source: _Source = None,
    force: _Force = False,
) -> None:
    """PostgreSQL + pgvector, a one-shot migrate job, 2 gateways behind nginx, 2 workers."""
    from podium.deploy import compose_files

    folder = (out or Path("deploy/compose")).expanduser()
    options = _options(image=image, public_host=public_host, source=source)
    _write(
        compose_files(options, folder),
        folder,
        force,
        f"next: cd {folder} && cp .env.example .env (then edit it) && docker compose up -d --build",
    )


@deploy_app.command("kubernetes")
def kubernetes(
    out: _Out = None,
    image: _Image = None,
    public_host: Annotated[
        str, typer.Option(help="Host name of the Ingress (and PODIUM_ALLOWED_HOSTS).")
    ] = "podium.example.com",
    namespace: Annotated[str, typer.Option(help="Kubernetes namespace.")] = "podium",
    source: _Source = None,
    force: _Force = False,
) -> None:
    """Deployments, Services, HPA, PodDisruptionBudgets, ConfigMap/Secret and a migrate Job."""
    from podium.deploy import kubernetes_files

    folder = (out or Path("deploy/kubernetes")).expanduser()
    options = _options(image=image, public_host=public_host, namespace=namespace, source=source)
    _write(
        kubernetes_files(options, folder),
        folder,
        force,
        f"next: build and push the image, edit {folder}/config.yaml (database URL, identity "
        f"provider), then kubectl apply -k {folder}",
    )
