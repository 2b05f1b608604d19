"""``podium serve`` (the AgentCore-compatible gateway) and ``podium idp`` (the dev OIDC issuer)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from . import _context
from ._output import command_group, err_console

__all__ = ["idp_app", "serve"]

idp_app = command_group("The built-in dev OIDC issuer.")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def serve(
    agent: Annotated[
        str, typer.Option(help="MODULE:APP or file.py:app of a BedrockAgentCoreApp.")
    ] = ("podium.apps.event_assistant.app:app"),
    name: Annotated[
        str | None,
        typer.Option(
            help="The app's AgentCore runtime name: InvokeAgentRuntime calls it as "
            "arn:aws:bedrock-agentcore:REGION:000000000000:runtime/NAME (default: from the "
            "module or file name, e.g. my_agent.py -> my_agent)."
        ),
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="Bind address (PODIUM_HOST, default 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (PODIUM_PORT, default 8080).")] = None,
    isolation: Annotated[
        str | None,
        typer.Option(help="process (one worker per session) or none (PODIUM_ISOLATION)."),
    ] = None,
    idle_timeout: Annotated[
        float | None, typer.Option(help="Session idle timeout, s (900).")
    ] = None,
    max_lifetime: Annotated[
        float | None, typer.Option(help="Session max lifetime, s (28800).")
    ] = None,
    max_workers: Annotated[int | None, typer.Option(help="Cap on live session workers.")] = None,
    dev_idp: Annotated[
        bool,
        typer.Option(
            "--dev-idp",
            help="Mount the dev OIDC issuer at /idp and trust its user access tokens for the "
            "clients podium-web and podium-cli (unless --allowed-clients/--allowed-audience).",
        ),
    ] = False,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="Disable JWT auth (development only).")
    ] = False,
    discovery_url: Annotated[
        str | None, typer.Option(help="OIDC discovery URL (PODIUM_AUTH_DISCOVERY_URL).")
    ] = None,
    allowed_audience: Annotated[str | None, typer.Option(help="Comma-separated audiences.")] = None,
    allowed_clients: Annotated[str | None, typer.Option(help="Comma-separated client ids.")] = None,
    allowed_scopes: Annotated[str | None, typer.Option(help="Comma-separated scopes.")] = None,
    custom_claims: Annotated[str | None, typer.Option(help="Custom claim rules as JSON.")] = None,
    actor_claim: Annotated[
        str | None, typer.Option(help="Claim holding the actor id (sub).")
    ] = None,
    header_allowlist: Annotated[
        str | None, typer.Option(help="Comma-separated headers passed to the app.")
    ] = None,
    public_url: Annotated[str | None, typer.Option(help="Externally visible base URL.")] = None,
) -> None:
    """Serve an agent app with the AgentCore Runtime contract (/ping, /invocations).

    The same app answers InvokeAgentRuntime (bedrock-agentcore) as runtime NAME.
    """
    from podium.aws import check_runtime_name
    from podium.runtime import serve as run_serve

    if name is not None:
        check_runtime_name(name)

    _context.configure(
        host=host,
        port=port,
        isolation=isolation,
        session_idle_timeout_s=idle_timeout,
        session_max_lifetime_s=max_lifetime,
        max_workers=max_workers,
        auth_disabled=no_auth or None,
        auth_discovery_url=discovery_url,
        auth_allowed_audience=allowed_audience,
        auth_allowed_clients=allowed_clients,
        auth_allowed_scopes=allowed_scopes,
        auth_custom_claims=custom_claims,
        auth_actor_claim=actor_claim,
        request_header_allowlist=header_allowlist,
    )
    settings = _context.settings()
    if dev_idp and not _is_loopback(settings.host):
        err_console.print(
            f"warning: --dev-idp on {settings.host} exposes the dev issuer and its published "
            "passwords (alice / alice-password, ...) to the network; use it on 127.0.0.1 only",
            markup=False,
        )
    if not (no_auth or dev_idp or settings.auth_discovery_url or settings.auth_disabled):
        err_console.print(
            "error: no identity provider: set PODIUM_AUTH_DISCOVERY_URL (or --discovery-url), "
            "use --dev-idp, or --no-auth for local development",
            markup=False,
        )
        raise typer.Exit(1)
    if not settings.migrates_at_start:
        # A schema behind this Podium stops here, in one line, not in the app's start-up.
        _context.database().dispose()
    run_serve(settings, agent, dev_idp=dev_idp, public_url=public_url, agent_name=name)


@idp_app.command("serve")
def idp_serve(
    host: Annotated[str, typer.Option(help="Bind address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 9000,
    redirect_uri: Annotated[
        list[str] | None,
        typer.Option(help="Exact redirect URI accepted for the podium-web client (repeatable)."),
    ] = None,
) -> None:
    """Run the dev OIDC issuer alone (discovery, JWKS, token, login page)."""
    import uvicorn

    from podium.identity import create_issuer_app, ensure_dev_users, idp_database

    settings = _context.settings()
    home = settings.ensure_home()
    database = idp_database(settings)  # scaled mode: keys and users in PostgreSQL
    ensure_dev_users(home, database=database)
    url = f"http://{host}:{port}"
    err_console.print(f"dev issuer at {url}/.well-known/openid-configuration (users: alice, bob)")
    app = create_issuer_app(
        url, home, redirect_uris={"podium-web": redirect_uri or []}, database=database
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


@idp_app.command("token")
def idp_token(
    user: Annotated[
        str | None,
        typer.Option(
            help="Dev user (e.g. alice); omit for a client token (which podium up and serve "
            "--dev-idp refuse unless --allowed-clients names the client)."
        ),
    ] = None,
    client_id: Annotated[str, typer.Option(help="Client id.")] = "podium-cli",
    issuer: Annotated[
        str | None,
        typer.Option(
            help="Issuer URL the token is for (default: http://PODIUM_HOST:PODIUM_PORT/idp, "
            "where podium up and podium serve --dev-idp mount it)."
        ),
    ] = None,
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds.")] = 3600,
) -> None:
    """Print a signed access token from the dev issuer's keys (for curl and scripts)."""
    from podium.identity import ensure_dev_users, idp_database, issue_token

    settings = _context.settings()
    home = settings.ensure_home()
    database = idp_database(settings)  # scaled mode: keys and users in PostgreSQL
    ensure_dev_users(home, database=database)
    issuer = issuer or f"http://{settings.host}:{settings.port}/idp"
    token = issue_token(home, issuer, user=user, client_id=client_id, ttl_s=ttl, database=database)
    print(token)
