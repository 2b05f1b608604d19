"""The ``podium`` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from podium import __version__
from podium.errors import PodiumError
from podium.telemetry import configure_logging

from . import _context
from ._chat import ask, chat
from ._db import backup, db_app, restore
from ._demo import demo
from ._deploy import deploy_app
from ._eval import eval_app
from ._kb import kb_app
from ._keys import aws_env, keys_app
from ._memory import memory_app
from ._migrate import migrate
from ._output import command_group, err_console
from ._serve import idp_app, serve
from ._up import up

__all__ = ["app", "main"]

app = command_group(
    "Podium: self-hostable, personalised agentic-RAG assistants (offline by default).",
    name="podium",
    pretty_exceptions_enable=False,
    invoke_without_command=True,
    add_completion=False,
)
app.add_typer(kb_app, name="kb")
app.add_typer(eval_app, name="eval")
app.add_typer(memory_app, name="memory")
app.command("up")(up)
app.command("migrate")(migrate)
app.add_typer(deploy_app, name="deploy")
app.command("serve")(serve)
app.add_typer(idp_app, name="idp")
app.add_typer(keys_app, name="keys")
app.command("aws-env")(aws_env)
app.command("demo")(demo)
app.command("chat")(chat)
app.command("ask")(ask)
app.add_typer(db_app, name="db")
app.command("backup")(backup)
app.command("restore")(restore)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(help="Data directory (default: $PODIUM_HOME or the user data dir)."),
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help="DEBUG, INFO, WARNING (default), ERROR.")
    ] = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """Global options."""
    # Not an eager callback: those run before the arguments are checked, so `--version true`
    # would print the version instead of failing on "true".
    if version:
        if ctx.invoked_subcommand is not None:
            raise typer.BadParameter("takes no command", param_hint="--version")
        print(__version__)
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        print(ctx.get_help())
        raise typer.Exit()
    _context.configure(home=home, log_level=log_level)
    configure_logging(_context.settings(), "%(asctime)s %(levelname)s %(name)s: %(message)s")


def main() -> None:
    """Console-script entry point: one clear line and a non-zero exit for any Podium error."""
    try:
        app()
    except PodiumError as e:
        err_console.print(f"error: {e.message}", soft_wrap=True, markup=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
