"""``podium keys`` (access keys for the AWS-compatible endpoints) and ``podium aws-env``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from . import _context
from ._output import command_group, console, err_console, print_json

if TYPE_CHECKING:
    from podium.aws import AccessKeys
    from podium.config import Settings

__all__ = ["aws_env", "default_url", "keys_app"]

keys_app = command_group(
    "Access keys for the AWS-compatible endpoints (SigV4), each limited to an actor pattern."
)
JsonOpt = Annotated[bool | None, typer.Option("--json", help="Print JSON.")]


def _keys() -> AccessKeys:
    from podium.aws import AccessKeys

    return AccessKeys(_context.database())


def default_url(settings: Settings) -> str:
    """The URL ``podium up`` and ``podium serve`` answer at: ``http://PODIUM_HOST:PODIUM_PORT``.

    A wildcard bind address (``0.0.0.0``, ``::``) is reached on loopback.
    """
    host = settings.host
    if host in ("0.0.0.0", "::", "[::]", ""):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


@keys_app.command("create")
def create(
    actor_pattern: Annotated[
        str | None,
        typer.Option(
            help="Glob of the actor ids the key may act for (default *: every actor), "
            "e.g. 'alice' or 'team-a-*'."
        ),
    ] = None,
    description: Annotated[str | None, typer.Option(help="Free text.")] = None,
    as_json: JsonOpt = None,
) -> None:
    """Create a key; its secret is printed this once."""
    key = _keys().create(actor_pattern=actor_pattern or "*", description=description or "")
    if as_json:
        print_json({**key.public(), "secret_access_key": key.secret_access_key})
        return
    print(f"access key id:     {key.access_key_id}")
    print(f"secret access key: {key.secret_access_key}")
    print(f"actor pattern:     {key.actor_pattern}")
    err_console.print("The secret is shown only now; store it.", markup=False)


@keys_app.command("list")
def list_(as_json: JsonOpt = None) -> None:
    """List the keys (never their secrets)."""
    keys = _keys().list()
    if as_json:
        print_json([k.public() for k in keys])
        return
    table = Table("access key id", "actor pattern", "description", "created (UTC)")
    for k in keys:
        created = datetime.fromtimestamp(k.created_at, UTC).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(k.access_key_id, k.actor_pattern, k.description, created)
    console.print(table)


@keys_app.command("delete")
def delete(key_id: Annotated[str, typer.Argument(help="The access key id.")]) -> None:
    """Delete a key; calls signed with it are refused from now on."""
    _keys().delete(key_id)
    console.print(f"deleted access key {key_id}", markup=False)


def aws_env(
    url: Annotated[
        str | None,
        typer.Option(
            help="Podium's base URL (default http://PODIUM_HOST:PODIUM_PORT, "
            "http://127.0.0.1:8080 unless set)."
        ),
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="AWS_REGION to print (PODIUM_AWS_REGION, else us-east-1).")
    ] = None,
) -> None:
    """Print `export` lines that point the AWS SDKs at Podium: eval "$(podium aws-env)".

    The endpoint variables of bedrock-agent, bedrock-agent-runtime, bedrock-agentcore,
    bedrock-agentcore-control, bedrock-runtime and s3vectors, AWS_REGION, and the home's dev
    key (every actor; created on first use) as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    """
    from podium.aws import DEFAULT_REGION, dev_key, export_lines
    from podium.aws import aws_env as build_env
    from podium.errors import InvalidInput

    settings = _context.settings()
    base = url or default_url(settings)
    if not base.startswith(("http://", "https://")):
        raise InvalidInput(f"--url {base!r} must start with http:// or https://")
    key = dev_key(settings, _keys())
    assert key is not None  # create=True
    env = build_env(base, key, region or settings.aws_region or DEFAULT_REGION)
    # Plain print: a console would wrap long lines, and the output is for `eval`.
    print(export_lines(env), end="")
