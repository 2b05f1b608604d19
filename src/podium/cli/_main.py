"""The ``podium`` command line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from podium import __version__
from podium.errors import PodiumError

from . import _context
from ._chat import ask, chat
from ._demo import demo
from ._eval import eval_app
from ._kb import kb_app
from ._memory import memory_app
from ._output import err_console
from ._serve import idp_app, serve
from ._up import up

__all__ = ["app", "main"]

app = typer.Typer(
    name="podium",
    help="Podium: self-hostable, personalised agentic-RAG assistants (offline by default).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(kb_app, name="kb")
app.add_typer(eval_app, name="eval")
app.add_typer(memory_app, name="memory")
app.command("up")(up)
app.command("serve")(serve)
app.add_typer(idp_app, name="idp")
app.command("demo")(demo)
app.command("chat")(chat)
app.command("ask")(ask)


def _version(value: bool) -> None:
    if value:
        print(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    home: Annotated[
        Path | None,
        typer.Option(help="Data directory (default: $PODIUM_HOME or the user data dir)."),
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help="DEBUG, INFO, WARNING (default), ERROR.")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Global options."""
    _context.configure(home=home, log_level=log_level)
    logging.basicConfig(
        level=_context.settings().log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


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
