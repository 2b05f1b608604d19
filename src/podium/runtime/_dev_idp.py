"""The dev issuer as the gateway mounts it (``--dev-idp``, ``podium up``), and how it is trusted.

Mounted at ``/idp``, the issuer accepts the web UI's own origins (``http://<served host>:<port>/``
and the public URL) as exact redirect URIs of the UI client. Trusting it, the gateway accepts
only user *access* tokens issued to its own clients (the UI's and ``podium-cli``) for the
issuer's audience: not ID tokens, not another audience's tokens, not client-credentials tokens.
``--allowed-clients`` / ``--allowed-audience`` (``PODIUM_AUTH_ALLOWED_*``) replace those
defaults; ID tokens stay refused unless ``PODIUM_AUTH_CUSTOM_CLAIMS`` has its own ``token_use``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from starlette.applications import Starlette

from podium.config import Settings
from podium.identity import DEFAULT_AUDIENCE, AuthorizerConfig, create_issuer_app, idp_database

__all__ = ["CLI_CLIENT_ID", "dev_authorizer_config", "dev_issuer_app", "ui_redirect_uris"]

#: The dev issuer's client that ``podium idp token`` and the password grant examples use.
CLI_CLIENT_ID = "podium-cli"


def ui_redirect_uris(base_url: str, port: int, hosts: Iterable[str]) -> tuple[str, ...]:
    """The web UI's redirect URIs: its origin plus ``/`` (``app.js``) for every served name."""
    uris = {f"{base_url.rstrip('/')}/"}
    for host in hosts:
        name = f"[{host}]" if ":" in host else host
        uris.add(f"http://{name}:{port}/")
    return tuple(sorted(uris))


def dev_issuer_app(settings: Settings, base_url: str, hosts: Iterable[str]) -> Starlette:
    """The dev issuer for ``{base_url}/idp``, with the UI's origins as its redirect URIs."""
    redirects = ui_redirect_uris(base_url, settings.port, hosts)
    return create_issuer_app(
        f"{base_url.rstrip('/')}/idp",
        settings.home,
        redirect_uris={settings.ui_client_id: redirects},
        # Scaled mode: every gateway signs with the keys in PostgreSQL.
        database=idp_database(settings),
    )


def dev_authorizer_config(settings: Settings, discovery_url: str) -> AuthorizerConfig:
    """Trust the mounted dev issuer: its own clients' user access tokens, unless configured."""
    custom = dict(settings.auth_custom_claims)
    custom.setdefault("token_use", "access")
    clients = list(settings.auth_allowed_clients) or [settings.ui_client_id, CLI_CLIENT_ID]
    config = AuthorizerConfig.from_settings(
        settings.model_copy(
            update={
                "auth_discovery_url": discovery_url,
                "auth_allowed_audience": list(settings.auth_allowed_audience) or [DEFAULT_AUDIENCE],
                "auth_allowed_clients": clients,
                "auth_custom_claims": custom,
            }
        )
    )
    # Explicitly allowed clients may be machine clients (podium-service); the defaults are not.
    return replace(config, require_user=not settings.auth_allowed_clients)
